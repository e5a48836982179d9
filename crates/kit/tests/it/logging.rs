//! The kit logs each answer and each failure's detail, and never a token.

use std::io::Write;
use std::sync::{Arc, Mutex};

use cohere_connectors::ServiceAuth;

const TOKEN: &str = "service-TRACE-never-log-me";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What was logged, once it contains `needle` (or after two seconds, whatever it holds).
async fn logs_once_they_contain(captured: &Captured, needle: &str) -> String {
    for _ in 0..200 {
        let logs = String::from_utf8_lossy(&captured.0.lock().unwrap()).into_owned();
        if logs.contains(needle) {
            return logs;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    String::from_utf8_lossy(&captured.0.lock().unwrap()).into_owned()
}

/// The connector kit logs each answer and each failure's detail, scrubbed of every token it
/// holds or was sent.
#[tokio::test]
async fn the_connector_kit_logs_failures_without_tokens() {
    use cohere_connectors_kit::ConnectorSearch;
    use cohere_connectors_kit::server::{Access, ConnectorService, SearchFailure};

    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer({
            let captured = captured.clone();
            move || captured.clone()
        })
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let running = ConnectorService::new(
        Access::service(ServiceAuth::bearer(TOKEN)).unwrap(),
        |_, _| async {
            // A data source error that quotes the service token.
            Err::<Vec<cohere_connectors_kit::Document>, _>(SearchFailure::internal(format!(
                "backend rejected Bearer {TOKEN}"
            )))
        },
    )
    .bind("127.0.0.1:0")
    .await
    .unwrap();
    let error = ConnectorSearch::new(&running.url())
        .unwrap()
        .service_auth(ServiceAuth::bearer(TOKEN))
        .search("q")
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(500));
    // The answer's event is written by the server's task, which may run a moment after the
    // client has the answer in hand: wait for it rather than race it.
    let logs = logs_once_they_contain(&captured, "connector search answered").await;
    assert!(logs.contains("the connector's search failed"), "{logs}");
    assert!(
        logs.contains("backend rejected Bearer [redacted]"),
        "{logs}"
    );
    assert!(logs.contains("connector search answered"), "{logs}");
    assert!(!logs.contains(TOKEN), "{logs}");
}

/// Each request is a span with its method, path and request id, never its query string or
/// a header; a panic is logged without the token the request carried.
#[tokio::test]
async fn each_request_is_a_span_with_an_id_and_never_a_query_string_or_a_token() {
    use cohere_connectors_kit::server::{Access, ConnectorService};

    use crate::wire::{addr_of, exchange, post};

    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer({
            let captured = captured.clone();
            move || captured.clone()
        })
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let running = ConnectorService::new(
        Access::service(ServiceAuth::bearer(TOKEN)).unwrap(),
        |request, _| async move {
            tracing::info!("the handler's own event");
            if request.query == "panic" {
                panic!("handler bug near Bearer {TOKEN}");
            }
            Ok(vec![])
        },
    )
    .bind("127.0.0.1:0")
    .await
    .unwrap();
    let addr = addr_of(&running.url());
    let auth = format!("Authorization: Bearer {TOKEN}");
    let answer = exchange(
        addr,
        &post(
            "/search?api_key=QUERY-SECRET",
            &[&auth, "X-Request-Id: req-abc-123"],
            r#"{"query":"x"}"#,
        ),
    )
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("x-request-id"), Some("req-abc-123"));
    let answer = exchange(addr, &post("/search", &[&auth], r#"{"query":"panic"}"#)).await;
    assert_eq!(answer.status, 500);
    let generated = answer.header("x-request-id").unwrap().to_owned();
    assert_eq!(generated.len(), 36, "a UUID: {generated}");

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("request_id=req-abc-123")
            && logs.contains(&format!("request_id={generated}")),
        "{logs}"
    );
    assert!(logs.contains("path=/search"), "{logs}");
    assert!(logs.contains("the handler's own event"), "{logs}");
    assert!(
        logs.contains("the connector's search handler panicked"),
        "{logs}"
    );
    for secret in [TOKEN, "QUERY-SECRET"] {
        assert!(!logs.contains(secret), "{logs}");
    }
}
