//! Metric labels take no value a client chooses: 10,000 requests with random methods and
//! random paths, sent to a service process of its own, leave the number of series in
//! `/metrics` where it was.

use bytes::Bytes;
use futures_util::StreamExt as _;
use http_body_util::{BodyExt as _, Full};
use hyper::Method;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use uuid::Uuid;

use crate::support::{ServiceProcess, get_text, request};

type HttpClient = Client<HttpConnector, Full<Bytes>>;

const REQUESTS: usize = 10_000;

/// The standard methods a client can send without a tunnel (CONNECT needs one).
const STANDARD: [Method; 8] = [
    Method::GET,
    Method::HEAD,
    Method::POST,
    Method::PUT,
    Method::DELETE,
    Method::OPTIONS,
    Method::TRACE,
    Method::PATCH,
];

/// A method of 3 to 12 random letters (lower and upper case: methods are case-sensitive),
/// or, one time in three, a standard one.
fn random_method(seed: &[u8; 16]) -> Method {
    if seed[0].is_multiple_of(3) {
        return STANDARD[usize::from(seed[1]) % STANDARD.len()].clone();
    }
    let length = 3 + usize::from(seed[2]) % 10;
    let letters: Vec<u8> = seed[3..3 + length]
        .iter()
        .map(|byte| if byte % 2 == 0 { b'A' + byte % 26 } else { b'a' + byte % 26 })
        .collect();
    Method::from_bytes(&letters).expect("a token")
}

/// A path that matches no route, or one that matches the template `/api/v1/orders/{id}`.
fn random_path(seed: &[u8; 16], id: Uuid) -> String {
    match seed[15] % 3 {
        0 => format!("/{}", id.simple()),
        1 => format!("/api/{}/{}", id.simple(), seed[14]),
        _ => format!("/api/v1/orders/{}", id.simple()),
    }
}

async fn send(client: &HttpClient, service: &ServiceProcess, method: Method, path: &str) {
    let response = client.request(request(method, &service.url(path), None, None)).await;
    let body = response.expect("answered").into_body().collect().await;
    body.expect("body");
}

/// The lines of `/metrics` that are series of the request metrics.
async fn series(service: &ServiceProcess) -> Vec<String> {
    let text = get_text(&service.url("/metrics")).await;
    text.lines()
        .filter(|line| line.starts_with("http_request"))
        .map(|line| line.rsplit_once(' ').map_or(line, |(series, _)| series).to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_methods_and_paths_add_no_series() {
    let service = ServiceProcess::start(&[]).await;
    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    let warm_up = STANDARD.iter().cloned().chain([Method::from_bytes(b"BREW").expect("token")]);
    for method in warm_up {
        for path in ["/nothing", "/api/x/1", "/api/v1/orders/1", "/metrics"] {
            send(&client, &service, method.clone(), path).await;
        }
    }
    let before = series(&service).await;
    futures_util::stream::iter(0..REQUESTS)
        .for_each_concurrent(32, |_| {
            let id = Uuid::new_v4();
            let (method, path) = (random_method(id.as_bytes()), random_path(id.as_bytes(), id));
            let client = &client;
            let service = &service;
            async move { send(client, service, method, &path).await }
        })
        .await;
    let after = series(&service).await;
    assert_eq!(before.len(), after.len(), "new series: {:#?}", difference(&after, &before));
    assert!(after.iter().any(|line| line.contains(r#"method="OTHER""#)), "{after:#?}");
    assert!(after.iter().any(|line| line.contains(r#"route="unmatched""#)), "{after:#?}");
    println!("{REQUESTS} random requests: {} series before, {} after", before.len(), after.len());
}

fn difference<'a>(after: &'a [String], before: &[String]) -> Vec<&'a String> {
    after.iter().filter(|line| !before.contains(line)).take(10).collect()
}
