//! The provider's books: the codes it handed out, the grants users gave (one per consent), the
//! access and refresh tokens of each grant, and the rules of RFC 6749, RFC 7636 (PKCE) and
//! RFC 7009 (revocation) and the OAuth security BCP (refresh-token rotation with reuse
//! detection) applied to them. No HTTP here: the endpoints call these.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::reply::random_hex;

/// How long a code may wait for its exchange (RFC 6749 section 4.1.2 recommends at most ten
/// minutes).
const CODE_LIFETIME: Duration = Duration::from_secs(600);
/// The most codes waiting for their exchange; the oldest is dropped past it.
const MAX_CODES: usize = 10_000;

/// How the provider issues tokens; set on its builder.
#[derive(Clone, Copy, Debug)]
pub(super) struct Settings {
    /// How long an access token is good for (and the `expires_in` it is sent with).
    pub access_lifetime: Duration,
    /// Whether a refresh token comes with each access token issued for a code.
    pub refresh_tokens: bool,
    /// Whether a refresh replaces the refresh token (the old one refused from then on).
    pub rotate_refresh_tokens: bool,
    /// Whether a used-up refresh token presented again revokes its grant.
    pub reuse_revokes_grant: bool,
    /// Whether an authorization without a PKCE challenge is refused.
    pub require_pkce: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            access_lifetime: Duration::from_secs(3600),
            refresh_tokens: true,
            rotate_refresh_tokens: false,
            reuse_revokes_grant: true,
            require_pkce: false,
        }
    }
}

/// Why the token endpoint refuses a grant: an RFC 6749 section 5.2 error code and a
/// description.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Refused {
    pub error: &'static str,
    pub description: &'static str,
}

impl Refused {
    fn grant(description: &'static str) -> Self {
        Self {
            error: "invalid_grant",
            description,
        }
    }

    pub(super) fn request(description: &'static str) -> Self {
        Self {
            error: "invalid_request",
            description,
        }
    }
}

/// What the token endpoint answers a grant with.
pub(super) struct Issued {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub expires_in: u64,
    pub scope: Option<String>,
}

/// What an authorization asked for, kept with its code.
pub(super) struct Authorization {
    pub redirect_uri: String,
    /// The S256 challenge, when PKCE was used.
    pub challenge: Option<String>,
    pub subject: String,
    pub scope: Option<String>,
}

struct Code {
    authorization: Authorization,
    at: Instant,
    /// The grant its first exchange started: a second exchange revokes it (RFC 6749 section
    /// 4.1.2: a code used twice may have been stolen).
    used_by: Option<usize>,
}

struct Grant {
    subject: String,
    scope: Option<String>,
    revoked: bool,
}

struct AccessToken {
    grant: usize,
    expires_at: Instant,
    revoked: bool,
}

struct RefreshToken {
    grant: usize,
    /// Replaced by rotation: presenting it again revokes the whole grant.
    used: bool,
}

/// The provider's state: codes, grants and tokens.
#[derive(Default)]
pub(super) struct Books {
    codes: HashMap<String, Code>,
    grants: Vec<Grant>,
    access: HashMap<String, AccessToken>,
    refresh: HashMap<String, RefreshToken>,
    issued: usize,
}

impl Books {
    /// Records an authorization the user agreed to and returns its code.
    pub(super) fn new_code(&mut self, authorization: Authorization) -> String {
        self.codes
            .retain(|_, code| code.used_by.is_some() || code.at.elapsed() < CODE_LIFETIME);
        if self.codes.len() >= MAX_CODES
            && let Some(oldest) = self
                .codes
                .iter()
                .min_by_key(|(_, code)| code.at)
                .map(|(code, _)| code.clone())
        {
            self.codes.remove(&oldest);
        }
        let code = format!("test-code-{}", random_hex(16));
        self.codes.insert(
            code.clone(),
            Code {
                authorization,
                at: Instant::now(),
                used_by: None,
            },
        );
        code
    }

