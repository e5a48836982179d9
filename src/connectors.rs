//! The six operations, as request builders: set what you need, then `.send().await` (or just
//! `.await`). Arguments are checked before anything is sent.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use crate::execute::{SUCCESS_STATUS, decode_error};
use crate::types::require_http_url;
use crate::{
    Client, Connector, ConnectorPage, ConnectorUpdate, Error, NewConnector, OAuthConfig, Operation,
    Result, ServiceAuth,
};

/// The largest page the API serves.
pub const MAX_PAGE_SIZE: u32 = 100;

/// The Connectors API of a [`Client`]; see [`Client::connectors`].
#[derive(Clone, Debug)]
pub struct Connectors {
    client: Client,
}

impl Connectors {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

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
        let page = self
            .client
            .execute(operation, move |shared| async move {
                let mut call = shared.raw.list_connectors();
                if let Some(limit) = limit {
                    call = call.limit(limit);
                }
                if let Some(offset) = offset {
                    call = call.offset(offset);
                }
                call.send().await
            })
            .await?;
        ConnectorPage::try_from(page)
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
        let body = crate::raw::types::CreateConnectorRequest::from(self.connector);
        let created = self
            .client
            .execute(operation, move |shared| {
                let body = body.clone();
                async move { shared.raw.create_connector().body(body).send().await }
            })
            .await?;
        Ok(created.connector.into())
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
    /// [`Error::InvalidArgument`] (nothing sent) for an empty id, `.` or `..`;
    /// [`Error::Api`], [`Error::Transport`] or [`Error::Decode`] for what the API or the network
    /// answers.
    pub async fn send(self) -> Result<Connector> {
        let operation = Operation::GetConnector;
        check_id(operation, &self.id)?;
        let id = self.id;
        let found = self
            .client
            .execute(operation, move |shared| {
                let id = id.clone();
                async move { shared.raw.get_connector().id(id).send().await }
            })
            .await?;
        Ok(found.connector.into())
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
    /// [`Error::InvalidArgument`] (nothing sent) for an empty id, `.` or `..`, and for the
    /// field checks of [`Connectors::create`];
    /// [`Error::Api`], [`Error::Transport`] or [`Error::Decode`] for what the API or the network
    /// answers.
    pub async fn send(self) -> Result<Connector> {
        let operation = Operation::UpdateConnector;
        check_id(operation, &self.id)?;
        self.update.validate(operation)?;
        let (id, body) = (
            self.id,
            crate::raw::types::UpdateConnectorRequest::from(self.update),
        );
        let updated = self
            .client
            .execute(operation, move |shared| {
                let (id, body) = (id.clone(), body.clone());
                async move { shared.raw.update_connector().id(id).body(body).send().await }
            })
            .await?;
        Ok(updated.connector.into())
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
    /// [`Error::InvalidArgument`] (nothing sent) for an empty id, `.` or `..`;
    /// [`Error::Api`], [`Error::Transport`] or [`Error::Decode`] for what the API or the network
    /// answers.
    pub async fn send(self) -> Result<()> {
        let operation = Operation::DeleteConnector;
        check_id(operation, &self.id)?;
        let id = self.id;
        self.client
            .execute(operation, move |shared| {
                let id = id.clone();
                async move { shared.raw.delete_connector().id(id).send().await }
            })
            .await?;
        Ok(())
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
    /// [`Error::InvalidArgument`] (nothing sent) for an empty id, `.` or `..`, or a redirect
    /// that is not an absolute http(s) URL; [`Error::Decode`] if the answer has no
    /// `redirect_url`;
    /// [`Error::Api`], [`Error::Transport`] or [`Error::Decode`] for what the API or the network
    /// answers.
    pub async fn send(self) -> Result<String> {
        let operation = Operation::AuthorizeOAuth;
        check_id(operation, &self.id)?;
        if let Some(url) = &self.after_token_redirect {
            require_http_url(operation, "after_token_redirect", url)?;
        }
        let (id, after) = (self.id, self.after_token_redirect);
        let authorized = self
            .client
            .execute(operation, move |shared| {
                let (id, after) = (id.clone(), after.clone());
                async move {
                    let mut call = shared.raw.o_auth_authorize_connector().id(id);
                    if let Some(after) = after {
                        call = call.after_token_redirect(after);
                    }
                    call.send().await
                }
            })
            .await?;
        // The URL is the whole point of the call: a success without it is not a usable answer.
        authorized.redirect_url.ok_or_else(|| {
            decode_error(
                operation,
                SUCCESS_STATUS,
                "the response has no redirect_url".into(),
                String::new(),
            )
        })
    }
}

/// An id goes into the path as one percent-encoded segment; only `.` and `..` cannot, because
/// URLs resolve them as path steps whatever their encoding.
fn check_id(operation: Operation, id: &str) -> Result<()> {
    if id.is_empty() {
        return Err(Error::invalid(operation, "the connector id is empty"));
    }
    if id == "." || id == ".." {
        return Err(Error::invalid(
            operation,
            format!("{id:?} cannot be a connector id: URLs treat it as a path step"),
        ));
    }
    Ok(())
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
