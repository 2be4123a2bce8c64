//! The module's tests, against the in-process fakes of `tests/fakes.rs`: no broker and no
//! database needed.

mod consumer;
mod fakes;
mod relay;

use super::consumer::dead_letter_message;
use super::relay::report;
use super::{
    Acknowledge, Backlog, Consumer, ConsumerSettings, Delivery, Disposition, Inbox, Outbox,
    OutboxClaim, OutboxEvent, OutgoingMessage, Pass, Relay, RelaySettings, Signal, StoreError,
    Transport, TransportError,
};
