//! Who may search: the service token Cohere sends, a user's bearer token, or anyone.
//!
//! A configured token that is empty, blank or unsendable is refused when the [`Access`] is
//! built ([`AccessError`]): an unset environment variable must never become a service that
//! lets in a request with an empty `Authorization` header.

use std::fmt;

use axum::http::{HeaderMap, header};
use subtle::{Choice, ConstantTimeEq};

use crate::client_scheme_prefix;
use cohere_connectors::{AuthTokenType, Secret, ServiceAuth};

/// Who may search the connector, and how the `Authorization` header shows it.
///
/// ```
/// use cohere_connectors::ServiceAuth;
/// use cohere_connectors_kit::server::{Access, AccessError};
///
/// // The token registered as the connector's service_auth (type bearer):
/// let access = Access::service(ServiceAuth::bearer("new-token"))?;
/// // While rotating, accept the old token too, then drop it once the connector is updated:
/// let rotating = Access::service_any([ServiceAuth::bearer("new-token"), ServiceAuth::bearer("old-token")])?;
/// assert!(!format!("{rotating:?}").contains("old-token"));
/// // An OAuth (or pass-through) connector: every search carries a user's bearer token.
/// let per_user = Access::user_token();
///
/// // An unset variable is refused, not turned into a service anyone can search:
/// let unset = std::env::var("NO_SUCH_TOKEN_VARIABLE").unwrap_or_default();
/// assert_eq!(
///     Access::service(ServiceAuth::noscheme(unset)).unwrap_err(),
///     AccessError::BlankToken { index: 0 }
/// );
/// # Ok::<(), AccessError>(())
/// ```
#[derive(Clone)]
pub struct Access {
    kind: Kind,
}

#[derive(Clone)]
enum Kind {
    Service(Vec<ServiceAuth>),
    UserToken,
    Open,
}

/// Why an [`Access`] cannot be built. It never holds the token, only where it is in the
/// list given.
///
/// ```
/// use cohere_connectors::ServiceAuth;
/// use cohere_connectors_kit::server::{Access, AccessError};
///
/// let error = Access::service_any([ServiceAuth::bearer("good-token"), ServiceAuth::bearer("bad token")]).unwrap_err();
/// assert_eq!(error, AccessError::UnsendableToken { index: 1 });
/// assert!(!error.to_string().contains("bad token"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AccessError {
    /// [`Access::service_any`] was given no token: the service would refuse every search.
    #[error("no service token was given: a service needs at least one")]
    NoTokens,
    /// A token is empty or only whitespace (an environment variable that is unset, say). It
    /// must never authenticate anything.
    #[error("the service token at index {index} is empty or blank")]
    BlankToken {
        /// Where it is in the list given (0 for [`Access::service`]).
        index: usize,
    },
    /// A token holds a space, a control character or a non-ASCII character: Cohere sends
    /// tokens of printable ASCII, and no request could match it (a trailing newline read
    /// from a file, say).
    #[error(
        "the service token at index {index} holds whitespace, a control character or non-ASCII text, which no Authorization header can match"
    )]
    UnsendableToken {
        /// Where it is in the list given (0 for [`Access::service`]).
        index: usize,
    },
}

/// Who a search comes from, as the service saw it.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Caller {
    /// Cohere, with a service token: the one at `token_index` in the accepted list.
    Service {
        /// Which accepted token matched (0 for [`Access::service`]).
        token_index: usize,
    },
    /// A user, with their bearer token (from Cohere's OAuth flow, or a pass-through
    /// `user_access_token`): pass it on to the data source.
    User(Secret),
    /// Anyone: the service is [`Access::open`].
    Anonymous,
}

impl Caller {
    /// The user's token, for [`Caller::User`].
    pub fn user_token(&self) -> Option<&Secret> {
        match self {
            Self::User(token) => Some(token),
            _ => None,
        }
    }
}

