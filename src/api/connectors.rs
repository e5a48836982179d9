//! The six operations, as request builders: set what you need, then `.send().await` (or just
//! `.await`), or `.send_with_meta().await` for the response's status, headers, request id and
//! rate limit too. Arguments are checked before anything is sent. Every builder also takes
//! settings for its one call: [`timeout`](ListConnectors::timeout),
//! [`deadline`](ListConnectors::deadline), [`max_retries`](ListConnectors::max_retries),
//! [`header`](ListConnectors::header) (see [`RequestOptions`]).
//!
//! The examples here run against the crate's emulator (feature `emulator`); with a real key,
//! `Client::from_env()` gives the same client for Cohere's API.

use std::borrow::Cow;
use std::future::{Future, IntoFuture};
use std::pin::Pin;

use super::options::{RequestOptions, call_settings};
use super::response::Response;
use super::seam;
use super::types::require_http_url;
use crate::client::CallConfig;
use crate::core::text::Redactor;
use crate::http::exchange::Wire;
use crate::{
    Client, Connector, ConnectorId, ConnectorPage, ConnectorUpdate, Error, NewConnector,
    OAuthConfig, Operation, Result, ServiceAuth,
};

/// The largest page the API serves.
pub const MAX_PAGE_SIZE: u32 = 100;

impl Client {
    /// The Connectors API.
    pub fn connectors(&self) -> Connectors {
        Connectors {
            client: self.clone(),
        }
    }

    /// The call's settings over the client's, and where its attempts go.
    pub(crate) fn prepare<'a>(
        &'a self,
        operation: Operation,
        options: &RequestOptions,
        redactor: &'a Redactor,
    ) -> Result<(CallConfig, Wire<'a>)> {
        let shared = &*self.shared;
        let (config, overrides) = options.apply(operation, &shared.config)?;
        let wire = Wire {
            http: shared.http(),
            base_url: shared.base_url(),
            retirement: shared.retirement,
            transport: shared.transport().for_call(overrides),
            redactor,
        };
        Ok((config, wire))
    }
}

/// The Connectors API of a [`Client`]; see [`Client::connectors`].
#[derive(Clone, Debug)]
pub struct Connectors {
    client: Client,
}

impl Connectors {
    /// Lists connectors, newest first: one page (see [`ListConnectors::stream`] for all).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> cohere_connectors::Result<()> {
    /// # let emulator = cohere_connectors_emulator::Emulator::builder().seed(25).start().await.unwrap();
    /// # let client = emulator.client()?;
    /// let page = client.connectors().list().limit(10).offset(20).send().await?;
    /// assert_eq!(page.connectors.len(), 5);
    /// assert_eq!(page.total_count, Some(25));
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> ListConnectors {
        ListConnectors {
            client: self.client.clone(),
            limit: None,
            offset: None,
            options: RequestOptions::new(),
        }
    }

    /// Creates a connector with its two required fields; set the others on the builder.
    ///
    /// ```
    /// use cohere_connectors::ServiceAuth;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> cohere_connectors::Result<()> {
    /// # let emulator = cohere_connectors_emulator::Emulator::start().await.unwrap();
    /// # let client = emulator.client()?;
    /// let connector = client
    ///     .connectors()
    ///     .create("Wiki", "https://wiki.example.com/search")
    ///     .description("The company wiki")
    ///     .service_auth(ServiceAuth::bearer("token"))
    ///     .send()
    ///     .await?;
    /// assert_eq!(connector.id, "wiki");
    /// # Ok(()) }
    /// ```
    pub fn create(&self, name: impl Into<String>, url: impl Into<String>) -> CreateConnector {
        self.create_from(NewConnector::new(name, url))
    }

    /// Creates a connector from a complete definition, such as one read from a file.
    ///
    /// ```
    /// use cohere_connectors::NewConnector;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = cohere_connectors_emulator::Emulator::start().await?;
    /// # let client = emulator.client()?;
    /// let definition: NewConnector = serde_json::from_str(
    ///     r#"{"name": "Docs", "url": "https://docs.example.com/search", "excludes": ["author"]}"#,
    /// )?;
    /// let created = client.connectors().create_from(definition).await?;
    /// assert_eq!(created.excludes, ["author"]);
    /// # Ok(()) }
    /// ```
    pub fn create_from(&self, connector: NewConnector) -> CreateConnector {
        CreateConnector {
            client: self.client.clone(),
            connector,
            options: RequestOptions::new(),
        }
    }

