//! [`Transport`] over NATS JetStream.
//!
//! On connect it creates, when missing, the `EVENTS` stream (`events.>`), the `DEAD_LETTERS`
//! stream (`dlq.>`) and this service's durable pull consumer of payment events, with explicit
//! acknowledgements. Publications carry `Nats-Msg-Id`, so the server drops duplicates within
//! the stream's duplicate window.

use std::time::Duration;

use async_nats::jetstream::consumer::{AckPolicy, PullConsumer, pull};
use async_nats::jetstream::{self, AckKind, stream};
use async_nats::{Client, ConnectOptions, HeaderMap};
use async_trait::async_trait;
use futures_util::StreamExt as _;
use futures_util::stream::BoxStream;

use super::{
    Broker, Delivery, IncomingRequest, OutgoingMessage, Respond, Transport, TransportError,
};
use crate::domain::event::PAYMENTS_SUBJECTS;
use crate::domain::trace::TRACEPARENT;
use crate::outbox::Acknowledge;

/// The stream of every event.
pub(crate) const EVENTS_STREAM: &str = "EVENTS";
/// The stream of dead letters.
pub(crate) const DEAD_LETTER_STREAM: &str = "DEAD_LETTERS";
/// The queue group that shares requests among instances.
const QUEUE_GROUP: &str = "orders";
/// How long a publication waits for its acknowledgement.
const PUBLISH_ACK_TIMEOUT: Duration = Duration::from_secs(2);

/// Where NATS is, and this service's durable consumer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NatsSettings {
    /// The server (default `nats://127.0.0.1:4222`).
    pub(crate) url: String,
    /// The durable consumer's name (default `orders-payments`).
    pub(crate) consumer_name: String,
    /// How long a delivery may stay unacknowledged before it is redelivered (default 30 s).
    pub(crate) ack_wait: Duration,
    /// Deliveries handed out and not yet settled, at most (default 1024: four pulls).
    pub(crate) max_ack_pending: i64,
}

/// A connection to NATS with JetStream.
#[derive(Debug, Clone)]
pub struct NatsTransport {
    client: Client,
    jetstream: jetstream::Context,
    consumer: PullConsumer,
}

impl NatsTransport {
    /// Connects to the server, then creates the streams and the durable consumer when
    /// missing. After this, the client reconnects by itself for as long as the service runs.
    ///
    /// # Errors
    /// When the server cannot be reached or refuses the topology.
    pub async fn connect(settings: &NatsSettings) -> Result<Self, TransportError> {
        let client = ConnectOptions::new()
            .name("orders")
            .max_reconnects(None)
            .connect(&settings.url)
            .await
            .map_err(TransportError::new)?;
        let mut jetstream = jetstream::new(client.clone());
        jetstream.set_timeout(PUBLISH_ACK_TIMEOUT);
        let events = ensure_stream(&jetstream, EVENTS_STREAM, "events.>").await?;
        ensure_stream(&jetstream, DEAD_LETTER_STREAM, "dlq.>").await?;
        let consumer = events
            .get_or_create_consumer(&settings.consumer_name, consumer_config(settings))
            .await
            .map_err(TransportError::new)?;
        Ok(Self { client, jetstream, consumer })
    }

    /// The underlying client, for tests and tools that speak NATS directly.
    #[must_use]
    pub fn client(&self) -> &Client {
        &self.client
    }
}

async fn ensure_stream(
    jetstream: &jetstream::Context,
    name: &str,
    subjects: &str,
) -> Result<stream::Stream, TransportError> {
    let config = stream::Config {
        name: name.to_owned(),
        subjects: vec![subjects.to_owned()],
        storage: stream::StorageType::File,
        duplicate_window: Duration::from_mins(2),
        ..Default::default()
    };
    jetstream.get_or_create_stream(config).await.map_err(TransportError::new)
}

fn consumer_config(settings: &NatsSettings) -> pull::Config {
    pull::Config {
        durable_name: Some(settings.consumer_name.clone()),
        // One wildcard filter rather than `filter_subjects`, which servers before 2.10 ignore.
        filter_subject: PAYMENTS_SUBJECTS.to_owned(),
        ack_policy: AckPolicy::Explicit,
        ack_wait: settings.ack_wait,
        // Dead-lettering is the consumer's job (it knows why), so the server never gives up.
        max_deliver: -1,
        max_ack_pending: settings.max_ack_pending,
        ..Default::default()
    }
}

