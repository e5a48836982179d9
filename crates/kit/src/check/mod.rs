//! The checker: what Cohere's registration test and its connector documentation require of a
//! connector, run against the connector, as a typed report.

mod address;
mod documents;
mod report;
mod rules;

use std::time::Duration;

pub use report::{CheckReport, Finding};
pub use rules::{Rule, Severity};

use super::client::RawAnswer;
use super::{ConnectorSearch, SearchAuth, SearchError, SearchRequest};
use cohere_connectors::ServiceAuth;
use cohere_connectors::text::{SNIPPET_CHARS, redact_url};

/// The query the checker searches for unless told otherwise.
pub const DEFAULT_CHECK_QUERY: &str = "connector check";
/// An answer slower than this is a warning: Cohere's deadline is twice as long, and a chat
/// turn may call the connector several times.
const SLOW: Duration = Duration::from_secs(15);

/// Checks the connector at `url` the way Cohere's registration does, and against what its
/// connector documentation asks: see [`Checker`] for the list.
///
/// `auth` is what the connector would be registered with: a [`ServiceAuth`], a
/// [`SearchAuth::user_token`] for an OAuth connector, or [`SearchAuth::None`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use cohere_connectors::ServiceAuth;
/// use cohere_connectors_kit::{Document, Rule, Severity, check_connector};
/// use cohere_connectors_kit::server::{Access, ConnectorService};
///
/// // A connector that forgot that values must be strings.
/// let running = ConnectorService::new(Access::service(ServiceAuth::bearer("t0ken-123"))?, |_, _| async {
///     Ok(vec![Document::from_json(serde_json::json!({"title": "Q3", "revenue": 12.5})).unwrap()])
/// })
/// .bind("127.0.0.1:0")
/// .await?;
/// // (`Document` turns the number into "12.5"; a connector written by hand might not.)
/// let report = check_connector(&running.url(), ServiceAuth::bearer("t0ken-123")).await;
/// assert!(report.is_ok(), "{report}");
/// assert_eq!(report.documents, Some(1));
/// // Served on a local port: warnings, not errors.
/// assert_eq!(report.finding(Rule::Port).unwrap().severity, Severity::Warning);
/// // The missing recommended fields are named.
/// let fields = report.finding(Rule::RecommendedFields).unwrap();
/// assert!(fields.message.contains("`url` in 1 of 1"), "{}", fields.message);
/// println!("{report}");
/// # Ok(()) }
/// ```
pub async fn check_connector(url: &str, auth: impl Into<SearchAuth>) -> CheckReport {
    Checker::new(url).auth(auth).run().await
}

/// Configures a check of a connector. The rules ([`Rule`]), each from Cohere's
/// documentation ([`Rule::source`]):
///
/// - the URL: absolute http(s), no query string, port 443 or 80, a public address, https,
///   a path ending in `/search` (local addresses and ports only warn, for development);
/// - `POST {"query": ...}` with the connector's credentials is answered with a success,
///   within 30 seconds (and, as a warning, within 15), without a redirect;
/// - with service auth or a user's token (OAuth, pass-through), requests without a token
///   and with a wrong one are refused (401 or 403);
/// - the answer is JSON `{"results": [...]}` of objects whose values are all strings;
/// - documents are under 300 words or have a `text` field, have the recommended fields
///   (`id`, `title`, `text`, `url`, `timestamp`), and do not repeat an id.
///
/// Nothing it does panics or waits without bound, whatever the connector answers: each call
/// has the timeout, each answer a size limit.
#[derive(Clone, Debug)]
#[must_use = "a checker does nothing until `.run()`"]
pub struct Checker {
    url: String,
    auth: SearchAuth,
    query: String,
    timeout: Duration,
    max_response_bytes: usize,
    http: Option<reqwest::Client>,
}