    /// Gets a connector by id.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> cohere_connectors::Result<()> {
    /// # let emulator = cohere_connectors_emulator::Emulator::builder().seed(1).start().await.unwrap();
    /// # let client = emulator.client()?;
    /// let connector = client.connectors().get("sample-connector-1").send().await?;
    /// assert_eq!(connector.name, "Sample connector 1");
    /// # Ok(()) }
    /// ```
    pub fn get(&self, id: impl Into<String>) -> GetConnector {
        GetConnector {
            client: self.client.clone(),
            id: id.into(),
            options: RequestOptions::new(),
        }
    }

    /// Changes some fields of a connector; only the fields set are sent.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> cohere_connectors::Result<()> {
    /// # let emulator = cohere_connectors_emulator::Emulator::builder().seed(1).start().await.unwrap();
    /// # let client = emulator.client()?;
    /// let connector = client
    ///     .connectors()
    ///     .update("sample-connector-1")
    ///     .active(false)
    ///     .send()
    ///     .await?;
    /// assert_eq!(connector.active, Some(false));
    /// # Ok(()) }
    /// ```
    pub fn update(&self, id: impl Into<String>) -> UpdateConnector {
        self.update_from(id, ConnectorUpdate::default())
    }

    /// Applies a complete [`ConnectorUpdate`] to a connector.
    pub fn update_from(&self, id: impl Into<String>, update: ConnectorUpdate) -> UpdateConnector {
        UpdateConnector {
            client: self.client.clone(),
            id: id.into(),
            update,
            options: RequestOptions::new(),
        }
    }

    /// Deletes a connector.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> cohere_connectors::Result<()> {
    /// # let emulator = cohere_connectors_emulator::Emulator::builder().seed(1).start().await.unwrap();
    /// # let client = emulator.client()?;
    /// client.connectors().delete("sample-connector-1").send().await?;
    /// let error = client.connectors().get("sample-connector-1").await.unwrap_err();
    /// assert!(error.is_not_found());
    /// # Ok(()) }
    /// ```
    pub fn delete(&self, id: impl Into<String>) -> DeleteConnector {
        DeleteConnector {
            client: self.client.clone(),
            id: id.into(),
            options: RequestOptions::new(),
        }
    }

    /// Starts the OAuth authorization of a connector for the calling user: the result is the
    /// URL to send them to.
    ///
    /// ```
    /// use cohere_connectors::OAuthConfig;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> cohere_connectors::Result<()> {
    /// # let emulator = cohere_connectors_emulator::Emulator::start().await.unwrap();
    /// # let client = emulator.client()?;
    /// # let oauth = OAuthConfig::new("id", "secret", "https://login.example.com/authorize", "https://login.example.com/token");
    /// # client.connectors().create("CRM", "https://crm.example.com/search").oauth(oauth).await?;
    /// let redirect = client
    ///     .connectors()
    ///     .authorize_oauth("crm")
    ///     .after_token_redirect("https://app.example.com/done")
    ///     .send()
    ///     .await?;
    /// assert!(redirect.starts_with("https://login.example.com/authorize?"));
    /// # Ok(()) }
    /// ```
    pub fn authorize_oauth(&self, id: impl Into<String>) -> AuthorizeOAuth {
        AuthorizeOAuth {
            client: self.client.clone(),
            id: id.into(),
            after_token_redirect: None,
            options: RequestOptions::new(),
        }
    }
}

/// `GET /v1/connectors`: one page of connectors, or all of them as a stream. See
/// [`Connectors::list`].
///
/// ```
/// use futures_util::TryStreamExt;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> cohere_connectors::Result<()> {
/// # let emulator = cohere_connectors_emulator::Emulator::builder().seed(250).start().await.unwrap();
/// # let client = emulator.client()?;
/// let first = client.connectors().list().limit(100).send().await?;
/// assert_eq!(first.connectors.len(), 100);
/// let all: Vec<_> = client.connectors().list().stream().try_collect().await?;
/// assert_eq!(all.len(), 250);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct ListConnectors {
    pub(crate) client: Client,
    pub(crate) limit: Option<u32>,
    pub(crate) offset: Option<u64>,
    pub(crate) options: RequestOptions,
}

