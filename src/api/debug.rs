//! `Debug` for the facade's types that hold URLs: a URL may carry a password
//! (`https://user:pass@search.example.com/search`), which is shown as `[redacted]`. Secrets
//! are [`Secret`](crate::Secret)s and hide themselves.

use std::fmt;

use crate::core::text::{DebugOptionUrl, DebugUrl};
use crate::{Connector, ConnectorOAuth, ConnectorUpdate, NewConnector, OAuthConfig};

impl fmt::Debug for Connector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connector")
            .field("id", &self.id)
            .field("organization_id", &self.organization_id)
            .field("name", &self.name)
            .field("description", &self.description)
            .field("url", &DebugOptionUrl(self.url.as_deref()))
            .field("created_at", &self.created_at)
            .field("updated_at", &self.updated_at)
            .field("excludes", &self.excludes)
            .field("auth_type", &self.auth_type)
            .field("oauth", &self.oauth)
            .field("auth_status", &self.auth_status)
            .field("active", &self.active)
            .field("continue_on_failure", &self.continue_on_failure)
            .finish()
    }
}

impl fmt::Debug for ConnectorOAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectorOAuth")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("authorize_url", &DebugUrl(&self.authorize_url))
            .field("token_url", &DebugUrl(&self.token_url))
            .field("scope", &self.scope)
            .finish()
    }
}

impl fmt::Debug for OAuthConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthConfig")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("authorize_url", &DebugUrl(&self.authorize_url))
            .field("token_url", &DebugUrl(&self.token_url))
            .field("scope", &self.scope)
            .finish()
    }
}

impl fmt::Debug for NewConnector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewConnector")
            .field("name", &self.name)
            .field("url", &DebugUrl(&self.url))
            .field("description", &self.description)
            .field("excludes", &self.excludes)
            .field("active", &self.active)
            .field("continue_on_failure", &self.continue_on_failure)
            .field("oauth", &self.oauth)
            .field("service_auth", &self.service_auth)
            .finish()
    }
}

impl fmt::Debug for ConnectorUpdate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectorUpdate")
            .field("name", &self.name)
            .field("url", &DebugOptionUrl(self.url.as_deref()))
            .field("excludes", &self.excludes)
            .field("oauth", &self.oauth)
            .field("service_auth", &self.service_auth)
            .field("active", &self.active)
            .field("continue_on_failure", &self.continue_on_failure)
            .finish()
    }
}