impl Checker {
    /// A check of the connector at `url`, without credentials.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            auth: SearchAuth::None,
            query: DEFAULT_CHECK_QUERY.to_owned(),
            timeout: super::DEFAULT_SEARCH_TIMEOUT,
            max_response_bytes: super::DEFAULT_MAX_RESPONSE_BYTES,
            http: None,
        }
    }

    /// The credentials the connector is (or will be) registered with.
    pub fn auth(mut self, auth: impl Into<SearchAuth>) -> Self {
        self.auth = auth.into();
        self
    }

    /// Searches for `query` (default [`DEFAULT_CHECK_QUERY`]); pick one that finds
    /// documents, so that they can be checked.
    pub fn query(mut self, query: impl Into<String>) -> Self {
        self.query = query.into();
        self
    }

    /// How long each call may take (default 30 s, Cohere's deadline).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The largest answer read (default
    /// [`DEFAULT_MAX_RESPONSE_BYTES`](super::DEFAULT_MAX_RESPONSE_BYTES)).
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// Uses this HTTP client (build it without redirects).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Runs the check. At most three calls: the search with the credentials, then, with
    /// service auth or a user's token, one without a token and one with a wrong token.
    ///
    /// Everything the report shows that came from the connector or the caller (the URL,
    /// ids, field names, messages, headers) is escaped and has the credentials' token,
    /// whatever its length, hidden, in `Display`, `Debug` and JSON alike.
    pub async fn run(self) -> CheckReport {
        let redactor = crate::secrets::redactor(self.auth.secrets());
        let mut report = CheckReport {
            url: String::new(),
            findings: Vec::new(),
            documents: None,
            elapsed_ms: None,
        };
        self.check(&mut report).await;
        report.shown(&self.url, &redactor)
    }

    async fn check(&self, report: &mut CheckReport) {
        let search = match self.search() {
            Ok(search) => search,
            Err(finding) => {
                report.findings.push(finding);
                return;
            }
        };
        report
            .findings
            .extend(address::findings(search.url_parts()));
        let body = serde_json::to_vec(&SearchRequest::new(self.query.as_str())).unwrap_or_default();
        let answer = search.exchange(body.clone(), search.credentials()).await;
        if !self.judge_search(&search, answer, report) {
            return;
        }
        // A wrong service token served is anyone served; a wrong user token served is a
        // connector that does not hand the token to the data source, or does not answer 401
        // when the data source refuses it (Cohere then never asks the user to authorize
        // again): worse, but not open to anyone.
        let (wrong, wrong_served) = match search.credentials() {
            SearchAuth::Service(auth) => (
                SearchAuth::Service(ServiceAuth::new(auth.token_type, wrong_token())),
                Served::OPEN,
            ),
            SearchAuth::User(_) => (
                SearchAuth::user_token(wrong_token()),
                Served::UNCHECKED_USER,
            ),
            SearchAuth::None => {
                report.findings.push(Finding::new(
                    Severity::Warning,
                    Rule::Authentication,
                    "the connector answered without any credentials: anyone who finds the URL can search it",
                    "protect it with service auth (a token Cohere sends) or OAuth",
                ));
                return;
            }
        };
        // Whatever the connector is registered with, it must refuse anyone without it.
        for (rule, auth, what, served) in [
            (
                Rule::RefusesMissingToken,
                SearchAuth::None,
                "without a token",
                Served::OPEN,
            ),
            (
                Rule::RefusesWrongToken,
                wrong,
                "with a wrong token",
                wrong_served,
            ),
        ] {
            let answer = search.exchange(body.clone(), &auth).await;
            if let Some(finding) = refusal_finding(rule, what, answer, served) {
                report.findings.push(finding);
            }
        }
    }

    fn search(&self) -> Result<ConnectorSearch, Finding> {
        let search = ConnectorSearch::new(&self.url).map_err(|error| match error {
            SearchError::InvalidUrl { message } => address::refusal(&self.url, &message),
            other => address::refusal(&self.url, &other.to_string()),
        })?;
        let search = search
            .auth(self.auth.clone())
            .timeout(self.timeout)
            .max_response_bytes(self.max_response_bytes);
        Ok(match &self.http {
            Some(http) => search.http_client(http.clone()),
            None => search,
        })
    }

    /// Judges the answer to the real search; whether it was a success worth going on from.
    fn judge_search(
        &self,
        search: &ConnectorSearch,
        answer: Result<RawAnswer, SearchError>,
        report: &mut CheckReport,
    ) -> bool {
        let answer = match answer {
            Ok(answer) => answer,
            Err(error) => {
                report.findings.push(failure_finding(&error, self.timeout));
                return false;
            }
        };
        report.elapsed_ms = Some(u64::try_from(answer.elapsed.as_millis()).unwrap_or(u64::MAX));
        let redactor = search.redactor();
        if !(200..300).contains(&answer.status) {
            report
                .findings
                .push(status_finding(&answer, search.credentials(), &redactor));
            return false;
        }
        if answer.elapsed > SLOW {
            report.findings.push(Finding::new(
                Severity::Warning,
                Rule::Speed,
                format!(
                    "the search took {} ms; Cohere gives up at 30,000",
                    answer.elapsed.as_millis()
                ),
                "search in parallel, cache, and avoid cold starts",
            ));
        }
        let (findings, documents) =
            documents::findings(&answer.body, answer.content_type.as_deref(), &redactor);
        report.findings.extend(findings);
        report.documents = documents;
        true
    }
}

