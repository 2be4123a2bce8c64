//! `/metrics` reads the outbox backlog from the database at most once per
//! `METRICS_CACHE_SECS`: rows written right after a scrape are not seen by the next scrape
//! within the window, and are seen once it has passed. (The unit test of the cache, in
//! `src/http/metrics.rs`, counts the queries themselves.)

use std::time::{Duration, Instant};

use uuid::Uuid;

use crate::support::{ServiceProcess, eventually, get_text};

/// The value of the gauge `name` in a scrape of `service`.
async fn gauge(service: &ServiceProcess, name: &str) -> f64 {
    let text = get_text(&service.url("/metrics")).await;
    let line = text.lines().find(|line| line.split(' ').next() == Some(name));
    let value = line.and_then(|line| line.rsplit_once(' ')).map(|(_, value)| value.parse());
    value.unwrap_or_else(|| panic!("{name} is missing from:\n{text}")).expect("a number")
}

async fn add_unsent_events(service: &ServiceProcess, count: usize) {
    for _ in 0..count {
        sqlx::query("INSERT INTO outbox (id, subject, payload) VALUES ($1, 'events.x', '\\x7b7d')")
            .bind(Uuid::new_v4())
            .execute(&service.db.pool)
            .await
            .expect("inserted");
    }
}

/// Scrapes once (nothing unsent), adds five unsent events, and returns when that was.
async fn scrape_then_add_events(service: &ServiceProcess) -> Instant {
    let scraped = Instant::now();
    assert!((gauge(service, "outbox_depth").await).abs() < f64::EPSILON);
    add_unsent_events(service, 5).await;
    scraped
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scrapes_within_the_window_do_not_query_the_database_again() {
    // A window far longer than the test: the second scrape falls inside it on any machine.
    let mut service = ServiceProcess::start(&[("METRICS_CACHE_SECS", "600")]).await;
    service.nats.stop();
    scrape_then_add_events(&service).await;
    let depth = gauge(&service, "outbox_depth").await;
    assert!(depth.abs() < f64::EPSILON, "the second scrape read the database: depth {depth}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_backlog_is_read_again_once_the_window_has_passed() {
    let mut service = ServiceProcess::start(&[("METRICS_CACHE_SECS", "1")]).await;
    service.nats.stop();
    let scraped = scrape_then_add_events(&service).await;
    let refreshed = eventually(Duration::from_secs(10), || async {
        (gauge(&service, "outbox_depth").await - 5.0).abs() < f64::EPSILON
    });
    assert!(refreshed.await, "the backlog is read again once the window has passed");
    assert!(scraped.elapsed() >= Duration::from_secs(1), "not before the window passed");
}
