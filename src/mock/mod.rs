//! Mocks of the Connectors API in the facade's own types (feature `httpmock`): one method per
//! operation on [`httpmock::MockServer`], whose `when` matches what the facade sends and
//! whose `then` answers with [`ConnectorPage`], [`Connector`] or an API error.
//!
//! ```
//! use cohere_connectors::mock::MockServerExt;
//! use cohere_connectors::{Client, Connector, ConnectorPage};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let server = httpmock::MockServer::start_async().await;
//! let page = ConnectorPage::new(vec![Connector::new("wiki", "Wiki").with_active(true)]);
//! let listed = server.list_connectors(|when, then| {
//!     when.limit(10);
//!     then.ok(&page).header("x-request-id", "req-1");
//! });
//! let missing = server.get_connector(|when, then| {
//!     when.id("gone");
//!     then.not_found("no such connector");
//! });
//!
//! let client = Client::builder().api_key("test").base_url(server.base_url()).build()?;
//! let answer = client.connectors().list().limit(10).send_with_meta().await?;
//! assert_eq!(answer.connectors[0].id, "wiki");
//! assert_eq!(answer.meta().request_id(), Some("req-1"));
//! assert!(client.connectors().get("gone").await.unwrap_err().is_not_found());
//! listed.assert();
//! missing.assert();
//! # Ok(()) }
//! ```
//!
//! Each `when` and `then` has `into_inner()` for anything else httpmock can match or answer.
//! The bindings progenitor generates for mocks in the raw types are in [`generated`].

pub mod generated;

use std::time::Duration;

use httpmock::{Mock, MockServer, Then, When};
use serde_json::json;

use crate::{Connector, ConnectorPage, ConnectorUpdate, NewConnector, Operation};

/// One method per operation of the API on an httpmock [`MockServer`].
pub trait MockServerExt {
    /// Mocks `GET /v1/connectors`.
    fn list_connectors(&self, config: impl FnOnce(ListWhen, PageThen)) -> Mock<'_>;
    /// Mocks `POST /v1/connectors`.
    fn create_connector(&self, config: impl FnOnce(CreateWhen, ConnectorThen)) -> Mock<'_>;
    /// Mocks `GET /v1/connectors/{id}`.
    fn get_connector(&self, config: impl FnOnce(IdWhen, ConnectorThen)) -> Mock<'_>;
    /// Mocks `PATCH /v1/connectors/{id}`.
    fn update_connector(&self, config: impl FnOnce(UpdateWhen, ConnectorThen)) -> Mock<'_>;
    /// Mocks `DELETE /v1/connectors/{id}`.
    fn delete_connector(&self, config: impl FnOnce(IdWhen, DeletedThen)) -> Mock<'_>;
    /// Mocks `POST /v1/connectors/{id}/oauth/authorize`.
    fn authorize_oauth(&self, config: impl FnOnce(AuthorizeWhen, RedirectThen)) -> Mock<'_>;
}

/// `when` for an operation: its method, and its path (any id until `id` narrows it).
fn matching(when: When, operation: Operation) -> When {
    let when = when.method(operation.method());
    match operation.path_template().split_once("{id}") {
        None => when.path(operation.path_template()),
        Some((before, after)) => {
            when.path_matches(format!("^{before}[^/]+{}$", regex::escape(after)).as_str())
        }
    }
}

/// The exact path the facade sends for `id` (percent-encoded as one segment).
fn path_of(operation: Operation, id: &str) -> String {
    operation
        .path_template()
        .replace("{id}", &progenitor_client::encode_path(id))
}

/// Matches the request's path exactly as sent, percent-encoding included.
fn exact_path(when: When, path: String) -> When {
    when.is_true(move |request| request.uri().path() == path)
}