/// A token no connector accepts: random, so that no test fixture can match it by chance.
fn wrong_token() -> String {
    let random: String = (0..16)
        .map(|_| format!("{:02x}", fastrand::u8(..)))
        .collect();
    format!("cohere-connectors-check-{random}")
}

fn failure_finding(error: &SearchError, timeout: Duration) -> Finding {
    match error {
        SearchError::Timeout { .. } => Finding::new(
            Severity::Error,
            Rule::Deadline,
            format!("no answer within {} ms", timeout.as_millis()),
            "answer within 30 seconds: search in parallel, cache, avoid cold starts",
        ),
        SearchError::TooLarge { limit } => Finding::new(
            Severity::Error,
            Rule::ResultsShape,
            format!("the answer is larger than {limit} bytes"),
            "return a few short documents, not everything that matches",
        ),
        SearchError::InvalidCredentials { message } => Finding::new(
            Severity::Error,
            Rule::Answers,
            format!("the token cannot be sent: {message}"),
            "use a token of printable ASCII without spaces",
        ),
        other => Finding::new(
            Severity::Error,
            Rule::Answers,
            other.to_string(),
            "make sure the connector is running and reachable from outside your network",
        ),
    }
}

fn status_finding(
    answer: &RawAnswer,
    auth: &SearchAuth,
    redactor: &cohere_connectors::text::Redactor,
) -> Finding {
    let status = answer.status;
    let said = cohere_connectors::text::ErrorBody::parse(&answer.body, true, redactor);
    let said = said
        .message
        .or(said.text)
        .map(|text| format!(": {text}"))
        .unwrap_or_default();
    match status {
        300..=399 => {
            let location = answer.location.as_deref().map_or_else(
                || "(no Location)".to_owned(),
                |location| redactor.clean(&redact_url(location), SNIPPET_CHARS),
            );
            Finding::new(
                Severity::Error,
                Rule::Answers,
                format!("the search was answered {status} with a redirect to {location}"),
                "register the URL the redirect points to; Cohere calls the registered URL",
            )
        }
        401 | 403 => Finding::new(
            Severity::Error,
            Rule::Answers,
            format!("the connector refused the search with {status}{said}"),
            match auth {
                SearchAuth::Service(auth) => format!(
                    "check that the connector expects `Authorization: {}<token>` with this token (service_auth type `{}`)",
                    super::client::scheme_prefix(auth.token_type),
                    auth.token_type.as_str()
                ),
                SearchAuth::User(_) => "check that the user's token is valid for the data source".to_owned(),
                SearchAuth::None => "pass the credentials it is registered with (service auth, or a user's token for OAuth)".to_owned(),
            },
        ),
        _ => Finding::new(
            Severity::Error,
            Rule::Answers,
            format!("the search was answered {status}{said}"),
            "answer POST {\"query\": ...} with 200 and the results",
        ),
    }
}

/// What it means when a call that should have been refused is served.
#[derive(Clone, Copy)]
struct Served {
    severity: Severity,
    meaning: &'static str,
    fix: &'static str,
}

impl Served {
    const OPEN: Self = Self {
        severity: Severity::Error,
        meaning: "anyone who finds the URL can search it",
        fix: "refuse requests whose Authorization header is not exactly the registered token, with 401",
    };
    const UNCHECKED_USER: Self = Self {
        severity: Severity::Warning,
        meaning: "the user's token is not checked",
        fix: "pass the user's token to the data source and answer 401 when it refuses it, so that Cohere asks the user to authorize again",
    };
}

/// Judges an answer to a call that should have been refused.
fn refusal_finding(
    rule: Rule,
    what: &str,
    answer: Result<RawAnswer, SearchError>,
    served: Served,
) -> Option<Finding> {
    match answer {
        Ok(answer) if matches!(answer.status, 401 | 403) => None,
        Ok(answer) if (200..300).contains(&answer.status) => Some(Finding::new(
            served.severity,
            rule,
            format!(
                "a search {what} was answered {}: {}",
                answer.status, served.meaning
            ),
            served.fix,
        )),
        Ok(answer) => Some(Finding::new(
            Severity::Warning,
            rule,
            format!(
                "a search {what} was refused with {} instead of 401 or 403",
                answer.status
            ),
            "answer 401 when the token is missing or wrong",
        )),
        Err(error) => Some(Finding::new(
            Severity::Warning,
            rule,
            format!("could not check a search {what}: {error}"),
            "check again when the connector answers reliably",
        )),
    }
}
