//! The six operations, as request builders: set what you need, then `.send().await` (or just
//! `.await`). Arguments are checked before anything is sent.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use super::raw_seam;
use super::types::require_http_url;
use crate::core::text::Redactor;
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
}

/// The Connectors API of a [`Client`]; see [`Client::connectors`].
#[derive(Clone, Debug)]
pub struct Connectors {
    client: Client,
}

impl Connectors {
    /// Lists connectors, newest first.
    ///
    /// ```no_run
    /// # async fn run(client: cohere_connectors::Client) -> cohere_connectors::Result<()> {
    /// let page = client.connectors().list().limit(10).offset(20).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> ListConnectors {
        ListConnectors {
            client: self.client.clone(),
            limit: None,
            offset: None,
        }
    }

    /// Creates a connector with its two required fields; set the others on the builder.
    ///
    /// ```no_run
    /// use cohere_connectors::ServiceAuth;
    ///
    /// # async fn run(client: cohere_connectors::Client) -> cohere_connectors::Result<()> {
    /// let connector = client
    ///     .connectors()
    ///     .create("Wiki", "https://wiki.example.com/search")
    ///     .description("The company wiki")
    ///     .service_auth(ServiceAuth::bearer("token"))
    ///     .send()
    ///     .await?;
    /// println!("created {}", connector.id);
    /// # Ok(()) }
    /// ```
    pub fn create(&self, name: impl Into<String>, url: impl Into<String>) -> CreateConnector {
        self.create_from(NewConnector::new(name, url))
    }

    /// Creates a connector from a complete definition, such as one read from a file.
    pub fn create_from(&self, connector: NewConnector) -> CreateConnector {
        CreateConnector {
            client: self.client.clone(),
            connector,
        }
    }

    /// Gets a connector by id.
    ///
    /// ```no_run
    /// # async fn run(client: cohere_connectors::Client) -> cohere_connectors::Result<()> {
    /// let connector = client.connectors().get("wiki-01").send().await?;
    /// # Ok(()) }
    /// ```
    pub fn get(&self, id: impl Into<String>) -> GetConnector {
        GetConnector {
            client: self.client.clone(),
            id: id.into(),
        }
    }

    /// Changes some fields of a connector; only the fields set are sent.
    ///
    /// ```no_run
    /// # async fn run(client: cohere_connectors::Client) -> cohere_connectors::Result<()> {
    /// let connector = client.connectors().update("wiki-01").active(false).send().await?;
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
        }
    }

    /// Deletes a connector.
    ///
    /// ```no_run
    /// # async fn run(client: cohere_connectors::Client) -> cohere_connectors::Result<()> {
    /// client.connectors().delete("wiki-01").send().await?;
    /// # Ok(()) }
    /// ```
    pub fn delete(&self, id: impl Into<String>) -> DeleteConnector {
        DeleteConnector {
            client: self.client.clone(),
            id: id.into(),
        }
    }

    /// Starts the OAuth authorization of a connector: the result is the URL to send the user
    /// to.
    ///
    /// ```no_run
    /// # async fn run(client: cohere_connectors::Client) -> cohere_connectors::Result<()> {
    /// let redirect = client
    ///     .connectors()
    ///     .authorize_oauth("wiki-01")
    ///     .after_token_redirect("https://app.example.com/done")
    ///     .send()
    ///     .await?;
    /// println!("open {redirect}");
    /// # Ok(()) }
    /// ```
    pub fn authorize_oauth(&self, id: impl Into<String>) -> AuthorizeOAuth {
        AuthorizeOAuth {
            client: self.client.clone(),
            id: id.into(),
            after_token_redirect: None,
        }
    }
}

