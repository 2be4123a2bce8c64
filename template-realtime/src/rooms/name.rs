//! Room names: 1 to 64 characters of `[A-Za-z0-9_.-]`, checked once at the edge.

use std::borrow::Borrow;
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The longest room name, in characters.
pub const MAX_ROOM_NAME: usize = 64;

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// A valid room name. Cloning is cheap: the text is shared.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RoomName(Arc<str>);

/// Why a room name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("room names are 1 to 64 characters of A-Z, a-z, 0-9, `_`, `.` and `-`")]
pub struct InvalidRoom;

impl RoomName {
    /// Checks `name` and wraps it.
    ///
    /// # Errors
    /// [`InvalidRoom`] when it is empty, too long, or has another character.
    pub fn parse(name: &str) -> Result<Self, InvalidRoom> {
        let allowed = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-');
        if name.is_empty() || name.len() > MAX_ROOM_NAME || !name.bytes().all(allowed) {
            return Err(InvalidRoom);
        }
        Ok(Self(name.into()))
    }

    /// The name as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name in lower-case hexadecimal: safe in any broker key, subject or channel.
    #[must_use]
    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }
}

/// `text` in lower-case hexadecimal.
#[must_use]
pub fn hex(text: &str) -> String {
    hex_bytes(text.as_bytes())
}

/// `bytes` in lower-case hexadecimal.
#[must_use]
pub fn hex_bytes(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut hex, &byte| {
        hex.push(char::from(HEX_DIGITS[usize::from(byte >> 4)]));
        hex.push(char::from(HEX_DIGITS[usize::from(byte & 0xf)]));
        hex
    })
}

impl fmt::Display for RoomName {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl fmt::Debug for RoomName {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, formatter)
    }
}

impl Borrow<str> for RoomName {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl Serialize for RoomName {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for RoomName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::parse(&name).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_names_are_kept_as_given() {
        for name in ["lobby", "a", "Team_1.general-chat", &"x".repeat(MAX_ROOM_NAME)] {
            assert_eq!(RoomName::parse(name).unwrap().as_str(), name);
        }
    }

    #[test]
    fn invalid_names_are_refused() {
        for name in ["", "with space", "slash/room", "émoji", "a:b", &"x".repeat(MAX_ROOM_NAME + 1)]
        {
            assert_eq!(RoomName::parse(name), Err(InvalidRoom), "{name}");
        }
    }

    #[test]
    fn hex_and_json_forms() {
        let room = RoomName::parse("a.B").unwrap();
        assert_eq!(room.to_hex(), "612e42");
        assert_eq!(serde_json::to_string(&room).unwrap(), "\"a.B\"");
        assert_eq!(serde_json::from_str::<RoomName>("\"a.B\"").unwrap(), room);
        assert!(serde_json::from_str::<RoomName>("\"a b\"").is_err());
        assert_eq!(format!("{room} {room:?}"), "a.B \"a.B\"");
    }
}
