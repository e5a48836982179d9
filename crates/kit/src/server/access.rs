//! Who may search: the service token Cohere sends, a user's bearer token, or anyone.

use std::fmt;

use axum::http::HeaderValue;
use subtle::{Choice, ConstantTimeEq};

use crate::client_scheme_prefix;
use cohere_connectors::{AuthTokenType, Secret, ServiceAuth};

/// Who may search the connector, and how the `Authorization` header shows it.
///
/// ```
/// use cohere_connectors::ServiceAuth;
/// use cohere_connectors_kit::server::Access;
///
/// // The token registered as the connector's service_auth (type bearer):
/// let access = Access::service(ServiceAuth::bearer("new-token"));
/// // While rotating, accept the old token too, then drop it once the connector is updated:
/// let rotating = Access::service_any([ServiceAuth::bearer("new-token"), ServiceAuth::bearer("old-token")]);
/// assert!(!format!("{rotating:?}").contains("old-token"));
/// // An OAuth (or pass-through) connector: every search carries a user's bearer token.
/// let per_user = Access::user_token();
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
}

impl Refusal {
    pub(crate) fn message(self) -> &'static str {
        match self {
            Self::Missing => "no credentials: send the Authorization header",
            Self::Wrong => "invalid credentials",
        }
    }
}

impl Access {
    /// Cohere's service auth: requests must carry this token, written the way its type says
    /// (`Bearer <token>`, `Basic <token>` or `<token>`).
    pub fn service(auth: ServiceAuth) -> Self {
        Self::service_any([auth])
    }

    /// Service auth accepting any of these tokens (to rotate one without downtime). An empty
    /// list accepts no request.
    pub fn service_any(auths: impl IntoIterator<Item = ServiceAuth>) -> Self {
        Self {
            kind: Kind::Service(auths.into_iter().collect()),
        }
    }

    /// Requests must carry `Authorization: Bearer <token>`, which the handler gets as
    /// [`Caller::User`] to pass on to the data source (OAuth and pass-through connectors).
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

    /// The secrets this access holds, for scrubbing text before it is logged.
    pub(crate) fn secrets(&self) -> Vec<Secret> {
        match &self.kind {
            Kind::Service(auths) => auths.iter().map(|auth| auth.token.clone()).collect(),
            _ => Vec::new(),
        }
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

    /// Who `authorization` (the request's header) is, or why it is refused.
    pub(crate) fn verify(&self, authorization: Option<&HeaderValue>) -> Result<Caller, Refusal> {
        match &self.kind {
            Kind::Open => Ok(Caller::Anonymous),
            Kind::UserToken => {
                let header = authorization.ok_or(Refusal::Missing)?;
                let (scheme, token) = split_scheme(header.as_bytes()).ok_or(Refusal::Wrong)?;
                let token = std::str::from_utf8(token).map_err(|_| Refusal::Wrong)?;
                if !scheme.eq_ignore_ascii_case(b"bearer") || token.is_empty() {
                    return Err(Refusal::Wrong);
                }
                Ok(Caller::User(Secret::from(token)))
            }
            Kind::Service(auths) => {
                let header = authorization.ok_or(Refusal::Missing)?;
                // Every accepted token is compared, in constant time, whatever matched first.
                let matches: Vec<Choice> = auths
                    .iter()
                    .map(|auth| presented_matches(header.as_bytes(), auth))
                    .collect();
                matches
                    .iter()
                    .position(|matched| bool::from(*matched))
                    .map(|token_index| Caller::Service { token_index })
                    .ok_or(Refusal::Wrong)
            }
        }
    }
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
    use proptest::prelude::*;

    fn header(text: &str) -> HeaderValue {
        HeaderValue::from_str(text).unwrap()
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
            let access = Access::service(auth);
            assert_eq!(
                access.verify(Some(&header(right))),
                Ok(Caller::Service { token_index: 0 })
            );
            assert_eq!(access.verify(None), Err(Refusal::Missing));
            for wrong in wrongs {
                assert_eq!(
                    access.verify(Some(&header(wrong))),
                    Err(Refusal::Wrong),
                    "{wrong}"
                );
            }
        }
        let bearer = Access::service(ServiceAuth::bearer("tok-123"));
        assert!(bearer.verify(Some(&header("bearer tok-123"))).is_ok());
        assert!(bearer.verify(Some(&header("BEARER  tok-123"))).is_ok());
    }

    #[test]
    fn rotation_accepts_any_listed_token_and_says_which() {
        let access = Access::service_any([
            ServiceAuth::bearer("new-token"),
            ServiceAuth::noscheme("old-token"),
        ]);
        assert_eq!(
            access.verify(Some(&header("Bearer new-token"))),
            Ok(Caller::Service { token_index: 0 })
        );
        assert_eq!(
            access.verify(Some(&header("old-token"))),
            Ok(Caller::Service { token_index: 1 })
        );
        assert_eq!(
            access.verify(Some(&header("Bearer old-token"))),
            Err(Refusal::Wrong)
        );
        assert_eq!(
            Access::service_any([]).verify(Some(&header("x"))),
            Err(Refusal::Wrong)
        );
    }

    #[test]
    fn user_tokens_are_handed_on_and_must_be_bearer() {
        let access = Access::user_token();
        let caller = access.verify(Some(&header("Bearer ya29.user"))).unwrap();
        assert_eq!(caller.user_token().map(Secret::expose), Some("ya29.user"));
        assert!(!format!("{caller:?}").contains("ya29"));
        for wrong in ["Basic ya29.user", "ya29.user", "Bearer ", "Bearer"] {
            assert_eq!(
                access.verify(Some(&header(wrong))),
                Err(Refusal::Wrong),
                "{wrong}"
            );
        }
        assert_eq!(access.verify(None), Err(Refusal::Missing));
        assert_eq!(Access::open().verify(None), Ok(Caller::Anonymous));
    }

    proptest! {
        #[test]
        fn no_other_header_passes_service_auth(presented in "[ -~]{0,40}") {
            let access = Access::service(ServiceAuth::bearer("the-real-token"));
            let Ok(value) = HeaderValue::from_str(&presented) else { return Ok(()) };
            let accepted = access.verify(Some(&value)).is_ok();
            let (scheme, token) = presented.split_once(' ').unwrap_or((presented.as_str(), ""));
            let expected = scheme.eq_ignore_ascii_case("bearer") && token.trim_start_matches(' ') == "the-real-token";
            prop_assert_eq!(accepted, expected);
        }
    }
}
