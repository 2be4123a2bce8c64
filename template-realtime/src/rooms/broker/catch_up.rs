//! Catching a node's hub up: when the hub reports a gap (a message whose `prev` it never
//! delivered), or after the broker reconnected, the broker reads what the hub missed from the
//! history and hands it over in order. The hub never calls the broker; the broker delivers
//! into the hub.

use super::{Broker, BrokerError, Hub, RoomName};

/// Fetches what `room` missed on `hub` since its last delivered id, and delivers it in order.
///
/// # Errors
/// When the broker cannot read the history.
pub async fn catch_up(hub: &Hub, broker: &dyn Broker, room: &RoomName) -> Result<(), BrokerError> {
    let Some(last) = hub.last_delivered(room) else { return Ok(()) };
    let history = broker.history(room, Some(last)).await?;
    hub.deliver_missed(room, &history.messages);
    Ok(())
}

/// [`catch_up`] for every room of `hub`, after the broker reconnected.
pub async fn catch_up_all(hub: &Hub, broker: &dyn Broker) {
    for (room, _) in hub.resume_points() {
        if let Err(error) = catch_up(hub, broker, &room).await {
            super::broker_failed("catch_up", &error);
        }
    }
}
