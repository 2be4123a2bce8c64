//! The load: orders over HTTP, a committed outbox backlog, and payment events over NATS.

use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::StreamExt as _;
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::json;
use uuid::Uuid;

use crate::setup::{Bench, Phase, SECRET};

type HttpClient = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

fn client() -> HttpClient {
    Client::builder(TokioExecutor::new()).pool_max_idle_per_host(256).build_http()
}

/// The status of `GET url`, if it answered.
pub async fn get_status(url: &str) -> Option<u16> {
    let request = hyper::Request::get(url).body(Full::new(Bytes::new())).ok()?;
    client().request(request).await.ok().map(|response| response.status().as_u16())
}

/// Places `count` orders, `concurrency` at a time.
pub async fn place_orders(
    bench: &Bench,
    count: usize,
    concurrency: usize,
) -> Result<Phase, Box<dyn std::error::Error>> {
    let (client, token) = (client(), token()?);
    let url = format!("{}/api/v1/orders", bench.base_url);
    let body = Bytes::from(json!({ "items": [{ "sku": "ABC-1", "quantity": 2 }] }).to_string());
    let started = Instant::now();
    let created = futures_util::stream::iter(0..count)
        .map(|_| place(&client, &url, &token, body.clone()))
        .buffer_unordered(concurrency)
        .filter(|created| std::future::ready(*created))
        .count()
        .await;
    let elapsed = started.elapsed();
    if created != count {
        return Err(format!("{} of {count} orders failed", count - created).into());
    }
    Ok(Phase { count, elapsed })
}

/// Places `count` orders at `per_second`, each on its own task, whatever the latency.
pub async fn place_paced(
    bench: &Bench,
    count: usize,
    per_second: u32,
) -> Result<(), Box<dyn std::error::Error>> {
    let (client, token) = (client(), token()?);
    let url = format!("{}/api/v1/orders", bench.base_url);
    let body = Bytes::from(json!({ "items": [{ "sku": "ABC-1", "quantity": 1 }] }).to_string());
    let mut tick = tokio::time::interval(Duration::from_secs(1) / per_second);
    let mut placing = Vec::with_capacity(count);
    for _ in 0..count {
        tick.tick().await;
        let (client, url, token, body) = (client.clone(), url.clone(), token.clone(), body.clone());
        placing.push(tokio::spawn(async move { place(&client, &url, &token, body).await }));
    }
    for placed in placing {
        if !placed.await? {
            return Err("a paced order failed".into());
        }
    }
    Ok(())
}

async fn place(client: &HttpClient, url: &str, token: &str, body: Bytes) -> bool {
    let request = hyper::Request::post(url)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(Full::new(body));
    let Ok(request) = request else { return false };
    matches!(client.request(request).await, Ok(response) if response.status() == 201)
}

/// Commits `count` events at once, and times the relay until they are all published.
pub async fn relay_backlog(bench: &Bench, count: i64) -> Result<Phase, Box<dyn std::error::Error>> {
    let insert = "INSERT INTO outbox (id, subject, payload)
                  SELECT gen_random_uuid(), 'events.bench.backlog', convert_to('{}', 'UTF8')
                  FROM generate_series(1, $1)";
    sqlx::query(insert).bind(count).execute(&bench.pool).await?;
    let started = Instant::now();
    bench.wait_until("SELECT count(*) FROM outbox WHERE sent_at IS NULL", 0).await?;
    Ok(Phase { count: usize::try_from(count)?, elapsed: started.elapsed() })
}

/// Publishes one `payment.completed` per order, and times them until all are applied.
pub async fn pay_orders(bench: &Bench) -> Result<Phase, Box<dyn std::error::Error>> {
    let orders: Vec<Uuid> =
        sqlx::query_scalar("SELECT id FROM orders").fetch_all(&bench.pool).await?;
    let jetstream = async_nats::jetstream::new(async_nats::connect(&bench.nats_url).await?);
    let started = Instant::now();
    for chunk in orders.chunks(1_000) {
        let mut acks = Vec::with_capacity(chunk.len());
        for order_id in chunk {
            let envelope = json!({
                "id": Uuid::now_v7(), "type": "payment.completed", "version": 1,
                "time": chrono::Utc::now().to_rfc3339(), "data": { "order_id": order_id },
            });
            acks.push(
                jetstream.publish("events.payment.completed", envelope.to_string().into()).await?,
            );
        }
        for ack in acks {
            ack.await?;
        }
    }
    let paid = i64::try_from(orders.len())?;
    crate::poll(Duration::from_mins(5), || async {
        Ok(sqlx::query_scalar::<_, i64>("SELECT count(*) FROM inbox")
            .fetch_one(&bench.pool)
            .await?
            >= paid)
    })
    .await?;
    Ok(Phase { count: orders.len(), elapsed: started.elapsed() })
}

/// An access token signed with the bench secret, as template-rest would issue it.
fn token() -> Result<String, jsonwebtoken::errors::Error> {
    let now = jsonwebtoken::get_current_timestamp();
    let claims = json!({
        "sub": Uuid::now_v7(), "iss": "template-rest", "aud": "template-rest",
        "exp": now + 3_600, "iat": now,
    });
    let key = jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes());
    jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &key)
}