impl ListConnectors {
    /// How many connectors to return, 0 to 100 (the API's default is 30).
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// How many connectors to skip (the API's default is 0).
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = Some(offset);
        self
    }

    /// Sends the request.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] (nothing sent) for a limit above 100 or bad call settings;
    /// [`Error::Api`], [`Error::Transport`] or [`Error::Decode`] for what the API or the network
    /// answers.
    pub async fn send(self) -> Result<ConnectorPage> {
        self.send_with_meta().await.map(Response::into_value)
    }

    /// Sends the request; the page comes with the response's metadata.
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send).
    pub async fn send_with_meta(self) -> Result<Response<ConnectorPage>> {
        let operation = Operation::ListConnectors;
        if let Some(limit) = self.limit {
            check_page_size(operation, limit)?;
        }
        let redactor = self.options.redactor(&self.client.shared.redactor);
        let (config, wire) = self.client.prepare(operation, &self.options, &redactor)?;
        let (limit, offset) = (self.limit, self.offset);
        let (answer, attempts) = self
            .client
            .execute(operation, &config, || seam::list(&wire, limit, offset))
            .await?;
        Ok(answer.with_attempts(attempts))
    }
}

pub(crate) fn check_page_size(operation: Operation, limit: u32) -> Result<()> {
    if limit > MAX_PAGE_SIZE {
        return Err(Error::invalid(
            operation,
            format!("limit must be between 0 and {MAX_PAGE_SIZE}, got {limit}"),
        ));
    }
    Ok(())
}

/// `POST /v1/connectors`. See [`Connectors::create`].
///
/// ```
/// use cohere_connectors::OAuthConfig;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> cohere_connectors::Result<()> {
/// # let emulator = cohere_connectors_emulator::Emulator::start().await.unwrap();
/// # let client = emulator.client()?;
/// let crm = client
///     .connectors()
///     .create("CRM", "https://crm.example.com/search")
///     .excludes(["internal_notes"])
///     .continue_on_failure(true)
///     .oauth(OAuthConfig::new(
///         "client-id",
///         "client-secret",
///         "https://login.example.com/authorize",
///         "https://login.example.com/token",
///     ))
///     .await?;
/// assert_eq!(crm.oauth.unwrap().client_secret, None, "never returned");
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct CreateConnector {
    client: Client,
    connector: NewConnector,
    options: RequestOptions,
}

impl CreateConnector {
    /// What the connector is for.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.connector.description = Some(description.into());
        self
    }

    /// Fields of the returned documents to keep out of the prompt.
    pub fn excludes<I, S>(mut self, fields: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.connector.excludes = fields.into_iter().map(Into::into).collect();
        self
    }

    /// Whether the connector starts active (the API's default: yes).
    pub fn active(mut self, active: bool) -> Self {
        self.connector.active = Some(active);
        self
    }

    /// Whether a chat request goes on when the connector fails (the API's default: no).
    pub fn continue_on_failure(mut self, continue_on_failure: bool) -> Self {
        self.connector.continue_on_failure = Some(continue_on_failure);
        self
    }

    /// OAuth settings. Exclusive with [`service_auth`](Self::service_auth).
    pub fn oauth(mut self, oauth: OAuthConfig) -> Self {
        self.connector.oauth = Some(oauth);
        self
    }

    /// A service-to-service token. Exclusive with [`oauth`](Self::oauth).
    pub fn service_auth(mut self, service_auth: ServiceAuth) -> Self {
        self.connector.service_auth = Some(service_auth);
        self
    }

    /// Sends the request. Only the fields set are sent; the API applies its own defaults to
    /// the others.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] (nothing sent) for a blank name, a URL that is not an
    /// absolute http(s) URL, incomplete OAuth settings, an empty token, or both `oauth` and
    /// `service_auth`;
    /// [`Error::Api`], [`Error::Transport`] or [`Error::Decode`] for what the API or the network
    /// answers.
    pub async fn send(self) -> Result<Connector> {
        self.send_with_meta().await.map(Response::into_value)
    }

    /// Sends the request; the connector comes with the response's metadata.
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send).
    pub async fn send_with_meta(self) -> Result<Response<Connector>> {
        let operation = Operation::CreateConnector;
        self.connector.validate(operation)?;
        let redactor = with_secrets(
            self.options.redactor(&self.client.shared.redactor),
            self.connector.oauth.as_ref(),
            self.connector.service_auth.as_ref(),
        );
        let (config, wire) = self.client.prepare(operation, &self.options, &redactor)?;
        let body = &self.connector;
        let (answer, attempts) = self
            .client
            .execute(operation, &config, || seam::create(&wire, body))
            .await?;
        Ok(answer.with_attempts(attempts))
    }
}

/// `GET /v1/connectors/{id}`. See [`Connectors::get`].
///
/// ```
/// use std::time::Duration;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> cohere_connectors::Result<()> {
/// # let emulator = cohere_connectors_emulator::Emulator::builder().seed(1).start().await.unwrap();
/// # let client = emulator.client()?;
/// let answer = client
///     .connectors()
///     .get("sample-connector-1")
///     .timeout(Duration::from_secs(2))
///     .send_with_meta()
///     .await?;
/// assert_eq!(answer.meta().status(), 200);
/// assert_eq!(answer.id, "sample-connector-1"); // the value, through Deref
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct GetConnector {
    client: Client,
    id: String,
    options: RequestOptions,
}

