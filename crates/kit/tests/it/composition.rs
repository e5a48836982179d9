//! The router merged or nested into an application that has its own fallback and layers:
//! no panic, the application's routes and fallback stay its own, its layers wrap the kit's
//! route too, and the kit's own rules (tokens, body limit, JSON answers) still hold.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::HeaderValue;
use axum::response::Response;
use axum::routing::get;
use cohere_connectors::ServiceAuth;
use cohere_connectors_kit::Document;
use cohere_connectors_kit::server::{Access, ConnectorService};
use tokio::net::TcpListener;

use crate::wire::{exchange, post};

const TOKEN: &str = "svc-token-0123456789";

fn connector() -> ConnectorService {
    ConnectorService::new(
        Access::service(ServiceAuth::bearer(TOKEN)).unwrap(),
        |request, _| async move { Ok(vec![Document::new().with_text(request.query)]) },
    )
    .max_body_bytes(128)
}

/// An application with its own route, fallback and layers.
fn app(connector_routes: Router) -> Router {
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .merge(connector_routes)
        .fallback(|| async { (axum::http::StatusCode::NOT_FOUND, "the app's own 404") })
        // A larger limit than the kit's, for the app's own routes.
        .layer(DefaultBodyLimit::max(1024 * 1024))
        .layer(axum::middleware::map_response(
            |mut response: Response| async {
                response
                    .headers_mut()
                    .insert("x-app", HeaderValue::from_static("1"));
                response
            },
        ))
}

async fn serve(app: Router) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

async fn check(addr: SocketAddr, search: &str, elsewhere: &str) {
    let auth = format!("Authorization: Bearer {TOKEN}");
    let found = exchange(addr, &post(search, &[&auth], r#"{"query":"tea"}"#)).await;
    assert_eq!(found.status, 200, "{found:?}");
    assert_eq!(found.json()["results"][0]["text"], "tea");
    assert_eq!(
        found.header("x-app"),
        Some("1"),
        "the app's layer wraps the kit"
    );
    assert!(
        found.header("x-request-id").is_some(),
        "the kit's layers too"
    );

    let refused = exchange(addr, &post(search, &[], r#"{"query":"tea"}"#)).await;
    assert_eq!(refused.status, 401);
    assert!(refused.header("www-authenticate").is_some());
    assert_eq!(refused.header("x-app"), Some("1"));

    // The kit's limit holds inside an app with a larger one.
    let big = format!(r#"{{"query":"{}"}}"#, "x".repeat(200));
    let too_large = exchange(addr, &post(search, &[&auth], &big)).await;
    assert_eq!(too_large.status, 413);
    assert_eq!(
        too_large.message(),
        "the request body is larger than 128 bytes"
    );

    let get_search = format!("GET {search} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    let wrong_method = exchange(addr, get_search.as_bytes()).await;
    assert_eq!(wrong_method.status, 405);
    assert_eq!(wrong_method.header("allow"), Some("POST"));

    let fallback = exchange(addr, &post(elsewhere, &[], "{}")).await;
    assert_eq!(fallback.status, 404);
    assert_eq!(fallback.body, b"the app's own 404");

    let health = exchange(
        addr,
        b"GET /health HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!((health.status, health.body.as_slice()), (200, &b"ok"[..]));
}

#[tokio::test]
async fn merged_into_an_app_with_its_own_fallback_and_layers() {
    let addr = serve(app(connector().router())).await;
    check(addr, "/search", "/elsewhere").await;
}

#[tokio::test]
async fn nested_into_an_app_with_its_own_fallback_and_layers() {
    let nested = Router::new().nest("/connectors/handbook", connector().router());
    let addr = serve(app(nested)).await;
    check(
        addr,
        "/connectors/handbook/search",
        "/connectors/handbook/other",
    )
    .await;
    // Two connectors side by side, each with its own path.
    let two = Router::new()
        .merge(connector().path("/a/search").router())
        .merge(connector().path("/b/search").router());
    let addr = serve(app(two)).await;
    check(addr, "/a/search", "/c/search").await;
    check(addr, "/b/search", "/c/search").await;
}

#[tokio::test]
async fn a_fallback_added_after_merging_is_the_apps() {
    // The order of the docs' own example: merge first, then the app's fallback.
    let app = Router::new()
        .merge(connector().router())
        .fallback(|| async { "mine" });
    let addr = serve(app).await;
    let answer = exchange(addr, &post("/other", &[], "{}")).await;
    assert_eq!(answer.body, b"mine");
}
