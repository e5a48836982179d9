//! A fixed server for the benchmarks: answers `GET /v1/connectors?limit&offset`, and `GET`,
//! `PATCH` and `DELETE /v1/connectors/{id}`, with bodies shaped like the API's (a delete gets
//! `{}`; an update's body is read and ignored), as cheaply as possible, so that
//! what is measured is the client. In process it runs on its own thread and runtime and counts
//! the TCP connections it accepts; out of process (the `fixture_server` binary) it shares
//! nothing with the client, not even the allocator.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};

use cohere_connectors_testing::shapes;

/// How heavy each connector of a page is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Every field present and long, OAuth on every connector (a page of 100: ~318 KiB).
    Heavy,
    /// Short values, OAuth on one in three (a page of 100: ~45 KiB).
    Light,
}

impl Shape {
    pub fn name(self) -> &'static str {
        match self {
            Self::Heavy => "heavy",
            Self::Light => "light",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "heavy" => Some(Self::Heavy),
            "light" => Some(Self::Light),
            _ => None,
        }
    }

    /// The connector at `index`, as the API returns it.
    pub fn connector(self, index: usize) -> Value {
        match self {
            Self::Heavy => shapes::heavy_connector_json(index),
            Self::Light => shapes::light_connector_json(index),
        }
    }
}

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
    /// Serves an account of `total` light connectors.
    pub fn start(total: usize, pages: Pages) -> Self {
        Self::start_shaped(total, pages, Shape::Light)
    }

    /// Serves an account of `total` connectors of `shape`.
    pub fn start_shaped(total: usize, pages: Pages, shape: Shape) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let address: SocketAddr = listener.local_addr().unwrap();
        let connections = Arc::new(AtomicUsize::new(0));
        let content = Arc::new(Content::new(total, pages, shape));
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
    shape: Shape,
    rendered: HashMap<(usize, usize), Bytes>,
    single: Bytes,
}

impl Content {
    fn new(total: usize, pages: Pages, shape: Shape) -> Self {
        let mut rendered = HashMap::new();
        if pages == Pages::Prerendered {
            for limit in [100usize] {
                for offset in (0..total.max(1)).step_by(limit) {
                    rendered.insert((limit, offset), render_page(shape, total, limit, offset));
                }
            }
        }
        Self {
            total,
            pages,
            shape,
            rendered,
            single: Bytes::from(json!({"connector": shape.connector(0)}).to_string()),
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
                render_page(self.shape, self.total, limit, offset)
            }
        }
    }
}

/// The body of the page at `offset` of an account of `total` connectors of `shape`.
pub fn render_page(shape: Shape, total: usize, limit: usize, offset: usize) -> Bytes {
    let connectors: Vec<Value> = (offset..(offset + limit).min(total))
        .map(|index| shape.connector(index))
        .collect();
    Bytes::from(json!({"connectors": connectors, "total_count": total}).to_string())
}

/// Serves `Fixture` in another process (the `fixture_server` binary), so that client and
/// server share no runtime, thread or allocator. The process ends with this value.
pub struct OutOfProcess {
    pub base_url: String,
    child: std::process::Child,
}

impl OutOfProcess {
    /// Starts `binary` (the path of `fixture_server`) serving `total` connectors of `shape`.
    pub fn start(binary: &str, total: usize, shape: Shape) -> Self {
        use std::io::BufRead;
        let mut child = std::process::Command::new(binary)
            .args([shape.name(), &total.to_string()])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("the fixture_server binary starts");
        let stdout = child.stdout.take().expect("its stdout");
        let mut line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .expect("it prints its address");
        Self {
            base_url: line.trim().to_owned(),
            child,
        }
    }
}

impl Drop for OutOfProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
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
            let service = hyper::service::service_fn(move |request: Request<Incoming>| {
                let content = content.clone();
                async move {
                    let (head, body) = request.into_parts();
                    // Read whatever was sent (an update's body), so the connection is reused.
                    let _ = body.collect().await;
                    Ok::<_, Infallible>(answer(&head, &content))
                }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn answer(request: &hyper::http::request::Parts, content: &Content) -> Response<Full<Bytes>> {
    let path = request.uri.path();
    let body = if request.method == hyper::Method::DELETE {
        Bytes::from_static(b"{}")
    } else if path == "/v1/connectors" {
        let query = request.uri.query().unwrap_or_default();
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
