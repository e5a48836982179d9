//! The MCP route: rmcp's Streamable HTTP service behind the kit's access check, its
//! refusals in the kit's JSON, inside the kit's layers.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header, request::Parts};
use axum::middleware::{self, Next};
use axum::response::Response;
use rmcp::RoleServer;
use rmcp::service::RequestContext;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};

use super::{MCP_DEADLINE_GRACE, McpEndpoint};
use crate::server::access::{Access, Caller};
use crate::server::answer::{body_refused, message, unauthorized};
use crate::server::extract::declared_length;
use crate::server::layers;
use crate::server::service::literal_route;
use cohere_connectors::text::{SNIPPET_CHARS, one_line};

/// The most of a refusal's text the transport wrote that is read, to say it again as JSON.
const MAX_REFUSAL_BYTES: usize = 4096;

/// The `Host` names accepted when the access is open (rmcp's own default).
const LOOPBACK_HOSTS: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// The caller of an MCP request, as the kit's access check let them in: for a handler
/// served with [`McpEndpoint::router`] (or the kit's own `search` tool). `None` outside an
/// HTTP request (a handler served over stdio).
pub fn caller(context: &RequestContext<RoleServer>) -> Option<&Caller> {
    request_parts(context)?.extensions.get::<Caller>()
}

/// The HTTP request an MCP request came in, without its body (its headers, its URI): rmcp
/// hands it to the handler. `None` outside an HTTP request.
pub fn request_parts(context: &RequestContext<RoleServer>) -> Option<&Parts> {
    context.extensions.get::<Parts>()
}

/// What the access check shares with each request.
struct Gate {
    access: Access,
    max_body_bytes: usize,
}

pub(super) fn router<H>(
    endpoint: &McpEndpoint,
    access: Access,
    handler: H,
    deadline: Duration,
    max_body_bytes: usize,
) -> Router
where
    H: rmcp::ServerHandler + Clone + Send + Sync + 'static,
{
    let config = transport_config(endpoint, &access, max_body_bytes);
    let service = StreamableHttpService::new(
        move || Ok(handler.clone()),
        Arc::new(NeverSessionManager::default()),
        config,
    );
    let gate = Arc::new(Gate {
        access,
        max_body_bytes,
    });
    let routes = Router::new()
        .route_service(&literal_route(endpoint.mcp_path()), service)
        .route_layer(middleware::map_response_with_state(
            max_body_bytes,
            refusals_as_json,
        ))
        .route_layer(middleware::from_fn_with_state(gate, authorize));
    layers::around(
        routes,
        deadline.saturating_add(MCP_DEADLINE_GRACE),
        max_body_bytes,
    )
}

/// rmcp's transport without sessions (every request stands alone: nothing for a client to
/// pile up), answering JSON rather than event streams, under the kit's body limit.
fn transport_config(
    endpoint: &McpEndpoint,
    access: &Access,
    max_body_bytes: usize,
) -> StreamableHttpServerConfig {
    let config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(true)
        .with_sse_keep_alive(None)
        .with_sse_retry(None)
        .with_max_request_body_bytes(max_body_bytes);
    match (endpoint.hosts(), access.is_open()) {
        (Some(hosts), _) => config.with_allowed_hosts(hosts.iter().cloned()),
        (None, true) => config.with_allowed_hosts(LOOPBACK_HOSTS),
        (None, false) => config.disable_allowed_hosts(),
    }
}

/// The caller checked before a byte of the body is read, then handed on in the request's
/// extensions (rmcp hands them to the handler); a body declared over the limit refused.
async fn authorize(State(gate): State<Arc<Gate>>, mut request: Request, next: Next) -> Response {
    let caller = match gate.access.verify(request.headers()) {
        Ok(caller) => caller,
        Err(refusal) => return unauthorized(refusal, gate.access.challenge()),
    };
    if declared_length(request.headers()).is_some_and(|length| length > gate.max_body_bytes) {
        return body_refused(StatusCode::PAYLOAD_TOO_LARGE, gate.max_body_bytes);
    }
    request.extensions_mut().insert(caller);
    next.run(request).await
}

/// The transport's own refusals (plain text) said again in the kit's JSON, so that every
/// path answers alike. Its JSON-RPC errors, already JSON, stay as they are.
async fn refusals_as_json(State(max_body_bytes): State<usize>, response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || is_json(&response) {
        return response;
    }
    let allow = response.headers().get(header::ALLOW).cloned();
    let text = match status {
        StatusCode::PAYLOAD_TOO_LARGE => {
            return body_refused(status, max_body_bytes);
        }
        StatusCode::METHOD_NOT_ALLOWED => "the MCP endpoint takes POST".to_owned(),
        StatusCode::NOT_ACCEPTABLE => {
            "send Accept: application/json, text/event-stream (MCP's Streamable HTTP)".to_owned()
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            "send one JSON-RPC message as Content-Type: application/json".to_owned()
        }
        StatusCode::FORBIDDEN => "this Host or Origin is not allowed".to_owned(),
        _ => said(response.into_body()).await,
    };
    let mut answer = message(status, &text);
    if let Some(allow) = allow {
        answer.headers_mut().insert(header::ALLOW, allow);
    }
    answer
}

fn is_json(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value: &HeaderValue| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"))
}

/// The start of what the transport said, on one line, escaped.
async fn said(body: Body) -> String {
    let bytes = axum::body::to_bytes(body, MAX_REFUSAL_BYTES)
        .await
        .unwrap_or_default();
    one_line(&String::from_utf8_lossy(&bytes), SNIPPET_CHARS)
}