impl MockServerExt for MockServer {
    fn list_connectors(&self, config: impl FnOnce(ListWhen, PageThen)) -> Mock<'_> {
        self.mock(|when, then| {
            config(
                ListWhen(matching(when, Operation::ListConnectors)),
                PageThen(then),
            );
        })
    }

    fn create_connector(&self, config: impl FnOnce(CreateWhen, ConnectorThen)) -> Mock<'_> {
        self.mock(|when, then| {
            config(
                CreateWhen(matching(when, Operation::CreateConnector)),
                ConnectorThen(then),
            );
        })
    }

    fn get_connector(&self, config: impl FnOnce(IdWhen, ConnectorThen)) -> Mock<'_> {
        self.mock(|when, then| {
            config(
                IdWhen(
                    matching(when, Operation::GetConnector),
                    Operation::GetConnector,
                ),
                ConnectorThen(then),
            );
        })
    }

    fn update_connector(&self, config: impl FnOnce(UpdateWhen, ConnectorThen)) -> Mock<'_> {
        self.mock(|when, then| {
            config(
                UpdateWhen(matching(when, Operation::UpdateConnector)),
                ConnectorThen(then),
            );
        })
    }

    fn delete_connector(&self, config: impl FnOnce(IdWhen, DeletedThen)) -> Mock<'_> {
        self.mock(|when, then| {
            config(
                IdWhen(
                    matching(when, Operation::DeleteConnector),
                    Operation::DeleteConnector,
                ),
                DeletedThen(then),
            );
        })
    }

    fn authorize_oauth(&self, config: impl FnOnce(AuthorizeWhen, RedirectThen)) -> Mock<'_> {
        self.mock(|when, then| {
            config(
                AuthorizeWhen(matching(when, Operation::AuthorizeOAuth)),
                RedirectThen(then),
            );
        })
    }
}

/// What every `when` has: a header to match, and the plain httpmock builder.
macro_rules! common_when {
    ($($when:ident),*) => {$(
        impl $when {
            /// Also matches a request header (`X-Client-Name`, or one a call sets).
            pub fn header(self, name: impl Into<String>, value: impl Into<String>) -> Self {
                Self(self.0.header(name, value))
            }

            /// The plain httpmock builder, for anything else.
            pub fn into_inner(self) -> When {
                self.0
            }
        }
    )*};
}

/// Matches a list's query.
pub struct ListWhen(When);

impl ListWhen {
    /// Matches `?limit=<limit>` (the facade sends a whole number).
    pub fn limit(self, limit: u32) -> Self {
        Self(self.0.query_param("limit", limit.to_string()))
    }

    /// Matches `?offset=<offset>`.
    pub fn offset(self, offset: u64) -> Self {
        Self(self.0.query_param("offset", offset.to_string()))
    }
}

/// Matches a create's body.
pub struct CreateWhen(When);

impl CreateWhen {
    /// Matches a body that is exactly `connector` as the facade sends it.
    pub fn body(self, connector: &NewConnector) -> Self {
        Self(
            self.0
                .json_body(serde_json::to_value(connector).unwrap_or_default()),
        )
    }
}

/// Matches the connector an operation is for.
pub struct IdWhen(When, Operation);

impl IdWhen {
    /// Matches the connector `id` (its percent-encoded path, exactly).
    pub fn id(self, id: &str) -> Self {
        let path = path_of(self.1, id);
        Self(exact_path(self.0, path), self.1)
    }
}

/// Matches an update's connector and body.
pub struct UpdateWhen(When);

impl UpdateWhen {
    /// Matches the connector `id`.
    pub fn id(self, id: &str) -> Self {
        Self(exact_path(self.0, path_of(Operation::UpdateConnector, id)))
    }

    /// Matches a body that is exactly `update` as the facade sends it (only the fields set).
    pub fn body(self, update: &ConnectorUpdate) -> Self {
        Self(
            self.0
                .json_body(serde_json::to_value(update).unwrap_or_default()),
        )
    }
}

/// Matches an authorization's connector and redirect.
pub struct AuthorizeWhen(When);

