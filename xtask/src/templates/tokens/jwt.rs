//! JWTs made by hand for the tokens step: rest's token taken apart, and forgeries of it signed
//! with `openssl` (Ed25519 through `pkeyutl -rawin`, HMAC-SHA256 through `dgst`), so that the
//! xtask needs no cryptography crate.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cmd;
use crate::http;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// An Ed25519 private key in a PEM file.
pub(super) struct Key {
    path: PathBuf,
}

impl Key {
    /// A fresh key, `openssl genpkey -algorithm ed25519`, in `scratch/<name>.pem`.
    pub(super) fn generate(scratch: &Path, name: &str) -> cmd::Result<Self> {
        let path = scratch.join(format!("{name}.pem"));
        let mut command = Command::new("openssl");
        command.args(["genpkey", "-algorithm", "ed25519", "-out"]).arg(&path);
        cmd::output(&mut command)?;
        Ok(Self { path })
    }

    /// The private key's PEM text.
    pub(super) fn private_pem(&self) -> cmd::Result<String> {
        Ok(std::fs::read_to_string(&self.path)?)
    }

    /// The public key's PEM text (`openssl pkey -pubout`).
    pub(super) fn public_pem(&self) -> cmd::Result<String> {
        cmd::output(Command::new("openssl").args(["pkey", "-pubout", "-in"]).arg(&self.path))
    }

    fn sign(&self, input: &str, scratch: &Path) -> cmd::Result<Vec<u8>> {
        let (message, signature) = files(scratch, input)?;
        let mut command = Command::new("openssl");
        command.args(["pkeyutl", "-sign", "-rawin", "-inkey"]).arg(&self.path);
        cmd::output(command.arg("-in").arg(&message).arg("-out").arg(&signature))?;
        Ok(std::fs::read(signature)?)
    }
}

/// HMAC-SHA256 of `input` keyed with `secret` (`openssl dgst -mac HMAC`).
fn hmac_sha256(secret: &[u8], input: &str, scratch: &Path) -> cmd::Result<Vec<u8>> {
    let (message, mac) = files(scratch, input)?;
    let hex = secret.iter().fold(String::new(), |mut hex, byte| {
        let _ = write!(hex, "{byte:02x}");
        hex
    });
    let mut command = Command::new("openssl");
    command.args(["dgst", "-sha256", "-mac", "HMAC", "-macopt", &format!("hexkey:{hex}")]);
    cmd::output(command.arg("-binary").arg("-out").arg(&mac).arg(&message))?;
    Ok(std::fs::read(mac)?)
}

/// Writes `input` to a file in `scratch`; returns it and the path for openssl's output.
fn files(scratch: &Path, input: &str) -> cmd::Result<(PathBuf, PathBuf)> {
    let message = scratch.join("jwt-input");
    std::fs::write(&message, input)?;
    Ok((message, scratch.join("jwt-output")))
}

/// A token as issued, taken apart.
pub(super) struct Token {
    /// The token itself.
    pub(super) text: String,
    /// The header's JSON, as issued.
    header: String,
    /// The claims' JSON, as issued.
    pub(super) payload: String,
    kid: String,
}

impl Token {
    /// Splits and decodes `text`; its header must name a `kid`.
    pub(super) fn parse(text: &str) -> cmd::Result<Self> {
        let mut parts = text.split('.');
        let (Some(header), Some(payload)) = (parts.next(), parts.next()) else {
            return Err(cmd::Error::new(format!("not a JWT: {text:.60}")));
        };
        let json = |part: &str| String::from_utf8(decode(part)?).map_err(|_| bad_base64(part));
        let header = json(header)?;
        let kid = http::json_field(&header, "kid")?;
        Ok(Self { text: text.to_owned(), payload: json(payload)?, header, kid })
    }

