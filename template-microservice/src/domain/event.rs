//! The typed envelope every message carries, and the events this service knows.
//!
//! On the wire: `{"id":"<uuid>","type":"order.created","version":1,"time":"<RFC 3339>",
//! "data":{…}}`, with `traceparent` in the transport's headers. The envelope id is the
//! deduplication key end to end: the publisher's message id and the consumer's inbox key.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::order::Order;

/// The subject of `order.created` events.
pub(crate) const ORDER_CREATED_SUBJECT: &str = "events.order.created";

/// The subjects of every payment event, consumed by this service.
pub(crate) const PAYMENTS_SUBJECTS: &str = "events.payment.>";

/// A message as it travels: metadata and a payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Envelope {
    /// Unique per event; redeliveries and republications keep it.
    pub(crate) id: Uuid,
    /// What happened, such as `order.created`.
    #[serde(rename = "type")]
    pub(crate) event_type: String,
    /// The schema version of `data` for this type.
    pub(crate) version: u32,
    pub(crate) time: DateTime<Utc>,
    pub(crate) data: serde_json::Value,
}

impl Envelope {
    /// A new envelope for `data`.
    #[must_use]
    pub(crate) fn new(event_type: &str, data: serde_json::Value) -> Self {
        Self {
            id: Uuid::now_v7(),
            event_type: event_type.to_owned(),
            version: 1,
            time: Utc::now(),
            data,
        }
    }

    /// The `order.created` event of `order`.
    #[must_use]
    pub(crate) fn order_created(order: &Order) -> Self {
        let data = serde_json::json!({
            "order_id": order.id,
            "status": order.status,
            "items": order.items,
        });
        Self::new("order.created", data)
    }
}

/// The payment events this service consumes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PaymentEvent {
    /// `payment.completed`: the order becomes paid.
    Completed {
        /// The order paid for.
        order_id: Uuid,
    },
    /// `payment.failed`: the order is cancelled.
    Failed {
        /// The order whose payment failed.
        order_id: Uuid,
    },
}

/// Why an envelope is not a payment event this service understands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum UnknownEvent {
    /// The type is not one this service consumes.
    #[error("unknown event type `{0}`")]
    Type(String),
    /// The type is known but not at this version.
    #[error("unsupported version {version} of `{event_type}`")]
    Version {
        event_type: String,
        /// The version received.
        version: u32,
    },
    /// The payload does not match the type's schema.
    #[error("malformed `{event_type}` data: {reason}")]
    Data {
        event_type: String,
        /// What is wrong.
        reason: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PaymentData {
    order_id: Uuid,
}

impl PaymentEvent {
    /// Reads a payment event from its envelope.
    ///
    /// # Errors
    /// An unknown type or version, or data of the wrong shape.
    pub(crate) fn from_envelope(envelope: &Envelope) -> Result<Self, UnknownEvent> {
        let make: fn(Uuid) -> Self = match envelope.event_type.as_str() {
            "payment.completed" => |order_id| Self::Completed { order_id },
            "payment.failed" => |order_id| Self::Failed { order_id },
            other => return Err(UnknownEvent::Type(other.to_owned())),
        };
        if envelope.version != 1 {
            return Err(UnknownEvent::Version {
                event_type: envelope.event_type.clone(),
                version: envelope.version,
            });
        }
        let data =
            PaymentData::deserialize(&envelope.data).map_err(|error| UnknownEvent::Data {
                event_type: envelope.event_type.clone(),
                reason: error.to_string(),
            })?;
        Ok(make(data.order_id))
    }

    /// The order concerned.
    #[must_use]
    pub(crate) fn order_id(self) -> Uuid {
        match self {
            Self::Completed { order_id } | Self::Failed { order_id } => order_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use uuid::Uuid;

    use super::{Envelope, PaymentEvent, UnknownEvent};

    #[test]
    fn payment_events_are_read_from_their_envelope() {
        let order_id = Uuid::now_v7();
        let completed = Envelope::new("payment.completed", json!({ "order_id": order_id }));
        assert_eq!(
            PaymentEvent::from_envelope(&completed),
            Ok(PaymentEvent::Completed { order_id })
        );
        let failed = Envelope::new("payment.failed", json!({ "order_id": order_id }));
        assert_eq!(PaymentEvent::from_envelope(&failed).map(PaymentEvent::order_id), Ok(order_id));
    }

    #[test]
    fn unknown_types_versions_and_shapes_are_refused() {
        let unknown = Envelope::new("payment.refunded", json!({}));
        assert!(matches!(PaymentEvent::from_envelope(&unknown), Err(UnknownEvent::Type(_))));
        let mut future = Envelope::new("payment.completed", json!({ "order_id": Uuid::now_v7() }));
        future.version = 2;
        assert!(matches!(PaymentEvent::from_envelope(&future), Err(UnknownEvent::Version { .. })));
        let malformed = Envelope::new("payment.completed", json!({ "order": 1 }));
        assert!(matches!(PaymentEvent::from_envelope(&malformed), Err(UnknownEvent::Data { .. })));
    }

    #[test]
    fn the_envelope_has_the_contract_fields() {
        let envelope = Envelope::new("order.created", json!({ "x": 1 }));
        let value = serde_json::to_value(&envelope).expect("serialises");
        let keys: Vec<_> = value.as_object().expect("object").keys().cloned().collect();
        assert_eq!(keys, ["data", "id", "time", "type", "version"]);
        assert_eq!(value["version"], 1);
    }
}
