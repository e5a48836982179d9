//! Every facade type built in one readable expression: `new` with what is required, then
//! `with_*` for the rest. For test data, mocks and definitions kept in code:
//!
//! ```
//! use cohere_connectors::{AuthStatus, AuthType, Connector, ConnectorOAuth, ConnectorPage};
//!
//! let wiki = Connector::new("wiki", "Wiki")
//!     .with_url("https://wiki.example.com/search")
//!     .with_excludes(["author_email"])
//!     .with_active(true);
//! let crm = Connector::new("crm", "CRM")
//!     .with_auth_type(AuthType::OAuth)
//!     .with_oauth(ConnectorOAuth::new(
//!         "https://login.example.com/authorize",
//!         "https://login.example.com/token",
//!     ))
//!     .with_auth_status(AuthStatus::Valid);
//! let page = ConnectorPage::new(vec![crm, wiki]);
//! assert_eq!(page.total_count, Some(2));
//! ```

use chrono::{DateTime, Utc};

use crate::{
    AuthStatus, AuthType, Connector, ConnectorDefinition, ConnectorId, ConnectorOAuth,
    ConnectorPage, ConnectorUpdate, DefinitionForm, HttpUrl, InvalidId, NewConnector, OAuthConfig,
    Secret, ServiceAuth,
};

