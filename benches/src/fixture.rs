//! A fixed in-process server for the benchmarks: answers `GET /v1/connectors?limit&offset` and
//! `GET /v1/connectors/{id}` with bodies shaped like the API's, as cheaply as possible, so that
//! what is measured is the client. It runs on its own thread and runtime and counts the TCP
//! connections it accepts.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};

/// Whether page bodies are rendered once up front (for timing) or on each request (for memory
/// measurements over accounts too large to keep rendered).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Pages {
    Prerendered,
    Generated,
}

pub struct Fixture {
    pub base_url: String,
    connections: Arc<AtomicUsize>,
}

impl Fixture {
    /// Serves an account of `total` connectors.
    pub fn start(total: usize, pages: Pages) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let address: SocketAddr = listener.local_addr().unwrap();
        let connections = Arc::new(AtomicUsize::new(0));
        let content = Arc::new(Content::new(total, pages));
        let counter = connections.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(serve(listener, content, counter));
        });
        Self {
            base_url: format!("http://{address}"),
            connections,
        }
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

struct Content {
    total: usize,
    pages: Pages,
    rendered: HashMap<(usize, usize), Bytes>,
    single: Bytes,
}

impl Content {
    fn new(total: usize, pages: Pages) -> Self {
        let mut rendered = HashMap::new();
        if pages == Pages::Prerendered {
            for limit in [100usize] {
                for offset in (0..total.max(1)).step_by(limit) {
                    rendered.insert((limit, offset), render_page(total, limit, offset));
                }
            }
        }
        Self {
            total,
            pages,
            rendered,
            single: Bytes::from(json!({"connector": connector(0)}).to_string()),
        }
    }

    fn page(&self, limit: usize, offset: usize) -> Bytes {
        match self.rendered.get(&(limit, offset)) {
            Some(body) => body.clone(),
            None => {
                assert!(
                    self.pages == Pages::Generated || offset >= self.total,
                    "page {limit}/{offset} was not prerendered"
                );
                render_page(self.total, limit, offset)
            }
        }
    }
}

pub fn render_page(total: usize, limit: usize, offset: usize) -> Bytes {
    let connectors: Vec<Value> = (offset..(offset + limit).min(total))
        .map(connector)
        .collect();
    Bytes::from(json!({"connectors": connectors, "total_count": total}).to_string())
}

/// A realistic connector: every field the API documents, OAuth on every third.
pub fn connector(index: usize) -> Value {
    let mut connector = json!({
        "id": format!("connector-{index:06}"),
        "organization_id": "org-7f3a9c21",
        "name": format!("Connector number {index}"),
        "description": "Searches the internal knowledge base of the support team",
        "url": format!("https://search.example.com/connectors/{index}/search"),
        "created_at": "2024-05-01T10:00:00.123456Z",
        "updated_at": "2024-06-11T08:30:12.654321Z",
        "excludes": ["internal_notes", "author_email"],
        "auth_type": "service_auth",
        "active": true,
        "continue_on_failure": false,
    });
    if index.is_multiple_of(3) {
        connector["auth_type"] = json!("oauth");
        connector["auth_status"] = json!("valid");
        connector["oauth"] = json!({
            "client_id": "client-4d2e",
            "authorize_url": "https://login.example.com/oauth/authorize",
            "token_url": "https://login.example.com/oauth/token",
            "scope": "read"
        });
    }
    connector
}

async fn serve(
    listener: std::net::TcpListener,
    content: Arc<Content>,
    connections: Arc<AtomicUsize>,
) {
    let listener = tokio::net::TcpListener::from_std(listener).unwrap();
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        connections.fetch_add(1, Ordering::SeqCst);
        let content = content.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let content = content.clone();
                async move { Ok::<_, Infallible>(answer(&request, &content)) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn answer<B>(request: &Request<B>, content: &Content) -> Response<Full<Bytes>> {
    let path = request.uri().path();
    let body = if path == "/v1/connectors" {
        let query = request.uri().query().unwrap_or_default();
        let number = |name: &str, default: usize| {
            query
                .split('&')
                .filter_map(|pair| pair.split_once('='))
                .find(|(key, _)| *key == name)
                .and_then(|(_, value)| value.parse().ok())
                .unwrap_or(default)
        };
        content.page(number("limit", 30), number("offset", 0))
    } else {
        content.single.clone()
    };
    Response::builder()
        .header("content-type", "application/json")
        .body(Full::new(body))
        .unwrap()
}
