//! The facade's types: what callers read and send, converted to and from the raw bindings.
//!
//! All of them implement `Serialize` and `Deserialize`, and with the `schemars` feature
//! `JsonSchema`, so connector definitions can live in configuration files and be validated
//! against a schema.

use std::fmt;

use chrono::{DateTime, Utc};
#[cfg(feature = "schemars")]
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};

use super::definition::{OAuthConfig, ServiceAuth, validate_auth};
use super::url::{HttpUrl, as_sent, as_sent_option};
use crate::{ConnectorId, Error, Operation, Result, Secret};

/// Declares an enum that accepts every string: the values the API documents, plus
/// `Unknown(String)` for anything else, so a value the API adds tomorrow still decodes.
macro_rules! open_enum {
    (@shown $wire:literal) => { $wire };
    (@shown $wire:literal, $shown:literal) => { $shown };
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident = $wire:literal $(=> $shown:literal)?, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$variant_meta])* $variant, )*
            /// A value this version of the crate does not know.
            Unknown(String),
        }

        impl $name {
            /// The value as the API writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )*
                    Self::Unknown(other) => other,
                }
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $( $wire => Self::$variant, )*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                match value.as_str() {
                    $( $wire => Self::$variant, )*
                    _ => Self::Unknown(value),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            /// The value for people: the wire value, except where it reads as nothing.
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self {
                    $( Self::$variant => f.write_str(open_enum!(@shown $wire $(, $shown)?)), )*
                    Self::Unknown(other) => f.write_str(other),
                }
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            /// Reads the string where it lies: a value the crate knows costs no allocation.
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                struct Text;

                impl ::serde::de::Visitor<'_> for Text {
                    type Value = $name;

                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str("a string")
                    }

                    fn visit_str<E: ::serde::de::Error>(
                        self,
                        value: &str,
                    ) -> ::std::result::Result<$name, E> {
                        Ok($name::from(value))
                    }

                    fn visit_string<E: ::serde::de::Error>(
                        self,
                        value: String,
                    ) -> ::std::result::Result<$name, E> {
                        Ok($name::from(value))
                    }
                }

                deserializer.deserialize_str(Text)
            }
        }

        #[cfg(feature = "schemars")]
        impl ::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                ::schemars::json_schema!({ "type": "string", "examples": [ $( $wire ),* ] })
            }
        }
    };
}
// The chat's open enums (finish reasons, citation kinds) are declared the same way.
#[cfg_attr(not(feature = "chat"), allow(unused_imports))]
pub(crate) use open_enum;

open_enum! {
    /// How a connector authenticates to the data source.
    ///
    /// ```
    /// use cohere_connectors::AuthType;
    ///
    /// assert_eq!(AuthType::from("oauth"), AuthType::OAuth);
    /// assert_eq!(AuthType::from("saml"), AuthType::Unknown("saml".into()));
    /// ```
    pub enum AuthType {
        /// OAuth 2.0, per user.
        OAuth = "oauth",
        /// A token the API sends to the connector on every request.
        ServiceAuth = "service_auth",
    }
}

open_enum! {
    /// Whether the calling user has authorized an OAuth connector.
    ///
    /// ```
    /// use cohere_connectors::AuthStatus;
    ///
    /// assert_eq!(AuthStatus::from(""), AuthStatus::NotAuthorized);
    /// assert_eq!(AuthStatus::from("expired"), AuthStatus::Expired);
    /// // Display is for people; `as_str` is the wire value.
    /// assert_eq!(AuthStatus::NotAuthorized.to_string(), "not authorized");
    /// assert_eq!(AuthStatus::NotAuthorized.as_str(), "");
    /// assert_eq!(AuthStatus::Valid.to_string(), "valid");
    /// ```
    pub enum AuthStatus {
        /// The user's token is valid.
        Valid = "valid",
        /// The user's token has expired: authorize again.
        Expired = "expired",
        /// The user has not authorized the connector yet (some servers send `""`; the API
        /// leaves the field out).
        NotAuthorized = "" => "not authorized",
    }
}

/// How a service-auth token goes into the `Authorization` header of requests to the
/// connector.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum AuthTokenType {
    /// `Authorization: Bearer <token>`
    Bearer,
    /// `Authorization: Basic <token>`
    Basic,
    /// `Authorization: <token>`, the API's default.
    #[default]
    NoScheme,
}