/// `with_<field>` setters that consume and return `self`: `$kind` says how the value is
/// taken (`some`: wrapped in `Some`, `plain`: as is, `list`: from any iterable, `url`: any
/// string, kept as given and checked when a request sends it).
macro_rules! with {
    ($type:ty { $( $(#[$doc:meta])* $field:ident / $setter:ident : $kind:ident $value:ty ),* $(,)? }) => {
        impl $type {
            $( with!(@one $(#[$doc])* $field $setter $kind $value); )*
        }
    };
    (@one $(#[$doc:meta])* $field:ident $setter:ident some $value:ty) => {
        $(#[$doc])*
        #[must_use]
        pub fn $setter(mut self, value: impl Into<$value>) -> Self {
            self.$field = Some(value.into());
            self
        }
    };
    (@one $(#[$doc:meta])* $field:ident $setter:ident url $value:ty) => {
        $(#[$doc])*
        #[must_use]
        pub fn $setter(mut self, value: impl Into<String>) -> Self {
            self.$field = Some(HttpUrl::from(value.into()));
            self
        }
    };
    (@one $(#[$doc:meta])* $field:ident $setter:ident plain $value:ty) => {
        $(#[$doc])*
        #[must_use]
        pub fn $setter(mut self, value: $value) -> Self {
            self.$field = value;
            self
        }
    };
    (@one $(#[$doc:meta])* $field:ident $setter:ident list $value:ty) => {
        $(#[$doc])*
        #[must_use]
        pub fn $setter<I, S>(mut self, values: I) -> Self
        where
            I: IntoIterator<Item = S>,
            S: Into<$value>,
        {
            self.$field = values.into_iter().map(Into::into).collect();
            self
        }
    };
}

impl Connector {
    /// A connector with its id and name, created and updated now; set the rest with the
    /// `with_*` methods. For test data, whose ids are written in the code: an id from
    /// elsewhere goes through [`try_new`](Self::try_new).
    ///
    /// # Panics
    ///
    /// When `id` cannot be a [`ConnectorId`] (empty, `.`, `..`, holding `\`, too long), as
    /// `http::HeaderValue::from_static` panics on a header value no request can carry.
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Self {
        match Self::try_new(id, name) {
            Ok(connector) => connector,
            Err(invalid) => panic!("Connector::new: {invalid}"),
        }
    }

    /// A connector with its id and name, created and updated now.
    ///
    /// # Errors
    ///
    /// [`InvalidId`] when `id` cannot be a [`ConnectorId`].
    pub fn try_new(id: impl Into<String>, name: impl Into<String>) -> Result<Self, InvalidId> {
        let now = Utc::now();
        Ok(Self {
            id: ConnectorId::new(id)?,
            organization_id: None,
            name: name.into(),
            description: None,
            url: None,
            created_at: now,
            updated_at: now,
            excludes: Vec::new(),
            auth_type: None,
            oauth: None,
            auth_status: None,
            active: None,
            continue_on_failure: None,
        })
    }
}

with!(Connector {
    /// Sets the organization.
    organization_id / with_organization_id: some String,
    /// Sets the description.
    description / with_description: some String,
    /// Sets the search URL.
    url / with_url: url HttpUrl,
    /// Sets when it was created.
    created_at / with_created_at: plain DateTime<Utc>,
    /// Sets when it last changed.
    updated_at / with_updated_at: plain DateTime<Utc>,
    /// Sets the excluded fields.
    excludes / with_excludes: list String,
    /// Sets how it authenticates.
    auth_type / with_auth_type: some AuthType,
    /// Sets its OAuth settings.
    oauth / with_oauth: some ConnectorOAuth,
    /// Sets the caller's authorization status.
    auth_status / with_auth_status: some AuthStatus,
    /// Sets whether it is active.
    active / with_active: some bool,
    /// Sets whether a chat request goes on when it fails.
    continue_on_failure / with_continue_on_failure: some bool,
});

impl ConnectorOAuth {
    /// OAuth settings as the API returns them, with the provider's two endpoints.
    pub fn new(authorize_url: impl Into<String>, token_url: impl Into<String>) -> Self {
        Self {
            client_id: None,
            client_secret: None,
            authorize_url: HttpUrl::from(authorize_url.into()),
            token_url: HttpUrl::from(token_url.into()),
            scope: None,
        }
    }
}

with!(ConnectorOAuth {
    /// Sets the client id.
    client_id / with_client_id: some String,
    /// Sets the scopes.
    scope / with_scope: some String,
});

impl ConnectorPage {
    /// A page holding `connectors`, with `total_count` their number.
    pub fn new(connectors: Vec<Connector>) -> Self {
        let total_count = u64::try_from(connectors.len()).ok();
        Self {
            connectors,
            total_count,
        }
    }

    /// Sets how many connectors there are in all (more than this page holds, for one of
    /// several pages).
    #[must_use]
    pub fn with_total_count(mut self, total_count: u64) -> Self {
        self.total_count = Some(total_count);
        self
    }

    /// Leaves `total_count` out, as a server may.
    #[must_use]
    pub fn without_total_count(mut self) -> Self {
        self.total_count = None;
        self
    }
}

impl<F: DefinitionForm> ConnectorDefinition<F> {
    /// A definition in any form with its name and URL, the API's defaults for the rest (for a
    /// request, [`NewConnector::new`] takes the URL as a string).
    pub fn from_parts(name: impl Into<String>, url: F::Required<HttpUrl>) -> Self {
        Self {
            name: name.into(),
            url,
            description: None,
            excludes: Vec::new(),
            active: None,
            continue_on_failure: None,
            oauth: None,
            service_auth: None,
        }
    }
}

impl NewConnector {
    /// A connector with its two required fields and the API's defaults for the rest. The URL
    /// is kept as given and checked when the request is sent.
    pub fn new(name: impl Into<String>, url: impl Into<String>) -> Self {
        Self::from_parts(name, HttpUrl::from(url.into()))
    }
}

with!(NewConnector {
    /// Sets the description.
    description / with_description: some String,
    /// Sets the excluded fields.
    excludes / with_excludes: list String,
    /// Sets whether it starts active.
    active / with_active: some bool,
    /// Sets whether a chat request goes on when it fails.
    continue_on_failure / with_continue_on_failure: some bool,
    /// Sets OAuth settings (exclusive with service auth).
    oauth / with_oauth: some OAuthConfig,
    /// Sets a service token (exclusive with OAuth).
    service_auth / with_service_auth: some ServiceAuth,
});

impl ConnectorUpdate {
    /// An update that changes nothing yet; add the fields to change with `with_*`.
    pub fn new() -> Self {
        Self::default()
    }
}

with!(ConnectorUpdate {
    /// Sets a new name.
    name / with_name: some String,
    /// Sets a new search URL.
    url / with_url: url HttpUrl,
    /// Sets new OAuth settings (exclusive with service auth).
    oauth / with_oauth: some OAuthConfig,
    /// Sets a new service token (exclusive with OAuth).
    service_auth / with_service_auth: some ServiceAuth,
    /// Activates or deactivates.
    active / with_active: some bool,
    /// Sets whether a chat request goes on when it fails.
    continue_on_failure / with_continue_on_failure: some bool,
});

impl ConnectorUpdate {
    /// Sets a new list of excluded fields (an empty one clears the list).
    #[must_use]
    pub fn with_excludes<I, S>(mut self, fields: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.excludes = Some(fields.into_iter().map(Into::into).collect());
        self
    }
}

impl OAuthConfig {
    /// OAuth settings with the client's credentials and the provider's two endpoints.
    pub fn new(
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
        authorize_url: impl Into<String>,
        token_url: impl Into<String>,
    ) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            authorize_url: HttpUrl::from(authorize_url.into()),
            token_url: HttpUrl::from(token_url.into()),
            scope: None,
        }
    }
}

with!(OAuthConfig {
    /// Sets the scopes to request.
    scope / with_scope: some String,
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_expression_each() {
        let connector = Connector::new("a", "A")
            .with_url("https://a.example")
            .with_excludes(["x", "y"])
            .with_active(false);
        assert_eq!(connector.url.as_deref(), Some("https://a.example"));
        assert_eq!(connector.excludes, ["x", "y"]);
        assert_eq!(connector.created_at, connector.updated_at);
        let new = NewConnector::new("A", "https://a.example")
            .with_description("d")
            .with_service_auth(ServiceAuth::bearer("t"));
        assert_eq!(new.description.as_deref(), Some("d"));
        let update = ConnectorUpdate::new().with_excludes(Vec::<String>::new());
        assert_eq!(update.excludes, Some(vec![]));
        let oauth = OAuthConfig::new("id", "secret", "https://a", "https://t").with_scope("read");
        assert_eq!(oauth.scope.as_deref(), Some("read"));
        assert_eq!(
            ConnectorPage::new(vec![]).without_total_count().total_count,
            None
        );
    }

    #[test]
    fn ids_no_path_can_carry_are_refused_or_panic() {
        assert!(Connector::try_new("..", "Up").is_err());
        assert!(Connector::try_new("a/b", "Slash").is_ok());
        let panicked = std::panic::catch_unwind(|| Connector::new("", "Empty"));
        assert!(panicked.is_err());
    }
}
