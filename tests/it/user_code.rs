//! How a user tests their own code that calls the API: once with typed mocks (exact requests,
//! canned answers in the facade's types), once against the emulator with injected faults.
//! Written only from the README and the crate's docs.
#![cfg(feature = "httpmock")]

use cohere_connectors::chrono::{DateTime, Duration as Days, Utc};
use cohere_connectors::mock::MockServerExt;
use cohere_connectors::{Client, Connector, ConnectorPage, ConnectorUpdate, Result};
use cohere_connectors_emulator::Emulator;
use futures_util::TryStreamExt;

/// The user's code: deactivates every active connector not updated since `cutoff`, and says
/// which.
async fn deactivate_stale(client: &Client, cutoff: DateTime<Utc>) -> Result<Vec<String>> {
    let stale: Vec<Connector> = client
        .connectors()
        .list()
        .stream()
        .try_filter(|connector| {
            std::future::ready(connector.updated_at < cutoff && connector.active != Some(false))
        })
        .try_collect()
        .await?;
    let mut ids = Vec::new();
    for connector in stale {
        client
            .connectors()
            .update(&connector.id)
            .active(false)
            .await?;
        ids.push(connector.id.into_string());
    }
    Ok(ids)
}

#[tokio::test]
async fn with_typed_mocks() {
    let server = httpmock::MockServer::start_async().await;
    let now = Utc::now();
    let page = ConnectorPage::new(vec![
        Connector::new("fresh", "Fresh").with_updated_at(now),
        Connector::new("stale", "Stale").with_updated_at(now - Days::days(90)),
        Connector::new("off", "Off")
            .with_updated_at(now - Days::days(90))
            .with_active(false),
    ]);
    let listed = server.list_connectors(|when, then| {
        when.limit(100).offset(0);
        then.ok(&page);
    });
    let deactivated = server.update_connector(|when, then| {
        when.id("stale")
            .body(&ConnectorUpdate::new().with_active(false));
        then.ok(&Connector::new("stale", "Stale").with_active(false));
    });
    let client = Client::builder()
        .api_key("test")
        .base_url(server.base_url())
        .build()
        .unwrap();

    let ids = deactivate_stale(&client, now - Days::days(30))
        .await
        .unwrap();

    assert_eq!(ids, ["stale"]);
    listed.assert();
    deactivated.assert();
}

#[tokio::test]
async fn against_the_emulator_with_faults() {
    let emulator = Emulator::builder().seed(150).start().await.unwrap();
    let client = emulator.client_builder().max_retries(3).build().unwrap();
    // Everything the emulator seeded is "stale" against a cutoff in the future.
    let cutoff = Utc::now() + Days::days(1);
    // The first page meets a 503, then a dropped connection, then a rate limit, in the order
    // they were queued; three retries ride them out.
    emulator
        .faults()
        .fail_next(1, 503)
        .drop_next(1)
        .fail_next(1, 429);

    let ids = deactivate_stale(&client, cutoff).await.unwrap();

    assert_eq!(ids.len(), 150);
    assert_eq!(emulator.faults().pending(), 0);
    let still_active = client
        .connectors()
        .list()
        .stream()
        .try_filter(|connector| std::future::ready(connector.active != Some(false)))
        .try_collect::<Vec<_>>()
        .await
        .unwrap();
    assert!(still_active.is_empty());
}