/// Why a request is refused: what the 401 says (never the token).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    Missing,
    Wrong,
    /// More than one `Authorization` header: which one counts would be a guess.
    Several,
}

impl Refusal {
    pub(crate) fn message(self) -> &'static str {
        match self {
            Self::Missing => "no credentials: send the Authorization header",
            Self::Wrong => "invalid credentials",
            Self::Several => "send one Authorization header, not several",
        }
    }
}

/// Whether `token` could be the token of an `Authorization` header: one or more printable
/// ASCII characters, no whitespace (what the search client sends, and Cohere).
fn is_sendable(token: &[u8]) -> bool {
    !token.is_empty() && token.iter().all(u8::is_ascii_graphic)
}

impl Access {
    /// Cohere's service auth: requests must carry this token, written the way its type says
    /// (`Bearer <token>`, `Basic <token>` or `<token>`).
    ///
    /// # Errors
    ///
    /// [`AccessError::BlankToken`] when the token is empty or blank,
    /// [`AccessError::UnsendableToken`] when it holds whitespace, a control character or
    /// non-ASCII text.
    pub fn service(auth: ServiceAuth) -> Result<Self, AccessError> {
        Self::service_any([auth])
    }

    /// Service auth accepting any of these tokens (to rotate one without downtime).
    ///
    /// # Errors
    ///
    /// [`AccessError::NoTokens`] for an empty list, and the errors of [`Access::service`]
    /// for the first token that has one.
    pub fn service_any(auths: impl IntoIterator<Item = ServiceAuth>) -> Result<Self, AccessError> {
        let auths: Vec<ServiceAuth> = auths.into_iter().collect();
        if auths.is_empty() {
            return Err(AccessError::NoTokens);
        }
        for (index, auth) in auths.iter().enumerate() {
            let token = auth.token.expose();
            if token.trim().is_empty() {
                return Err(AccessError::BlankToken { index });
            }
            if !is_sendable(token.as_bytes()) {
                return Err(AccessError::UnsendableToken { index });
            }
        }
        Ok(Self {
            kind: Kind::Service(auths),
        })
    }

    /// Requests must carry `Authorization: Bearer <token>`, which the handler gets as
    /// [`Caller::User`] to pass on to the data source (OAuth and pass-through connectors).
    /// The token must be printable ASCII: an empty or blank one is refused with 401.
    pub fn user_token() -> Self {
        Self {
            kind: Kind::UserToken,
        }
    }

    /// No authentication: anyone who can reach the service can search it. For data that is
    /// public anyway, and for local work.
    pub fn open() -> Self {
        Self { kind: Kind::Open }
    }

    /// The secrets this access holds, for scrubbing text before it is logged or answered.
    pub(crate) fn secrets(&self) -> impl Iterator<Item = Secret> {
        let auths = match &self.kind {
            Kind::Service(auths) => auths.as_slice(),
            _ => &[],
        };
        auths.iter().flat_map(ServiceAuth::secret_forms)
    }

    /// Whether anyone may call the service.
    #[cfg(feature = "mcp")]
    pub(crate) fn is_open(&self) -> bool {
        matches!(self.kind, Kind::Open)
    }

    /// The `WWW-Authenticate` challenge of a 401.
    pub(crate) fn challenge(&self) -> &'static str {
        match &self.kind {
            Kind::Service(auths)
                if auths
                    .first()
                    .is_some_and(|auth| auth.token_type == AuthTokenType::Basic) =>
            {
                "Basic realm=\"connector\""
            }
            _ => "Bearer realm=\"connector\"",
        }
    }

    /// Who the request with `headers` is, or why it is refused.
    pub(crate) fn verify(&self, headers: &HeaderMap) -> Result<Caller, Refusal> {
        match &self.kind {
            Kind::Open => Ok(Caller::Anonymous),
            Kind::UserToken => user(single_authorization(headers)?),
            Kind::Service(auths) => service(auths, single_authorization(headers)?),
        }
    }
}

