//! What the provider received, for tests to check the exact requests a client made.

use std::fmt;

/// Which endpoint of the provider a request was for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProviderEndpoint {
    /// `GET /authorize`: the user's browser, sent by the client.
    Authorize,
    /// `POST /token`: the client exchanging a code or a refresh token.
    Token,
    /// `POST /revoke`: the client revoking a token (RFC 7009).
    Revoke,
}

/// How a token or revocation request authenticated its client (RFC 6749 section 2.3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientAuthentication {
    /// `Authorization: Basic` with the id and secret, each form-urlencoded.
    Basic,
    /// `client_id` and `client_secret` in the form.
    Body,
    /// Neither (or, for the authorize endpoint, not applicable).
    None,
}

/// A request the provider received: its endpoint, its parameters (the query of an authorize
/// request, the form of the others) in the order sent, and how its client authenticated.
/// `Debug` shows parameter names only: the values are codes and tokens.
///
/// ```
/// use cohere_connectors_emulator::{OAuthProvider, ProviderEndpoint};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let provider = OAuthProvider::start().await?;
/// let url = format!("{}?response_type=code&client_id=x&redirect_uri=http://127.0.0.1:9/cb&state=s", provider.authorize_url());
/// provider.consent(&url).await?;
/// let seen = provider.requests();
/// assert_eq!(seen[0].endpoint, ProviderEndpoint::Authorize);
/// assert_eq!(seen[0].param("state"), Some("s"));
/// # Ok(()) }
/// ```
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProviderRequest {
    /// The endpoint.
    pub endpoint: ProviderEndpoint,
    /// The parameters, in the order sent (duplicates kept).
    pub params: Vec<(String, String)>,
    /// How the client authenticated.
    pub client_authentication: ClientAuthentication,
    /// The client id of an `Authorization: Basic` header, decoded.
    pub basic_client_id: Option<String>,
}

impl ProviderRequest {
    /// The first value of the parameter `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The names of its parameters, in the order sent.
    pub fn names(&self) -> Vec<&str> {
        self.params.iter().map(|(key, _)| key.as_str()).collect()
    }
}

impl fmt::Debug for ProviderRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProviderRequest")
            .field("endpoint", &self.endpoint)
            .field("params", &self.names())
            .field("client_authentication", &self.client_authentication)
            .finish_non_exhaustive()
    }
}

/// The most requests remembered; older ones are dropped.
pub(super) const MAX_SEEN: usize = 10_000;