impl GetConnector {
    /// Sends the request.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] (nothing sent) for an id that cannot be a
    /// [`ConnectorId`];
    /// [`Error::Api`], [`Error::Transport`] or [`Error::Decode`] for what the API or the network
    /// answers.
    pub async fn send(self) -> Result<Connector> {
        self.send_with_meta().await.map(Response::into_value)
    }

    /// Sends the request; the connector comes with the response's metadata.
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send).
    pub async fn send_with_meta(self) -> Result<Response<Connector>> {
        let operation = Operation::GetConnector;
        let id = &connector_id(operation, self.id)?;
        let redactor = self.options.redactor(&self.client.shared.redactor);
        let (config, wire) = self.client.prepare(operation, &self.options, &redactor)?;
        let (answer, attempts) = self
            .client
            .execute(operation, &config, || seam::get(&wire, id))
            .await?;
        Ok(answer.with_attempts(attempts))
    }
}

/// `PATCH /v1/connectors/{id}`. See [`Connectors::update`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> cohere_connectors::Result<()> {
/// # let emulator = cohere_connectors_emulator::Emulator::builder().seed(1).start().await.unwrap();
/// # let client = emulator.client()?;
/// let updated = client
///     .connectors()
///     .update("sample-connector-1")
///     .name("Renamed")
///     .excludes(Vec::<String>::new()) // sent as []: clears the list
///     .await?;
/// assert_eq!(updated.name, "Renamed");
/// assert_eq!(updated.id, "sample-connector-1", "ids do not change");
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct UpdateConnector {
    client: Client,
    id: String,
    update: ConnectorUpdate,
    options: RequestOptions,
}

impl UpdateConnector {
    /// A new name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.update.name = Some(name.into());
        self
    }

    /// A new search URL.
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.update.url = Some(crate::HttpUrl::from(url.into()));
        self
    }

    /// A new list of excluded fields; an empty list clears it.
    pub fn excludes<I, S>(mut self, fields: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.update.excludes = Some(fields.into_iter().map(Into::into).collect());
        self
    }

    /// New OAuth settings. Exclusive with [`service_auth`](Self::service_auth).
    pub fn oauth(mut self, oauth: OAuthConfig) -> Self {
        self.update.oauth = Some(oauth);
        self
    }

    /// A new service-to-service token. Exclusive with [`oauth`](Self::oauth).
    pub fn service_auth(mut self, service_auth: ServiceAuth) -> Self {
        self.update.service_auth = Some(service_auth);
        self
    }

    /// Activate or deactivate the connector.
    pub fn active(mut self, active: bool) -> Self {
        self.update.active = Some(active);
        self
    }

    /// Whether a chat request goes on when the connector fails.
    pub fn continue_on_failure(mut self, continue_on_failure: bool) -> Self {
        self.update.continue_on_failure = Some(continue_on_failure);
        self
    }

    /// Sends the request.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] (nothing sent) for an id that cannot be a
    /// [`ConnectorId`], and for the field checks of [`Connectors::create`];
    /// [`Error::Api`], [`Error::Transport`] or [`Error::Decode`] for what the API or the network
    /// answers.
    pub async fn send(self) -> Result<Connector> {
        self.send_with_meta().await.map(Response::into_value)
    }

    /// Sends the request; the connector comes with the response's metadata.
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send).
    pub async fn send_with_meta(self) -> Result<Response<Connector>> {
        let operation = Operation::UpdateConnector;
        let id = &connector_id(operation, self.id)?;
        self.update.validate(operation)?;
        let redactor = with_secrets(
            self.options.redactor(&self.client.shared.redactor),
            self.update.oauth.as_ref(),
            self.update.service_auth.as_ref(),
        );
        let (config, wire) = self.client.prepare(operation, &self.options, &redactor)?;
        let body = &self.update;
        let (answer, attempts) = self
            .client
            .execute(operation, &config, || seam::update(&wire, id, body))
            .await?;
        Ok(answer.with_attempts(attempts))
    }
}

/// `DELETE /v1/connectors/{id}`. See [`Connectors::delete`].
///
/// A delete succeeds on any 2xx answer with an empty body or a JSON object (the API's 200
/// with `{}`, a proxy's 204).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> cohere_connectors::Result<()> {
/// # let emulator = cohere_connectors_emulator::Emulator::builder().seed(1).start().await.unwrap();
/// # let client = emulator.client()?;
/// let answer = client.connectors().delete("sample-connector-1").send_with_meta().await?;
/// assert_eq!(answer.meta().status(), 200);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct DeleteConnector {
    client: Client,
    id: String,
    options: RequestOptions,
}

