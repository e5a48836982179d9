//! Verification on create and update, as Cohere does it: the connector is searched once, and
//! the registration is refused with 400 when the search fails.
//!
//! Cohere documents that it tests a connector on registration and cancels the registration
//! when the test fails; it does not document the query, or what it does for an OAuth
//! connector, for which no user has a token yet. The emulator searches for `test`, and
//! accepts 401 and 403 from an OAuth connector (it answered, and rightly wants a user).

use std::time::Duration;

use super::reply::Refusal;
use cohere_connectors::text::redact_url;
use cohere_connectors::{Secret, ServiceAuth};
use cohere_connectors_kit::{ConnectorSearch, SearchAuth, SearchError};

/// The query searched for when verifying.
const QUERY: &str = "test";

/// How connectors are called when verified.
#[derive(Clone, Debug)]
pub(crate) struct Verifier {
    pub timeout: Duration,
    pub http: reqwest::Client,
}

/// What a connector would be called with.
pub(crate) struct Target {
    pub url: String,
    pub service_auth: Option<(String, Secret)>,
    pub oauth: bool,
}

impl Verifier {
    /// Searches `target` once; a refusal in the API's style when that fails.
    pub(crate) async fn verify(&self, target: Target) -> Result<(), Refusal> {
        let shown = redact_url(&target.url).into_owned();
        let unreachable = |reason: String| {
            Refusal::bad_request(format!("connector {shown} is not reachable: {reason}"))
        };
        let search = ConnectorSearch::new(&target.url)
            .map_err(|error| unreachable(error.to_string()))?
            .timeout(self.timeout)
            .http_client(self.http.clone())
            .auth(match target.service_auth {
                Some((token_type, token)) => {
                    SearchAuth::Service(ServiceAuth::new(
                        // The wire layer accepts only the three names: the default is never used.
                        token_type.parse().unwrap_or_default(),
                        token,
                    ))
                }
                None => SearchAuth::None,
            });
        match search.search(QUERY).await {
            Ok(_) => Ok(()),
            Err(SearchError::Unauthorized { .. }) if target.oauth => Ok(()),
            Err(error) => Err(unreachable(reason(&error))),
        }
    }
}

/// Why a search failed, in the emulator's own words: never the connector's body or message,
/// nor where it redirected to. What the connector answered is its owner's to read in its
/// logs; an API error that quoted it would hand whatever the URL serves (an internal page,
/// a token it echoes) to whoever registers that URL.
fn reason(error: &SearchError) -> String {
    match error {
        SearchError::Timeout { after } => format!("no answer within {} ms", after.as_millis()),
        SearchError::Redirect { status, .. } => format!("it answered {status} with a redirect"),
        SearchError::Unauthorized { status, .. } => {
            format!("it refused the service credentials with {status}")
        }
        SearchError::Status { status, .. } => format!("it answered {status}"),
        SearchError::TooLarge { limit } => format!("its answer is larger than {limit} bytes"),
        SearchError::Malformed { .. } => {
            "its answer is not a search response ({\"results\": [...]} with string values)"
                .to_owned()
        }
        // Our own words about the URL or the credentials, or the network's ("connection
        // refused"): nothing the connector sent.
        SearchError::InvalidUrl { .. }
        | SearchError::InvalidCredentials { .. }
        | SearchError::Unreachable { .. } => error.to_string(),
        _ => "the search failed".to_owned(),
    }
}