#[async_trait]
impl Transport for NatsTransport {
    async fn publish(&self, messages: Vec<OutgoingMessage>) -> Vec<Result<(), TransportError>> {
        let mut pending = Vec::with_capacity(messages.len());
        for message in messages {
            let headers = nats_headers(&message);
            let sent =
                self.jetstream.publish_with_headers(message.subject, headers, message.payload);
            pending.push(sent.await.map_err(TransportError::new));
        }
        let acks = pending
            .into_iter()
            .map(|sent| async move { sent?.await.map(|_| ()).map_err(TransportError::new) });
        futures_util::future::join_all(acks).await
    }

    async fn pull(
        &self,
        max: u32,
        wait: Duration,
    ) -> Result<BoxStream<'static, Delivery>, TransportError> {
        let batch = self.consumer.batch().max_messages(max as usize).expires(wait);
        let messages = batch.messages().await.map_err(TransportError::new)?;
        let deliveries = messages.filter_map(|message| async move {
            message.inspect_err(|error| tracing::warn!(%error, "pull failed")).ok().map(delivery)
        });
        Ok(deliveries.boxed())
    }
}

#[async_trait]
impl Broker for NatsTransport {
    async fn requests(
        &self,
        subject: &str,
    ) -> Result<BoxStream<'static, IncomingRequest>, TransportError> {
        let subscriber = self
            .client
            .queue_subscribe(subject.to_owned(), QUEUE_GROUP.to_owned())
            .await
            .map_err(TransportError::new)?;
        let client = self.client.clone();
        let requests = subscriber.filter_map(move |message| {
            let client = client.clone();
            async move { request(client, message) }
        });
        Ok(requests.boxed())
    }

    fn is_connected(&self) -> bool {
        self.client.connection_state() == async_nats::connection::State::Connected
    }

    async fn close(&self) {
        if let Err(error) = self.client.drain().await {
            tracing::debug!(%error, "closing the NATS connection");
        }
    }
}

fn nats_headers(message: &OutgoingMessage) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(async_nats::header::NATS_MESSAGE_ID, message.id.as_str());
    for (name, value) in &message.headers {
        headers.insert(name.as_str(), value.as_str());
    }
    headers
}

fn delivery(message: jetstream::Message) -> Delivery {
    let (attempt, sequence) = message
        .info()
        .map_or((1, 0), |info| (u32::try_from(info.delivered).unwrap_or(1), info.stream_sequence));
    let headers = message.headers.as_ref().map(header_pairs).unwrap_or_default();
    Delivery {
        subject: message.subject.to_string(),
        headers,
        payload: message.payload.clone(),
        attempt,
        sequence,
        settle: Box::new(JetStreamAck(message)),
    }
}

fn header_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    let pairs = headers.iter().flat_map(|(name, values)| {
        values.iter().map(move |value| (name.to_string(), value.as_str().to_owned()))
    });
    pairs.collect()
}

fn request(client: Client, message: async_nats::Message) -> Option<IncomingRequest> {
    let reply = message.reply?;
    let traceparent = message.headers.as_ref().and_then(|headers| headers.get(TRACEPARENT));
    Some(IncomingRequest {
        payload: message.payload,
        traceparent: traceparent.map(|value| value.as_str().to_owned()),
        reply: Box::new(NatsReply { client, subject: reply }),
    })
}

/// Settles a JetStream message.
struct JetStreamAck(jetstream::Message);

#[async_trait]
impl Acknowledge for JetStreamAck {
    async fn ack(&self) -> Result<(), TransportError> {
        self.0.ack().await.map_err(TransportError::new)
    }

    async fn retry(&self, delay: Duration) -> Result<(), TransportError> {
        self.0.ack_with(AckKind::Nak(Some(delay))).await.map_err(TransportError::new)
    }

    async fn reject(&self) -> Result<(), TransportError> {
        self.0.ack_with(AckKind::Term).await.map_err(TransportError::new)
    }
}

/// Replies to one NATS request.
struct NatsReply {
    client: Client,
    subject: async_nats::Subject,
}

#[async_trait]
impl Respond for NatsReply {
    async fn respond(&self, payload: bytes::Bytes) -> Result<(), TransportError> {
        self.client.publish(self.subject.clone(), payload).await.map_err(TransportError::new)
    }
}