    /// The `authorization_code` grant: the code once, for the `redirect_uri` it was issued
    /// for, with the verifier of its PKCE challenge.
    pub(super) fn exchange_code(
        &mut self,
        settings: &Settings,
        code: &str,
        redirect_uri: Option<&str>,
        verifier: Option<&str>,
    ) -> Result<Issued, Refused> {
        let entry = self
            .codes
            .get_mut(code)
            .ok_or(Refused::grant("unknown code"))?;
        if let Some(grant) = entry.used_by {
            self.revoke_grant(grant);
            return Err(Refused::grant("the code was already used"));
        }
        if entry.at.elapsed() >= CODE_LIFETIME {
            return Err(Refused::grant("the code has expired"));
        }
        let authorization = &entry.authorization;
        if redirect_uri != Some(authorization.redirect_uri.as_str()) {
            return Err(Refused::grant(
                "redirect_uri is not the one the code was issued for",
            ));
        }
        match (&authorization.challenge, verifier) {
            (Some(challenge), Some(verifier)) if pkce_matches(challenge, verifier) => {}
            (Some(_), Some(_)) => return Err(Refused::grant("the code_verifier does not match")),
            (Some(_), None) => return Err(Refused::grant("the code_verifier is missing")),
            (None, Some(_)) => {
                return Err(Refused::grant(
                    "a code_verifier for an authorization without a challenge",
                ));
            }
            (None, None) => {}
        }
        let grant = self.grants.len();
        self.grants.push(Grant {
            subject: authorization.subject.clone(),
            scope: authorization.scope.clone(),
            revoked: false,
        });
        entry.used_by = Some(grant);
        Ok(self.issue(settings, grant, settings.refresh_tokens))
    }

    /// The `refresh_token` grant. With rotation, the refresh token is used up and a new one
    /// issued; a used one presented again revokes its grant (reuse detection: either the
    /// client or an attacker holds a copy).
    pub(super) fn refresh(
        &mut self,
        settings: &Settings,
        refresh_token: &str,
    ) -> Result<Issued, Refused> {
        let entry = self
            .refresh
            .get_mut(refresh_token)
            .ok_or(Refused::grant("unknown refresh token"))?;
        let grant = entry.grant;
        if entry.used {
            if settings.reuse_revokes_grant {
                self.revoke_grant(grant);
            }
            return Err(Refused::grant("the refresh token was already used"));
        }
        if self.grants[grant].revoked {
            return Err(Refused::grant("the grant was revoked"));
        }
        if settings.rotate_refresh_tokens {
            entry.used = true;
        }
        let mut issued = self.issue(settings, grant, settings.rotate_refresh_tokens);
        if !settings.rotate_refresh_tokens {
            issued.refresh_token = None;
        }
        Ok(issued)
    }

    fn issue(&mut self, settings: &Settings, grant: usize, with_refresh: bool) -> Issued {
        let access_token = format!("test-access-token-{}", random_hex(16));
        self.access.insert(
            access_token.clone(),
            AccessToken {
                grant,
                expires_at: Instant::now()
                    .checked_add(settings.access_lifetime)
                    .unwrap_or_else(Instant::now),
                revoked: false,
            },
        );
        let refresh_token = with_refresh.then(|| {
            let token = format!("test-refresh-token-{}", random_hex(16));
            self.refresh
                .insert(token.clone(), RefreshToken { grant, used: false });
            token
        });
        self.issued = self.issued.saturating_add(1);
        Issued {
            access_token,
            refresh_token,
            expires_in: settings.access_lifetime.as_secs(),
            scope: self.grants[grant].scope.clone(),
        }
    }

    /// RFC 7009: a refresh token revokes its grant (every token issued under it); an access
    /// token, itself. An unknown token is no error.
    pub(super) fn revoke(&mut self, token: &str) {
        if let Some(grant) = self.refresh.get(token).map(|entry| entry.grant) {
            self.revoke_grant(grant);
        } else if let Some(access) = self.access.get_mut(token) {
            access.revoked = true;
        }
    }