impl AuthorizeWhen {
    /// Matches the connector `id`.
    pub fn id(self, id: &str) -> Self {
        Self(exact_path(self.0, path_of(Operation::AuthorizeOAuth, id)))
    }

    /// Matches `?after_token_redirect=<url>`.
    pub fn after_token_redirect(self, url: impl Into<String>) -> Self {
        Self(self.0.query_param("after_token_redirect", url))
    }
}

common_when!(ListWhen, CreateWhen, UpdateWhen, AuthorizeWhen);

impl IdWhen {
    /// Also matches a request header.
    pub fn header(self, name: impl Into<String>, value: impl Into<String>) -> Self {
        Self(self.0.header(name, value), self.1)
    }

    /// The plain httpmock builder, for anything else.
    pub fn into_inner(self) -> When {
        self.0
    }
}

/// What every `then` has: the API's errors, headers, a delay, and the plain builder.
macro_rules! common_then {
    ($($then:ident),*) => {$(
        impl $then {
            /// Answers `status` with the API's error body, `{"message": ..., "id": ...}`.
            pub fn error(self, status: u16, message: impl Into<String>) -> Self {
                Self(
                    self.0
                        .status(status)
                        .header("content-type", "application/json")
                        .json_body(json!({"message": message.into(), "id": "mock-error"})),
                )
            }

            /// Answers 404 with the API's error body.
            pub fn not_found(self, message: impl Into<String>) -> Self {
                self.error(404, message)
            }

            /// Answers 401 with the API's error body.
            pub fn unauthorized(self) -> Self {
                self.error(401, "invalid api token")
            }

            /// Answers 429 with `Retry-After` (whole seconds, rounded up).
            pub fn rate_limited(self, retry_after: Duration) -> Self {
                let seconds = retry_after
                    .as_secs()
                    .saturating_add(u64::from(retry_after.subsec_nanos() > 0));
                self.error(429, "too many requests")
                    .header("retry-after", seconds.to_string())
            }

            /// Adds a response header (a request id, rate-limit headers...).
            pub fn header(self, name: impl Into<String>, value: impl Into<String>) -> Self {
                Self(self.0.header(name, value))
            }

            /// Waits this long before answering.
            pub fn delay(self, delay: Duration) -> Self {
                Self(self.0.delay(delay))
            }

            /// The plain httpmock builder, for anything else.
            pub fn into_inner(self) -> Then {
                self.0
            }
        }
    )*};
}

/// Answers a list.
pub struct PageThen(Then);

impl PageThen {
    /// Answers 200 with `page`.
    pub fn ok(self, page: &ConnectorPage) -> Self {
        Self(json_answer(
            self.0,
            serde_json::to_value(page).unwrap_or_default(),
        ))
    }
}

/// Answers a create, a get or an update.
pub struct ConnectorThen(Then);

impl ConnectorThen {
    /// Answers 200 with `connector`, as the API wraps it (`{"connector": ...}`).
    pub fn ok(self, connector: &Connector) -> Self {
        Self(json_answer(self.0, json!({ "connector": connector })))
    }
}

/// Answers a delete.
pub struct DeletedThen(Then);

impl DeletedThen {
    /// Answers 200 with `{}`, as the API does.
    pub fn ok(self) -> Self {
        Self(json_answer(self.0, json!({})))
    }
}

/// Answers an OAuth authorization.
pub struct RedirectThen(Then);

impl RedirectThen {
    /// Answers 200 with the URL to send the user to.
    pub fn ok(self, redirect_url: impl Into<String>) -> Self {
        Self(json_answer(
            self.0,
            json!({ "redirect_url": redirect_url.into() }),
        ))
    }
}

common_then!(PageThen, ConnectorThen, DeletedThen, RedirectThen);

fn json_answer(then: Then, body: serde_json::Value) -> Then {
    then.status(200)
        .header("content-type", "application/json")
        .json_body(body)
}
