//! The generated layer on the wire: what `cohere_connectors::raw` sends and decodes.

use cohere_connectors::raw;
use httpmock::Method::GET;
use httpmock::MockServer;
use serde_json::json;

#[tokio::test]
async fn list_sends_integer_pagination_and_no_progenitor_header() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/connectors")
                .is_true(|request| request.uri().query() == Some("limit=10&offset=20"))
                .header_missing("api-version");
            then.status(200).json_body(json!({
                "connectors": [{
                    "id": "c-1",
                    "name": "C",
                    "created_at": "2024-01-02T03:04:05Z",
                    "updated_at": "2024-01-02T03:04:05Z",
                    "auth_status": "",
                }],
                "total_count": 1.0,
            }));
        })
        .await;

    let client = raw::Client::new(&server.base_url(), raw::Transport::default());
    let page = client
        .list_connectors()
        .limit(10)
        .offset(20)
        .send()
        .await
        .expect("the mock answers 200")
        .into_inner();

    mock.assert_async().await;
    assert_eq!(page.total_count, Some(1.0));
    assert_eq!(page.connectors[0].id, "c-1");
    assert_eq!(page.connectors[0].auth_status.as_deref(), Some(""));
}

#[tokio::test]
async fn every_documented_error_status_decodes_its_body() {
    let server = MockServer::start_async().await;
    let statuses = [400, 401, 403, 404, 422, 429, 498, 499, 500, 501, 503, 504];
    let client = raw::Client::new(&server.base_url(), raw::Transport::default());
    for status in statuses {
        let mock = server
            .mock_async(|when, then| {
                when.method(GET).path("/v1/connectors/missing");
                then.status(status)
                    .json_body(json!({"message": format!("status {status}"), "id": "req-1"}));
            })
            .await;
        let error = client
            .get_connector()
            .id("missing")
            .send()
            .await
            .expect_err("an error status");
        let raw::Error::ErrorResponse(body) = error else {
            panic!("{status} should be a documented error response, got {error:?}");
        };
        assert_eq!(body.status().as_u16(), status);
        assert_eq!(
            body.message.as_deref(),
            Some(format!("status {status}").as_str())
        );
        assert_eq!(body.id.as_deref(), Some("req-1"));
        mock.delete_async().await;
    }
}