    fn revoke_grant(&mut self, grant: usize) {
        if let Some(entry) = self.grants.get_mut(grant) {
            entry.revoked = true;
        }
    }

    /// Every grant revoked, as if each user withdrew their consent at the provider.
    pub(super) fn revoke_all(&mut self) {
        for grant in &mut self.grants {
            grant.revoked = true;
        }
    }

    /// Every access token issued so far expired now.
    pub(super) fn expire_access_tokens(&mut self) {
        let now = Instant::now();
        for token in self.access.values_mut() {
            token.expires_at = now;
        }
    }

    /// The user an access token speaks for, while it is good.
    pub(super) fn subject_of(&self, access_token: &str) -> Option<String> {
        let token = self.access.get(access_token)?;
        let grant = self.grants.get(token.grant)?;
        let good = !token.revoked && !grant.revoked && Instant::now() < token.expires_at;
        good.then(|| grant.subject.clone())
    }

    /// How many access tokens have been issued.
    pub(super) fn issued(&self) -> usize {
        self.issued
    }
}

/// RFC 7636 section 4.6: `BASE64URL(SHA256(code_verifier)) == code_challenge`, for a verifier
/// of the section 4.1 shape (43 to 128 unreserved characters).
fn pkce_matches(challenge: &str, verifier: &str) -> bool {
    let shaped = (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
    shaped && URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) == challenge
}

#[cfg(test)]
mod tests {
    use super::*;

    fn authorization(challenge: Option<&str>) -> Authorization {
        Authorization {
            redirect_uri: "http://127.0.0.1/cb".into(),
            challenge: challenge.map(str::to_owned),
            subject: "alice".into(),
            scope: Some("read".into()),
        }
    }

    #[test]
    fn a_verifier_matches_its_s256_challenge_only() {
        // The challenge computed independently, with Python's hashlib and base64:
        // base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
        assert!(pkce_matches(
            "KoXPVp7PZ1N7ArqaxtvNHmix9CyPkx8ZrAFqttXDsgg",
            "dBjftJeZ4CVP-mA3-tNn9sZrs6cHsZM3bXKT5ESpTyM"
        ));
        assert!(!pkce_matches(
            "KoXPVp7PZ1N7ArqaxtvNHmix9CyPkx8ZrAFqttXDsgg",
            "dBjftJeZ4CVP-mA3-tNn9sZrs6cHsZM3bXKT5ESpTyN"
        ));
        assert!(!pkce_matches("x", "short"));
    }

    #[test]
    fn a_code_is_good_once_and_its_reuse_revokes_what_it_gave() {
        let settings = Settings::default();
        let mut books = Books::default();
        let code = books.new_code(authorization(None));
        let issued = books
            .exchange_code(&settings, &code, Some("http://127.0.0.1/cb"), None)
            .unwrap();
        assert_eq!(
            books.subject_of(&issued.access_token).as_deref(),
            Some("alice")
        );
        let again = books.exchange_code(&settings, &code, Some("http://127.0.0.1/cb"), None);
        assert_eq!(again.err().unwrap().error, "invalid_grant");
        assert_eq!(books.subject_of(&issued.access_token), None);
    }

    #[test]
    fn rotation_uses_up_a_refresh_token_and_reuse_revokes_the_grant() {
        let settings = Settings {
            rotate_refresh_tokens: true,
            ..Settings::default()
        };
        let mut books = Books::default();
        let code = books.new_code(authorization(None));
        let first = books
            .exchange_code(&settings, &code, Some("http://127.0.0.1/cb"), None)
            .unwrap();
        let old = first.refresh_token.unwrap();
        let second = books.refresh(&settings, &old).unwrap();
        let new = second.refresh_token.unwrap();
        assert_ne!(old, new);
        assert!(books.subject_of(&second.access_token).is_some());
        assert!(books.refresh(&settings, &old).is_err());
        assert_eq!(books.subject_of(&second.access_token), None);
        assert!(books.refresh(&settings, &new).is_err(), "the grant is gone");
    }
}
