//! The node's two subscriptions: an ordered JetStream consumer over every room (which resumes
//! by itself after a disconnect, in order and without loss) and a core subscription to the
//! presence events.

use std::sync::{Arc, Weak};

use async_nats::jetstream::consumer::{DeliverPolicy, pull};
use futures_util::StreamExt as _;

use super::{NatsBroker, unavailable};
use crate::rooms::{BrokerError, Delivery, Hub, PresenceEvent, StoredMessage, catch_up};

/// Starts both subscriptions; returns once they are active.
pub(super) async fn start(
    broker: &Arc<NatsBroker>,
    hub: Arc<Hub>,
) -> Result<Vec<tokio::task::JoinHandle<()>>, BrokerError> {
    let events_subject = format!("{}.events.*", broker.config.options.prefix);
    let events = broker.client.subscribe(events_subject).await.map_err(unavailable)?;
    broker.client.flush().await.map_err(unavailable)?;
    let messages = consume(broker, DeliverPolicy::New).await?;
    let presence = tokio::spawn(relay_presence(events, hub.clone()));
    let rooms = tokio::spawn(relay_messages(messages, Arc::downgrade(broker), hub));
    Ok(vec![presence, rooms])
}

/// An ordered consumer over every room, from `policy` on.
async fn consume(broker: &NatsBroker, policy: DeliverPolicy) -> Result<pull::Ordered, BrokerError> {
    let (stream, filter_subject) = broker.streams.all_rooms();
    let config = pull::OrderedConfig {
        filter_subject,
        deliver_policy: policy,
        ..pull::OrderedConfig::default()
    };
    let consumer = stream.create_consumer(config).await.map_err(unavailable)?;
    consumer.messages().await.map_err(unavailable)
}

/// Reads a stored message; its id is its stream sequence.
pub(super) fn decode(payload: &[u8], sequence: u64) -> Result<StoredMessage, BrokerError> {
    let mut message: StoredMessage =
        serde_json::from_slice(payload).map_err(|error| BrokerError::Corrupt(error.to_string()))?;
    message.id = sequence;
    Ok(message)
}

async fn relay_messages(mut messages: pull::Ordered, broker: Weak<NatsBroker>, hub: Arc<Hub>) {
    let mut next = 1;
    loop {
        while let Some(item) = messages.next().await {
            let Some(broker) = broker.upgrade() else { return };
            match item.map_err(unavailable).and_then(|message| live(&message)) {
                Ok(stored) => {
                    next = stored.id + 1;
                    deliver(&broker, &hub, &stored).await;
                }
                Err(error) => crate::telemetry::broker_error("consume", &error),
            }
        }
        // The consumer gave up (it normally recovers by itself): start again after `next - 1`.
        let Some(owner) = broker.upgrade() else { return };
        match consume(&owner, DeliverPolicy::ByStartSequence { start_sequence: next }).await {
            Ok(resumed) => messages = resumed,
            Err(error) => crate::telemetry::broker_error("consume", &error),
        }
    }
}

fn live(message: &async_nats::jetstream::Message) -> Result<StoredMessage, BrokerError> {
    let info = message.info().map_err(|error| BrokerError::Corrupt(error.to_string()))?;
    decode(&message.payload, info.stream_sequence)
}

/// Delivers one message, after whatever the node missed before it.
async fn deliver(broker: &NatsBroker, hub: &Hub, message: &StoredMessage) {
    broker.last_ids.remember(&message.room, message.id);
    if let Delivery::Gap { .. } = hub.deliver(message)
        && let Err(error) = catch_up(hub, broker, &message.room).await
    {
        crate::telemetry::broker_error("catch_up", &error);
    }
}

async fn relay_presence(mut events: async_nats::Subscriber, hub: Arc<Hub>) {
    while let Some(event) = events.next().await {
        match serde_json::from_slice::<PresenceEvent>(&event.payload) {
            Ok(event) => {
                hub.announce(&event);
            }
            Err(error) => crate::telemetry::broker_error("presence", &error),
        }
    }
}