/// The one `Authorization` header's value.
fn single_authorization(headers: &HeaderMap) -> Result<&[u8], Refusal> {
    let mut presented = headers.get_all(header::AUTHORIZATION).iter();
    let first = presented.next().ok_or(Refusal::Missing)?;
    match presented.next() {
        Some(_) => Err(Refusal::Several),
        None => Ok(first.as_bytes()),
    }
}

/// `Bearer <token>`, the token handed on.
fn user(header: &[u8]) -> Result<Caller, Refusal> {
    let (scheme, token) = split_scheme(header).ok_or(Refusal::Wrong)?;
    if !scheme.eq_ignore_ascii_case(b"bearer") || !is_sendable(token) {
        return Err(Refusal::Wrong);
    }
    let token = std::str::from_utf8(token).map_err(|_| Refusal::Wrong)?;
    Ok(Caller::User(Secret::from(token)))
}

/// Which accepted token `header` is. Every one is compared, in constant time, whatever
/// matched first.
fn service(auths: &[ServiceAuth], header: &[u8]) -> Result<Caller, Refusal> {
    let matches: Vec<Choice> = auths
        .iter()
        .map(|auth| presented_matches(header, auth))
        .collect();
    matches
        .iter()
        .position(|matched| bool::from(*matched))
        .map(|token_index| Caller::Service { token_index })
        .ok_or(Refusal::Wrong)
}

/// `Scheme token` split at the first space, the token's leading spaces trimmed.
fn split_scheme(header: &[u8]) -> Option<(&[u8], &[u8])> {
    let space = header.iter().position(|byte| *byte == b' ')?;
    let (scheme, rest) = header.split_at(space);
    let token = rest
        .iter()
        .position(|byte| *byte != b' ')
        .map_or(&rest[rest.len()..], |start| &rest[start..]);
    Some((scheme, token))
}

/// Whether `header` is `auth` as Cohere writes it: the scheme compared ignoring case (it is
/// not secret), the token in constant time.
fn presented_matches(header: &[u8], auth: &ServiceAuth) -> Choice {
    let expected = auth.token.expose().as_bytes();
    let prefix = client_scheme_prefix(auth.token_type).trim_end();
    if prefix.is_empty() {
        return header.ct_eq(expected);
    }
    match split_scheme(header) {
        Some((scheme, token)) => {
            Choice::from(u8::from(scheme.eq_ignore_ascii_case(prefix.as_bytes())))
                & token.ct_eq(expected)
        }
        None => Choice::from(0),
    }
}

