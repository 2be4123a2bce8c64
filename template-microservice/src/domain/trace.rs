//! The W3C trace context (`traceparent`), carried from incoming HTTP to outgoing HTTP, to the
//! outbox and the NATS headers of published events, and from consumed messages into their
//! processing spans.
//!
//! Format: `00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>`. A service keeps the trace
//! id it was given and substitutes its own span id as the parent of what it calls next.

use std::fmt;

use uuid::Uuid;

/// The header (HTTP) and NATS header name: the outbox module's, which sends it with events.
pub(crate) use crate::outbox::TRACEPARENT;

/// One position in a distributed trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceContext {
    trace_id: u128,
    span_id: u64,
    flags: u8,
}

impl TraceContext {
    /// The start of a new trace, sampled.
    #[must_use]
    pub(crate) fn new_root() -> Self {
        Self { trace_id: random_u128(), span_id: random_span_id(), flags: 1 }
    }

    /// Parses a `traceparent` value; `None` for anything malformed or all-zero.
    #[must_use]
    pub fn parse(value: &str) -> Option<Self> {
        let parts: Vec<&str> = value.trim().split('-').collect();
        let [version, trace, span, flags, rest @ ..] = parts.as_slice() else {
            return None;
        };
        if !well_formed([version, trace, span, flags]) || (*version == "00" && !rest.is_empty()) {
            return None;
        }
        let trace_id = u128::from_str_radix(trace, 16).ok().filter(|id| *id != 0)?;
        let span_id = u64::from_str_radix(span, 16).ok().filter(|id| *id != 0)?;
        let flags = u8::from_str_radix(flags, 16).ok()?;
        Some(Self { trace_id, span_id, flags })
    }

    /// The context given, or a new root when there is none or it is malformed.
    #[must_use]
    pub(crate) fn from_header(value: Option<&str>) -> Self {
        value.and_then(Self::parse).unwrap_or_else(Self::new_root)
    }

    /// The same trace, with a new span of this service as the parent of the next hop.
    #[must_use]
    pub(crate) fn child(self) -> Self {
        Self { span_id: random_span_id(), ..self }
    }

    /// A context from raw ids; `None` when an id is zero (invalid).
    #[cfg(feature = "otel")]
    #[must_use]
    pub(crate) fn from_ids(trace_id: u128, span_id: u64, flags: u8) -> Option<Self> {
        (trace_id != 0 && span_id != 0).then_some(Self { trace_id, span_id, flags })
    }

    /// The raw trace id, span id and flags.
    #[cfg(feature = "otel")]
    #[must_use]
    pub(crate) fn ids(self) -> (u128, u64, u8) {
        (self.trace_id, self.span_id, self.flags)
    }

    /// The trace id, as 32 hex digits.
    #[must_use]
    pub(crate) fn trace_id(self) -> String {
        format!("{:032x}", self.trace_id)
    }
}

impl fmt::Display for TraceContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "00-{:032x}-{:016x}-{:02x}", self.trace_id, self.span_id, self.flags)
    }
}

/// The lengths and alphabet of the four fields; version `ff` is forbidden.
fn well_formed([version, trace, span, flags]: [&str; 4]) -> bool {
    let lengths = [version.len(), trace.len(), span.len(), flags.len()] == [2, 32, 16, 2];
    lengths && version != "ff" && [version, trace, span, flags].into_iter().all(is_lower_hex)
}

fn is_lower_hex(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn random_u128() -> u128 {
    Uuid::new_v4().as_u128()
}

fn random_span_id() -> u64 {
    // The low 64 random bits; a zero id is invalid, so it is replaced.
    let id = u64::try_from(random_u128() & u128::from(u64::MAX)).unwrap_or(1);
    id.max(1)
}

#[cfg(test)]
mod tests {
    use super::TraceContext;

    const SAMPLE: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    #[test]
    fn a_valid_header_round_trips() {
        let context = TraceContext::parse(SAMPLE).expect("valid");
        assert_eq!(context.to_string(), SAMPLE);
        assert_eq!(context.trace_id(), "4bf92f3577b34da6a3ce929d0e0e4736");
    }

    #[test]
    fn a_child_keeps_the_trace_and_changes_the_span() {
        let parent = TraceContext::parse(SAMPLE).expect("valid");
        let child = parent.child();
        assert_eq!(child.trace_id(), parent.trace_id());
        assert_ne!(child.to_string(), parent.to_string());
        assert!(TraceContext::parse(&child.to_string()).is_some());
    }

    #[test]
    fn malformed_headers_are_refused() {
        for bad in [
            "",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
        ] {
            assert_eq!(TraceContext::parse(bad), None, "{bad}");
        }
    }

    #[cfg(feature = "otel")]
    #[test]
    fn raw_ids_round_trip_and_zero_is_refused() {
        let context = TraceContext::parse(SAMPLE).expect("valid");
        let (trace_id, span_id, flags) = context.ids();
        assert_eq!(TraceContext::from_ids(trace_id, span_id, flags), Some(context));
        assert_eq!(TraceContext::from_ids(0, span_id, flags), None);
        assert_eq!(TraceContext::from_ids(trace_id, 0, flags), None);
    }

    #[test]
    fn a_missing_header_starts_a_new_trace() {
        let first = TraceContext::from_header(None);
        let second = TraceContext::from_header(Some("garbage"));
        assert_ne!(first.trace_id(), second.trace_id());
        assert_eq!(TraceContext::from_header(Some(SAMPLE)).trace_id().len(), 32);
    }
}