impl AuthTokenType {
    /// The value as the API writes it.
    ///
    /// ```
    /// use cohere_connectors::AuthTokenType;
    ///
    /// assert_eq!(AuthTokenType::NoScheme.as_str(), "noscheme");
    /// assert_eq!("basic".parse::<AuthTokenType>(), Ok(AuthTokenType::Basic));
    /// assert!("Bearer".parse::<AuthTokenType>().is_err());
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Bearer => "bearer",
            Self::Basic => "basic",
            Self::NoScheme => "noscheme",
        }
    }
}

impl std::str::FromStr for AuthTokenType {
    type Err = String;

    /// `bearer`, `basic` or `noscheme`, as the API writes them.
    fn from_str(text: &str) -> std::result::Result<Self, String> {
        [Self::Bearer, Self::Basic, Self::NoScheme]
            .into_iter()
            .find(|kind| kind.as_str() == text)
            .ok_or_else(|| "a token type is bearer, basic or noscheme".to_owned())
    }
}

/// A connector, as the API returns it. Fields the API adds later are ignored.
///
/// Its id is a [`ConnectorId`]: an answer with an id no URL path can carry (empty, `.`,
/// `..`, holding `\`, longer than [`MAX_ID_BYTES`](crate::MAX_ID_BYTES)) does not decode,
/// since no call could name that connector. Its URLs are kept as the API sent them, and
/// shown with a password hidden.
///
/// ```
/// use cohere_connectors::{AuthType, Connector};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> cohere_connectors::Result<()> {
/// # let emulator = cohere_connectors_emulator::Emulator::builder().seed(1).start().await.unwrap();
/// # let client = emulator.client()?;
/// let connector: Connector = client.connectors().get("sample-connector-1").await?;
/// assert_eq!(connector.auth_type, Some(AuthType::ServiceAuth));
/// assert_eq!(connector.active, Some(true));
/// // Built by hand, for test data:
/// let wiki = Connector::new("wiki", "Wiki").with_url("https://wiki.example.com/search");
/// assert_eq!(wiki.url.as_deref(), Some("https://wiki.example.com/search"));
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(JsonSchema))]
#[non_exhaustive]
pub struct Connector {
    /// The connector's id, derived from its name when it was created.
    pub id: ConnectorId,
    /// The organization the connector belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// Human-readable name.
    pub name: String,
    /// What the connector is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The URL the API calls to search the data source.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "as_sent_option"
    )]
    pub url: Option<HttpUrl>,
    /// When it was created.
    #[serde(deserialize_with = "super::timestamp::deserialize")]
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    #[serde(deserialize_with = "super::timestamp::deserialize")]
    pub updated_at: DateTime<Utc>,
    /// Fields of the returned documents kept out of the prompt.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excludes: Vec<String>,
    /// How it authenticates to the data source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_type: Option<AuthType>,
    /// Its OAuth configuration (never with the client secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth: Option<ConnectorOAuth>,
    /// Whether the calling user has authorized it (OAuth connectors).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_status: Option<AuthStatus>,
    /// Whether it is active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// Whether a chat request goes on when this connector fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continue_on_failure: Option<bool>,
}

/// A connector's OAuth configuration, as the API returns it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(JsonSchema))]
#[non_exhaustive]
pub struct ConnectorOAuth {
    /// The OAuth client id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The client secret: the API never returns it, so this is `None` in practice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<Secret>,
    /// The provider's authorization endpoint.
    #[serde(deserialize_with = "as_sent")]
    pub authorize_url: HttpUrl,
    /// The provider's token endpoint.
    #[serde(deserialize_with = "as_sent")]
    pub token_url: HttpUrl,
    /// The scopes requested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

/// One page of connectors.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> cohere_connectors::Result<()> {
/// # let emulator = cohere_connectors_emulator::Emulator::builder().seed(12).start().await.unwrap();
/// # let client = emulator.client()?;
/// let page = client.connectors().list().limit(10).send().await?;
/// for connector in &page.connectors {
///     println!("{}", connector.name);
/// }
/// assert_eq!(page.connectors.len(), 10);
/// assert_eq!(page.total_count, Some(12));
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(JsonSchema))]
#[non_exhaustive]
pub struct ConnectorPage {
    /// The connectors of this page, newest first.
    pub connectors: Vec<Connector>,
    /// How many connectors there are in all. The API documents the field as optional, so it is
    /// `None` if a response leaves it out; `3` and `3.0` on the wire both read as `Some(3)`,
    /// and anything but a whole, non-negative number is a decode error.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "whole_count"
    )]
    pub total_count: Option<u64>,
}