/// `GET /v1/connectors`: one page of connectors. See [`Connectors::list`].
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct ListConnectors {
    pub(crate) client: Client,
    pub(crate) limit: Option<u32>,
    pub(crate) offset: Option<u64>,
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
    /// [`Error::InvalidArgument`] (nothing sent) for a limit above 100;
    /// [`Error::Api`], [`Error::Transport`] or [`Error::Decode`] for what the API or the network
    /// answers.
    pub async fn send(self) -> Result<ConnectorPage> {
        let operation = Operation::ListConnectors;
        if let Some(limit) = self.limit {
            check_page_size(operation, limit)?;
        }
        let (limit, offset) = (self.limit, self.offset);
        let shared = &*self.client.shared;
        self.client
            .execute(operation, || {
                raw_seam::list(shared, limit, offset, &shared.redactor)
            })
            .await
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
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct CreateConnector {
    client: Client,
    connector: NewConnector,
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

    /// Sends the request.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] (nothing sent) for a blank name, a URL that is not an
    /// absolute http(s) URL, incomplete OAuth settings, an empty token, or both `oauth` and
    /// `service_auth`;
    /// [`Error::Api`], [`Error::Transport`] or [`Error::Decode`] for what the API or the network
    /// answers.
    pub async fn send(self) -> Result<Connector> {
        let operation = Operation::CreateConnector;
        self.connector.validate(operation)?;
        let shared = &*self.client.shared;
        let redactor = with_secrets(
            &shared.redactor,
            self.connector.oauth.as_ref(),
            self.connector.service_auth.as_ref(),
        );
        let body = &self.connector;
        self.client
            .execute(operation, || raw_seam::create(shared, body, &redactor))
            .await
    }
}

/// `GET /v1/connectors/{id}`. See [`Connectors::get`].
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct GetConnector {
    client: Client,
    id: String,
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
        let operation = Operation::GetConnector;
        let id = &connector_id(operation, self.id)?;
        let shared = &*self.client.shared;
        self.client
            .execute(operation, || raw_seam::get(shared, id, &shared.redactor))
            .await
    }
}

/// `PATCH /v1/connectors/{id}`. See [`Connectors::update`].
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct UpdateConnector {
    client: Client,
    id: String,
    update: ConnectorUpdate,
}

impl UpdateConnector {
    /// A new name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.update.name = Some(name.into());
        self
    }

    /// A new search URL.
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.update.url = Some(url.into());
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
    /// [`ConnectorId`], and for the
    /// field checks of [`Connectors::create`];
    /// [`Error::Api`], [`Error::Transport`] or [`Error::Decode`] for what the API or the network
    /// answers.
    pub async fn send(self) -> Result<Connector> {
        let operation = Operation::UpdateConnector;
        let id = &connector_id(operation, self.id)?;
        self.update.validate(operation)?;
        let shared = &*self.client.shared;
        let redactor = with_secrets(
            &shared.redactor,
            self.update.oauth.as_ref(),
            self.update.service_auth.as_ref(),
        );
        let body = &self.update;
        self.client
            .execute(operation, || raw_seam::update(shared, id, body, &redactor))
            .await
    }
}

/// `DELETE /v1/connectors/{id}`. See [`Connectors::delete`].
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct DeleteConnector {
    client: Client,
    id: String,
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
        let operation = Operation::DeleteConnector;
        let id = &connector_id(operation, self.id)?;
        let shared = &*self.client.shared;
        self.client
            .execute(operation, || raw_seam::delete(shared, id, &shared.redactor))
            .await
    }
}

/// `POST /v1/connectors/{id}/oauth/authorize`. See [`Connectors::authorize_oauth`].
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct AuthorizeOAuth {
    client: Client,
    id: String,
    after_token_redirect: Option<String>,
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
    /// [`ConnectorId`], or a redirect
    /// that is not an absolute http(s) URL; [`Error::Decode`] if the answer has no
    /// `redirect_url`;
    /// [`Error::Api`], [`Error::Transport`] or [`Error::Decode`] for what the API or the network
    /// answers.
    pub async fn send(self) -> Result<String> {
        let operation = Operation::AuthorizeOAuth;
        let id = &connector_id(operation, self.id)?;
        if let Some(url) = &self.after_token_redirect {
            require_http_url(operation, "after_token_redirect", url)?;
        }
        let after = self.after_token_redirect.as_deref();
        let shared = &*self.client.shared;
        self.client
            .execute(operation, || {
                raw_seam::authorize(shared, id, after, &shared.redactor)
            })
            .await
    }
}

/// The id as a [`ConnectorId`], or the reason it cannot be one (nothing is sent).
fn connector_id(operation: Operation, id: String) -> Result<ConnectorId> {
    ConnectorId::new(id).map_err(|invalid| Error::invalid(operation, invalid.reason()))
}

/// The client's redactor, also hiding the secrets this request sends.
fn with_secrets(
    redactor: &Redactor,
    oauth: Option<&OAuthConfig>,
    service_auth: Option<&ServiceAuth>,
) -> Redactor {
    let mut redactor = redactor.clone();
    if let Some(oauth) = oauth {
        redactor = redactor.with(&oauth.client_secret);
    }
    if let Some(service_auth) = service_auth {
        redactor = redactor.with(&service_auth.token);
    }
    redactor
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
