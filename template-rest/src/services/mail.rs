//! Mail: the `Mailer` trait, a logging implementation, and the subscriber that sends the
//! welcome and security mails.
//!
//! Plug real delivery in here: implement [`Mailer`] over SMTP or a provider's API (with its
//! own timeout and retries) and pass it to `MailSubscriber` in `app.rs`.

use std::sync::Arc;

use async_trait::async_trait;

use crate::events::{DomainEvent, Subscriber, SubscriberError};

/// One message to one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mail {
    pub(crate) to: String,
    pub(crate) subject: String,
    pub(crate) body: String,
}

#[async_trait]
pub(crate) trait Mailer: Send + Sync {
    /// Sends one message.
    ///
    /// # Errors
    /// Delivery failures.
    async fn send(&self, mail: Mail) -> Result<(), SubscriberError>;
}

/// Writes mail to the log instead of sending it: the default until real delivery is wired.
#[derive(Debug, Default)]
pub(crate) struct LoggingMailer;

#[async_trait]
impl Mailer for LoggingMailer {
    async fn send(&self, mail: Mail) -> Result<(), SubscriberError> {
        tracing::info!(to = %mail.to, subject = %mail.subject, "mail (logging mailer, not sent)");
        Ok(())
    }
}

/// Turns user events into mail.
pub(crate) struct MailSubscriber {
    mailer: Arc<dyn Mailer>,
}

impl MailSubscriber {
    #[must_use]
    pub(crate) fn new(mailer: Arc<dyn Mailer>) -> Self {
        Self { mailer }
    }
}

#[async_trait]
impl Subscriber for MailSubscriber {
    fn name(&self) -> &'static str {
        "mail"
    }

    async fn handle(&self, event: &DomainEvent) -> Result<(), SubscriberError> {
        let mail = match event {
            DomainEvent::UserRegistered { email, name, .. } => Mail {
                to: email.clone(),
                subject: "Welcome".to_owned(),
                body: format!("Hello {name}, your account is ready."),
            },
            DomainEvent::PasswordChanged { email, .. } => Mail {
                to: email.clone(),
                subject: "Your password was changed".to_owned(),
                body: "If this was not you, reset your password now.".to_owned(),
            },
            DomainEvent::UserDeleted { .. } => return Ok(()),
        };
        self.mailer.send(mail).await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use uuid::Uuid;

    use super::*;

    #[derive(Default)]
    struct Outbox(Mutex<Vec<Mail>>);

    #[async_trait]
    impl Mailer for Outbox {
        async fn send(&self, mail: Mail) -> Result<(), SubscriberError> {
            self.0.lock().unwrap().push(mail);
            Ok(())
        }
    }

    #[tokio::test]
    async fn registrations_and_password_changes_send_mail() {
        let outbox = Arc::new(Outbox::default());
        let subscriber = MailSubscriber::new(outbox.clone());
        let user_id = Uuid::now_v7();
        let events = [
            DomainEvent::UserRegistered { user_id, email: "a@b.co".into(), name: "Ann".into() },
            DomainEvent::PasswordChanged { user_id, email: "a@b.co".into() },
            DomainEvent::UserDeleted { user_id },
        ];
        for event in &events {
            subscriber.handle(event).await.unwrap();
        }
        let sent = outbox.0.lock().unwrap().clone();
        let subjects: Vec<_> = sent.iter().map(|mail| mail.subject.as_str()).collect();
        assert_eq!(subjects, ["Welcome", "Your password was changed"]);
        assert!(sent.iter().all(|mail| mail.to == "a@b.co"));
        assert!(sent[0].body.contains("Ann"));
        assert!(LoggingMailer.send(sent[0].clone()).await.is_ok());
    }
}