    /// The issued header with `payload`, signed with `key`.
    pub(super) fn eddsa(&self, payload: &str, key: &Key, scratch: &Path) -> cmd::Result<String> {
        let input = format!("{}.{}", encode(self.header.as_bytes()), encode(payload.as_bytes()));
        let signature = key.sign(&input, scratch)?;
        Ok(format!("{input}.{}", encode(&signature)))
    }

    /// The issued claims under an HS256 header with the issued `kid`, keyed with `secret`.
    pub(super) fn hs256(&self, secret: &[u8], scratch: &Path) -> cmd::Result<String> {
        let header = format!(r#"{{"typ":"JWT","alg":"HS256","kid":"{}"}}"#, self.kid);
        let input = format!("{}.{}", encode(header.as_bytes()), encode(self.payload.as_bytes()));
        let mac = hmac_sha256(secret, &input, scratch)?;
        Ok(format!("{input}.{}", encode(&mac)))
    }

    /// The issued claims with the audience `from` replaced by `to`.
    pub(super) fn with_audience(&self, from: &str, to: &str) -> cmd::Result<String> {
        let (from, to) = (format!("\"{from}\""), format!("\"{to}\""));
        if !self.payload.contains(&from) {
            return Err(cmd::Error::new(format!("no audience {from} in {}", self.payload)));
        }
        Ok(self.payload.replace(&from, &to))
    }
}

/// Base64url without padding (RFC 4648 §5), as JWTs use it.
pub(super) fn encode(bytes: &[u8]) -> String {
    let mut text = String::new();
    for chunk in bytes.chunks(3) {
        let group = chunk
            .iter()
            .enumerate()
            .fold(0_u32, |group, (at, byte)| group | u32::from(*byte) << (16 - 8 * at));
        for at in 0..=chunk.len() {
            let index = (group >> (18 - 6 * at)) & 63;
            text.push(char::from(ALPHABET[usize::try_from(index).unwrap_or(0)]));
        }
    }
    text
}

/// The bytes of unpadded base64url `text`.
pub(super) fn decode(text: &str) -> cmd::Result<Vec<u8>> {
    let (mut bytes, mut bits, mut held) = (Vec::new(), 0_u32, 0_u32);
    for letter in text.bytes() {
        let value = ALPHABET.iter().position(|known| *known == letter);
        let value = value.and_then(|value| u32::try_from(value).ok());
        bits = bits << 6 | value.ok_or_else(|| bad_base64(text))?;
        held += 6;
        if held >= 8 {
            held -= 8;
            bytes.push((bits >> held).to_le_bytes()[0]);
            bits &= (1 << held) - 1;
        }
    }
    Ok(bytes)
}

fn bad_base64(text: &str) -> cmd::Error {
    cmd::Error::new(format!("not base64url: {text:.60}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_matches_rfc_4648_and_round_trips() {
        let vectors = [("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg")];
        for (plain, encoded) in vectors {
            assert_eq!(encode(plain.as_bytes()), encoded);
            assert_eq!(decode(encoded).unwrap(), plain.as_bytes());
        }
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(decode(&encode(&all)).unwrap(), all);
        assert_eq!(encode(&[0xfb, 0xff]), "-_8");
        assert!(decode("a+b").is_err());
    }

    #[test]
    fn hmac_matches_rfc_4231_and_ed25519_signs() {
        let scratch = std::env::temp_dir().join(format!("xtask-jwt-{}", std::process::id()));
        std::fs::create_dir_all(&scratch).unwrap();
        let mac = hmac_sha256(b"Jefe", "what do ya want for nothing?", &scratch).unwrap();
        let expected = "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM";
        assert_eq!(encode(&mac), expected, "RFC 4231 test case 2");
        let key = Key::generate(&scratch, "test").unwrap();
        assert_eq!(key.sign("input", &scratch).unwrap().len(), 64);
        assert!(key.public_pem().unwrap().starts_with("-----BEGIN PUBLIC KEY-----"));
        std::fs::remove_dir_all(&scratch).unwrap();
    }
}
