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
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("the connector's search failed"), "{logs}");
    assert!(
        logs.contains("backend rejected Bearer [redacted]"),
        "{logs}"
    );
    assert!(logs.contains("connector search answered"), "{logs}");
    assert!(!logs.contains(TOKEN), "{logs}");
}
