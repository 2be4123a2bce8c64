//! The node's subscription to the broker's channels, kept up across disconnects.
//!
//! After each (re)subscription the hub catches up from the streams on every room it serves,
//! so what was published while the node was disconnected is delivered, in order, before the
//! live messages. A message whose `prev` the hub never delivered triggers the same catch-up.

use std::sync::{Arc, Weak};
use std::time::Duration;

use futures_util::StreamExt as _;

use super::{RedisBroker, decode, unavailable};
use crate::rooms::{Broker, BrokerError, Delivery, Hub, PresenceEvent, catch_up, catch_up_all};

/// The longest wait between two reconnection attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// Subscribes, then keeps the subscription in a background task. Returns once the first
/// subscription is active, so that nothing published afterwards is missed.
pub(super) async fn start(
    client: redis::Client,
    broker: &Arc<RedisBroker>,
    hub: Arc<Hub>,
) -> Result<tokio::task::JoinHandle<()>, BrokerError> {
    let channels = [broker.keys.channel("messages"), broker.keys.channel("presence")];
    let first = subscribe(&client, &channels).await?;
    let broker = Arc::downgrade(broker);
    Ok(tokio::spawn(async move {
        let mut stream = Some(first);
        let mut backoff = Duration::from_millis(100);
        loop {
            if let Some(messages) = stream.take() {
                backoff = Duration::from_millis(100);
                receive(messages, &broker, &hub).await;
                crate::telemetry::broker_error("subscribe", &"the subscription was lost");
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(MAX_BACKOFF);
            stream = subscribe(&client, &channels).await.ok();
            if let (Some(_), Some(broker)) = (&stream, broker.upgrade()) {
                catch_up_all(&hub, broker.as_ref()).await;
            }
        }
    }))
}

async fn subscribe(
    client: &redis::Client,
    channels: &[String; 2],
) -> Result<redis::aio::PubSubStream, BrokerError> {
    let mut pubsub = client.get_async_pubsub().await.map_err(unavailable)?;
    pubsub.subscribe(channels).await.map_err(unavailable)?;
    Ok(pubsub.into_on_message())
}

/// Delivers every message of the subscription until it ends.
async fn receive(mut messages: redis::aio::PubSubStream, broker: &Weak<RedisBroker>, hub: &Hub) {
    while let Some(message) = messages.next().await {
        let Some(broker) = broker.upgrade() else { return };
        let payload: String = message.get_payload().unwrap_or_default();
        if message.get_channel_name().ends_with(":presence") {
            announce(hub, &payload);
            continue;
        }
        if let Err(error) = deliver(hub, broker.as_ref(), &payload).await {
            crate::telemetry::broker_error("deliver", &error);
        }
    }
}

async fn deliver(hub: &Hub, broker: &dyn Broker, payload: &str) -> Result<(), BrokerError> {
    let message = decode(payload)?;
    if let Delivery::Gap { .. } = hub.deliver(&message) {
        catch_up(hub, broker, &message.room).await?;
    }
    Ok(())
}

fn announce(hub: &Hub, payload: &str) {
    match serde_json::from_str::<PresenceEvent>(payload) {
        Ok(event) => {
            hub.announce(&event);
        }
        Err(error) => crate::telemetry::broker_error("presence", &error),
    }
}
