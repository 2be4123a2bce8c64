//! Domain events reach subscribers after the change, off the request path, and a failing or
//! panicking subscriber changes nothing for the request or for the other subscribers.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use axum::http::{Method, StatusCode};
use serde_json::json;
use tokio::sync::mpsc;

use crate::service::events::{DomainEvent, Subscriber, SubscriberError};
use crate::service::repositories::pool::DbPool;
use crate::support::{PASSWORD, TestApp};

struct Recorder(mpsc::UnboundedSender<DomainEvent>);

#[async_trait]
impl Subscriber for Recorder {
    fn name(&self) -> &'static str {
        "recorder"
    }

    async fn handle(&self, event: &DomainEvent) -> Result<(), SubscriberError> {
        self.0.send(event.clone()).map_err(Into::into)
    }
}

struct Failing;

#[async_trait]
impl Subscriber for Failing {
    fn name(&self) -> &'static str {
        "failing"
    }

    async fn handle(&self, event: &DomainEvent) -> Result<(), SubscriberError> {
        if matches!(event, DomainEvent::UserRegistered { .. }) {
            panic!("subscriber bug");
        }
        Err("mail server down".into())
    }
}

async fn next(events: &mut mpsc::UnboundedReceiver<DomainEvent>) -> DomainEvent {
    tokio::time::timeout(Duration::from_secs(5), events.recv())
        .await
        .expect("an event within 5 s")
        .expect("the bus is open")
}

#[sqlx::test]
async fn events_follow_registration_password_change_and_deletion(pool: DbPool) {
    let (sender, mut events) = mpsc::unbounded_channel();
    let subscribers: Vec<Arc<dyn Subscriber>> = vec![Arc::new(Failing), Arc::new(Recorder(sender))];
    let app = TestApp::with(pool, &[], subscribers).await;
    let (id, tokens) = app.user("eve@example.com").await;
    let user_id = uuid::Uuid::parse_str(&id).unwrap();
    let registered = DomainEvent::UserRegistered {
        user_id,
        email: "eve@example.com".into(),
        name: "Test User".into(),
    };
    assert_eq!(next(&mut events).await, registered);
    let change = json!({"current_password": PASSWORD, "new_password": "another passphrase"});
    let uri = format!("/api/v1/users/{id}/password");
    let reply = app.request(Method::PUT, &uri).token(&tokens.access).json(&change).send().await;
    assert_eq!(
        reply.status,
        StatusCode::NO_CONTENT,
        "a failing subscriber does not fail the request"
    );
    let changed = DomainEvent::PasswordChanged { user_id, email: "eve@example.com".into() };
    assert_eq!(next(&mut events).await, changed);
    let admin = app.admin().await;
    let deleted = app
        .request(Method::DELETE, &format!("/api/v1/users/{id}"))
        .token(&admin.access)
        .send()
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(next(&mut events).await, DomainEvent::UserDeleted { user_id });
}

#[sqlx::test]
async fn failed_writes_publish_nothing(pool: DbPool) {
    let (sender, mut events) = mpsc::unbounded_channel();
    let app =
        TestApp::with(pool, &[], vec![Arc::new(Recorder(sender)) as Arc<dyn Subscriber>]).await;
    app.register("fay@example.com", "Fay").await;
    next(&mut events).await;
    let duplicate = json!({"email": "fay@example.com", "password": PASSWORD, "name": "Again"});
    let reply = app.request(Method::POST, "/api/v1/auth/register").json(&duplicate).send().await;
    reply.problem(StatusCode::CONFLICT);
    app.register("gil@example.com", "Gil").await;
    let DomainEvent::UserRegistered { email, .. } = next(&mut events).await else {
        panic!("wrong event")
    };
    assert_eq!(email, "gil@example.com", "no event for the refused duplicate");
}