impl DeleteConnector {
    /// Sends the request.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] (nothing sent) for an id that cannot be a
    /// [`ConnectorId`];
    /// [`Error::Api`], [`Error::Transport`] or [`Error::Decode`] for what the API or the network
    /// answers.
    pub async fn send(self) -> Result<()> {
        self.send_with_meta().await.map(Response::into_value)
    }

    /// Sends the request; `()` comes with the response's metadata.
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send).
    pub async fn send_with_meta(self) -> Result<Response<()>> {
        let operation = Operation::DeleteConnector;
        let id = &connector_id(operation, self.id)?;
        let redactor = self.options.redactor(&self.client.shared.redactor);
        let (config, wire) = self.client.prepare(operation, &self.options, &redactor)?;
        let (answer, attempts) = self
            .client
            .execute(operation, &config, || seam::delete(&wire, id))
            .await?;
        Ok(answer.with_attempts(attempts))
    }
}

/// `POST /v1/connectors/{id}/oauth/authorize`. See [`Connectors::authorize_oauth`].
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct AuthorizeOAuth {
    client: Client,
    id: String,
    after_token_redirect: Option<String>,
    options: RequestOptions,
}

impl AuthorizeOAuth {
    /// Where the user lands once the connector is authorized.
    pub fn after_token_redirect(mut self, url: impl Into<String>) -> Self {
        self.after_token_redirect = Some(url.into());
        self
    }

    /// Sends the request; the result is the URL to send the user to.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] (nothing sent) for an id that cannot be a
    /// [`ConnectorId`], or a redirect that is not an absolute http(s) URL; [`Error::Decode`]
    /// if the answer has no `redirect_url`;
    /// [`Error::Api`], [`Error::Transport`] or [`Error::Decode`] for what the API or the network
    /// answers.
    pub async fn send(self) -> Result<String> {
        self.send_with_meta().await.map(Response::into_value)
    }

    /// Sends the request; the URL comes with the response's metadata.
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send).
    pub async fn send_with_meta(self) -> Result<Response<String>> {
        let operation = Operation::AuthorizeOAuth;
        let id = &connector_id(operation, self.id)?;
        if let Some(url) = &self.after_token_redirect {
            require_http_url(operation, "after_token_redirect", url)?;
        }
        let after = self.after_token_redirect.as_deref();
        let redactor = self.options.redactor(&self.client.shared.redactor);
        let (config, wire) = self.client.prepare(operation, &self.options, &redactor)?;
        let (answer, attempts) = self
            .client
            .execute(operation, &config, || seam::authorize(&wire, id, after))
            .await?;
        Ok(answer.with_attempts(attempts))
    }
}

call_settings!(
    ListConnectors => options,
    CreateConnector => options,
    GetConnector => options,
    UpdateConnector => options,
    DeleteConnector => options,
    AuthorizeOAuth => options,
);

/// The id as a [`ConnectorId`], or the reason it cannot be one (nothing is sent).
fn connector_id(operation: Operation, id: String) -> Result<ConnectorId> {
    ConnectorId::new(id).map_err(|invalid| Error::invalid(operation, invalid.reason()))
}

/// The call's redactor, also hiding the secrets this request sends, however short: a
/// server that echoes a connector's secret must not put it in an error.
fn with_secrets<'r>(
    redactor: Cow<'r, Redactor>,
    oauth: Option<&OAuthConfig>,
    service_auth: Option<&ServiceAuth>,
) -> Cow<'r, Redactor> {
    let secrets = oauth
        .map(|oauth| oauth.client_secret.clone())
        .into_iter()
        .chain(service_auth.into_iter().flat_map(ServiceAuth::secret_forms));
    secrets.fold(redactor, |redactor, secret| {
        Cow::Owned(redactor.into_owned().with_any_length(&secret))
    })
}

/// `builder.await` is `builder.send().await`.
macro_rules! into_future {
    ($($builder:ident => $output:ty),* $(,)?) => {$(
        impl IntoFuture for $builder {
            type Output = Result<$output>;
            type IntoFuture = Pin<Box<dyn Future<Output = Result<$output>> + Send>>;

            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.send())
            }
        }
    )*};
}

into_future! {
    ListConnectors => ConnectorPage,
    CreateConnector => Connector,
    GetConnector => Connector,
    UpdateConnector => Connector,
    DeleteConnector => (),
    AuthorizeOAuth => String,
}