/// A count sent as any JSON number: `3`, `3.0`, `3e0`; not `2.5`, `-1` or `1e20`.
fn whole_count<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    struct Count;

    impl<'v> serde::de::Visitor<'v> for Count {
        type Value = Option<u64>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a whole, non-negative number of connectors")
        }

        fn visit_u64<E>(self, value: u64) -> Result<Option<u64>, E> {
            Ok(Some(value))
        }

        fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<Option<u64>, E> {
            u64::try_from(value)
                .map(Some)
                .map_err(|_| E::custom(format!("total_count {value} is negative")))
        }

        fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<Option<u64>, E> {
            // 2^64 as an f64: every whole f64 below it fits in a u64.
            const LIMIT: f64 = 18_446_744_073_709_551_616.0;
            if value.is_finite() && value >= 0.0 && value.fract() == 0.0 && value < LIMIT {
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                Ok(Some(value as u64))
            } else {
                Err(E::custom(format!(
                    "total_count {value} is not a whole number of connectors"
                )))
            }
        }

        fn visit_unit<E>(self) -> Result<Option<u64>, E> {
            Ok(None)
        }

        fn visit_none<E>(self) -> Result<Option<u64>, E> {
            Ok(None)
        }

        fn visit_some<V: Deserializer<'v>>(self, deserializer: V) -> Result<Option<u64>, V::Error> {
            deserializer.deserialize_any(self)
        }
    }

    deserializer.deserialize_option(Count)
}

impl IntoIterator for ConnectorPage {
    type Item = Connector;
    type IntoIter = std::vec::IntoIter<Connector>;

    fn into_iter(self) -> Self::IntoIter {
        self.connectors.into_iter()
    }
}

/// The fields of a connector to change: the body of `PATCH /v1/connectors/{id}`. Only the
/// fields that are set are sent; the others keep their current values.
///
/// ```
/// use cohere_connectors::ConnectorUpdate;
///
/// let mut update = ConnectorUpdate::default();
/// update.active = Some(false);
/// update.excludes = Some(vec![]); // sent as `[]`: clears the list
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ConnectorUpdate {
    /// A new name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A new search URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<HttpUrl>,
    /// A new list of excluded fields (`Some(vec![])` clears it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excludes: Option<Vec<String>>,
    /// New OAuth settings; exclusive with `service_auth`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth: Option<OAuthConfig>,
    /// A new service-to-service token; exclusive with `oauth`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_auth: Option<ServiceAuth>,
    /// Activate or deactivate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// Whether a chat request goes on when the connector fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continue_on_failure: Option<bool>,
}

impl ConnectorUpdate {
    pub(crate) fn validate(&self, operation: Operation) -> Result<()> {
        if let Some(name) = &self.name {
            require_text(operation, "name", name)?;
        }
        if let Some(url) = &self.url {
            require_http_url(operation, "url", url)?;
        }
        validate_auth(operation, self.oauth.as_ref(), self.service_auth.as_ref())
    }
}

pub(crate) fn require_text(operation: Operation, field: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid(operation, format!("{field} is empty")));
    }
    Ok(())
}

/// URLs are not echoed back in the message: they may carry credentials.
pub(crate) fn require_http_url(operation: Operation, field: &str, value: &str) -> Result<()> {
    HttpUrl::from(value)
        .check()
        .map_err(|invalid| Error::invalid(operation, format!("{field} is {invalid}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_must_be_whole_and_non_negative() {
        let total = |json: &str| {
            serde_json::from_str::<ConnectorPage>(&format!(
                r#"{{"connectors": [], "total_count": {json}}}"#
            ))
            .map(|page| page.total_count)
        };
        assert_eq!(total("3").unwrap(), Some(3));
        assert_eq!(total("3.0").unwrap(), Some(3));
        assert_eq!(total("0").unwrap(), Some(0));
        assert_eq!(total("null").unwrap(), None);
        for bad in ["-1", "2.5", "1e20", "\"3\"", "true"] {
            assert!(total(bad).is_err(), "{bad}");
        }
        let absent: ConnectorPage = serde_json::from_str(r#"{"connectors": []}"#).unwrap();
        assert_eq!(absent.total_count, None);
    }

    #[test]
    fn open_enums_round_trip_unknown_values() {
        let status: AuthStatus = serde_json::from_str(r#""revoked""#).unwrap();
        assert_eq!(status, AuthStatus::Unknown("revoked".into()));
        assert_eq!(serde_json::to_string(&status).unwrap(), r#""revoked""#);
        assert_eq!(
            serde_json::to_string(&AuthStatus::NotAuthorized).unwrap(),
            r#""""#
        );
    }
}
