//! The rules the checker applies, each with where Cohere documents it.

use std::fmt;

use serde::Serialize;

const CREATING: &str = "https://docs.cohere.com/v1/docs/creating-and-deploying-a-connector";
const AUTHENTICATION: &str = "https://docs.cohere.com/v1/docs/connector-authentication";
const FAQ: &str = "https://docs.cohere.com/v1/docs/connector-faqs";
const CREATE_REFERENCE: &str = "https://docs.cohere.com/v1/reference/create-connector";
const CHAT_REFERENCE: &str = "https://docs.cohere.com/v1/reference/chat";

/// How much a finding matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Cohere would refuse the connector at registration, or could not use its answers.
    Error,
    /// Cohere would accept it, but it would serve worse, or be open to anyone.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Self::Error => "error",
            Self::Warning => "warning",
        })
    }
}

macro_rules! rules {
    ($(
        $(#[$doc:meta])*
        $variant:ident = $id:literal, $source:expr, $requirement:literal;
    )*) => {
        /// A rule the checker applies. [`source`](Self::source) is the page of Cohere's
        /// documentation it comes from; [`requirement`](Self::requirement) says what it asks.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
        #[serde(rename_all = "snake_case")]
        #[non_exhaustive]
        pub enum Rule {
            $( $(#[$doc])* $variant, )*
        }

        impl Rule {
            /// Every rule, in the order the checker applies them.
            pub const ALL: &'static [Rule] = &[$(Self::$variant),*];

            /// A short, stable name (`no_query_string`), as in JSON output.
            pub fn id(self) -> &'static str {
                match self { $( Self::$variant => $id, )* }
            }

            /// Where Cohere documents it (`None` for the crate's own advice).
            pub fn source(self) -> Option<&'static str> {
                match self { $( Self::$variant => $source, )* }
            }

            /// What the rule asks of a connector, in one sentence.
            pub fn requirement(self) -> &'static str {
                match self { $( Self::$variant => $requirement, )* }
            }
        }
    };
}

rules! {
    /// The URL is an absolute http(s) URL Cohere can call.
    ValidUrl = "valid_url", Some(CREATE_REFERENCE),
        "The connector's URL is an absolute http or https URL without user info or fragment.";
    /// The URL has no query string.
    NoQueryString = "no_query_string", Some(CREATING),
        "The URL contains no query parameters.";
    /// The URL is served on port 443 or 80.
    Port = "port", Some(FAQ),
        "The connector is hosted under a permitted port: 443 or 80.";
    /// The URL uses https.
    Https = "https", Some(AUTHENTICATION),
        "Tokens go in the Authorization header: serve over https so they are not sent in clear.";
    /// The host is reachable from the internet.
    PublicAddress = "public_address", Some(FAQ),
        "The connector is hosted under a public address, not behind a firewall or on a private network.";
    /// The URL's path ends with `/search`.
    SearchPath = "search_path", Some(CREATING),
        "The URL ends with /search.";
    /// `POST {"query"}` gets a successful answer.
    Answers = "answers", Some(CREATE_REFERENCE),
        "Cohere calls the connector when it is registered and cancels the registration if the call fails.";
    /// The answer comes within 30 seconds.
    Deadline = "deadline", Some(CREATING),
        "The connector responds within 30 seconds.";
    /// The answer comes well within the deadline.
    Speed = "speed", Some(FAQ),
        "The connector answers well within the deadline (parallel requests, caching, no cold starts).";
    /// Service auth or a user's token: a request without a token is refused.
    RefusesMissingToken = "refuses_missing_token", Some(AUTHENTICATION),
        "With service auth or OAuth, requests without the Authorization header are denied.";
    /// Service auth or a user's token: a request with a wrong token is refused.
    RefusesWrongToken = "refuses_wrong_token", Some(AUTHENTICATION),
        "With service auth or OAuth, requests with another token are denied.";
    /// Some authentication is used.
    Authentication = "authentication", Some(AUTHENTICATION),
        "The connector uses service auth, OAuth or pass-through tokens.";
    /// The answer is declared as JSON.
    ContentType = "content_type", Some(CREATING),
        "The answer is a JSON object (Content-Type: application/json).";
    /// The answer is `{"results": [{...}, ...]}`.
    ResultsShape = "results_shape", Some(CREATING),
        "The answer is a JSON object with a list of documents in its results field.";
    /// Every value of every document is a string.
    StringValues = "string_values", Some(CHAT_REFERENCE),
        "Documents are dictionaries of strings: every value is a string.";
    /// The test search found something, so the documents could be checked.
    SomeResults = "some_results", None,
        "The test query finds at least one document, so that documents can be checked.";
    /// Documents are short, or have a `text` field.
    DocumentSize = "document_size", Some(CREATING),
        "Documents are under 300 words, or have a text field (the one Cohere truncates).";
    /// Documents have the recommended fields.
    RecommendedFields = "recommended_fields", Some(CREATING),
        "Documents have id, title, text, url and timestamp fields.";
    /// No two documents share an id.
    DuplicateIds = "duplicate_ids", Some(FAQ),
        "The connector does not return duplicates.";
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}