impl fmt::Debug for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Service(auths) => f
                .debug_struct("Access::Service")
                .field("tokens", &auths.len())
                .finish(),
            Kind::UserToken => f.write_str("Access::UserToken"),
            Kind::Open => f.write_str("Access::Open"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use proptest::prelude::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for value in values {
            map.append(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn one(text: &str) -> HeaderMap {
        headers(&[text])
    }

    #[test]
    fn each_scheme_accepts_exactly_what_cohere_sends() {
        let cases = [
            (
                ServiceAuth::bearer("tok-123"),
                "Bearer tok-123",
                ["Basic tok-123", "tok-123", "Bearer tok-1234"],
            ),
            (
                ServiceAuth::basic("tok-123"),
                "Basic tok-123",
                ["Bearer tok-123", "tok-123", "Basic tok-12"],
            ),
            (
                ServiceAuth::noscheme("tok-123"),
                "tok-123",
                ["Bearer tok-123", "Basic tok-123", "tok-123 "],
            ),
        ];
        for (auth, right, wrongs) in cases {
            let access = Access::service(auth).unwrap();
            assert_eq!(
                access.verify(&one(right)),
                Ok(Caller::Service { token_index: 0 })
            );
            assert_eq!(access.verify(&HeaderMap::new()), Err(Refusal::Missing));
            for wrong in wrongs {
                assert_eq!(access.verify(&one(wrong)), Err(Refusal::Wrong), "{wrong}");
            }
            assert_eq!(
                access.verify(&headers(&[right, right])),
                Err(Refusal::Several)
            );
        }
        let bearer = Access::service(ServiceAuth::bearer("tok-123")).unwrap();
        assert!(bearer.verify(&one("bearer tok-123")).is_ok());
        assert!(bearer.verify(&one("BEARER  tok-123")).is_ok());
    }

    #[test]
    fn rotation_accepts_any_listed_token_and_says_which() {
        let access = Access::service_any([
            ServiceAuth::bearer("new-token"),
            ServiceAuth::noscheme("old-token"),
        ])
        .unwrap();
        assert_eq!(
            access.verify(&one("Bearer new-token")),
            Ok(Caller::Service { token_index: 0 })
        );
        assert_eq!(
            access.verify(&one("old-token")),
            Ok(Caller::Service { token_index: 1 })
        );
        assert_eq!(access.verify(&one("Bearer old-token")), Err(Refusal::Wrong));
    }

    #[test]
    fn configured_tokens_that_could_let_anyone_in_or_never_match_are_refused() {
        assert_eq!(Access::service_any([]).unwrap_err(), AccessError::NoTokens);
        for scheme in [
            ServiceAuth::bearer as fn(&'static str) -> ServiceAuth,
            ServiceAuth::basic,
            ServiceAuth::noscheme,
        ] {
            for blank in ["", " ", "\t", "\n", " \r\n "] {
                assert_eq!(
                    Access::service(scheme(blank)).unwrap_err(),
                    AccessError::BlankToken { index: 0 },
                    "{blank:?}"
                );
            }
            for unsendable in ["tok-123\n", "two words", "tab\tbed", "é-token", "nul\0"] {
                assert_eq!(
                    Access::service(scheme(unsendable)).unwrap_err(),
                    AccessError::UnsendableToken { index: 0 },
                    "{unsendable:?}"
                );
            }
            assert_eq!(
                Access::service_any([scheme("good-token"), scheme("")]).unwrap_err(),
                AccessError::BlankToken { index: 1 }
            );
        }
    }

    #[test]
    fn user_tokens_are_handed_on_and_must_be_bearer() {
        let access = Access::user_token();
        let caller = access.verify(&one("Bearer ya29.user")).unwrap();
        assert_eq!(caller.user_token().map(Secret::expose), Some("ya29.user"));
        assert!(!format!("{caller:?}").contains("ya29"));
        for wrong in [
            "Basic ya29.user",
            "ya29.user",
            "Bearer ",
            "Bearer",
            "Bearer \t",
            "Bearer \tya29",
            "Bearer ya29 user",
            "",
        ] {
            assert_eq!(access.verify(&one(wrong)), Err(Refusal::Wrong), "{wrong:?}");
        }
        assert_eq!(access.verify(&HeaderMap::new()), Err(Refusal::Missing));
        assert_eq!(
            access.verify(&headers(&["Bearer a", "Bearer b"])),
            Err(Refusal::Several)
        );
        assert_eq!(
            Access::open().verify(&HeaderMap::new()),
            Ok(Caller::Anonymous)
        );
    }

    proptest! {
        #[test]
        fn no_other_header_passes_service_auth(presented in "[ -~]{0,40}") {
            let access = Access::service(ServiceAuth::bearer("the-real-token")).unwrap();
            let Ok(value) = HeaderValue::from_str(&presented) else { return Ok(()) };
            let mut map = HeaderMap::new();
            map.insert(header::AUTHORIZATION, value);
            let accepted = access.verify(&map).is_ok();
            let (scheme, token) = presented.split_once(' ').unwrap_or((presented.as_str(), ""));
            let expected = scheme.eq_ignore_ascii_case("bearer") && token.trim_start_matches(' ') == "the-real-token";
            prop_assert_eq!(accepted, expected);
        }
    }
}
