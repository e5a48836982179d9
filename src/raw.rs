//! The bindings progenitor generates from `openapi/connectors.yaml` at build time.
//!
//! This is the escape hatch: every operation and type of the API exactly as the fragment
//! describes it, without the facade's retries, validation or types. Most code wants the
//! facade ([`crate::Client`]) instead.
//!
//! Each operation is a method of [`Client`] that returns a builder: set its parameters with
//! the builder's methods of the same names (documented on the client method), then `.send()`.
//! Connector ids are [`crate::ConnectorId`]s and secrets [`crate::Secret`]s here too, so ids
//! never leave their path segment and no type prints a secret. Requests follow the same rules
//! as the facade's: the path guard, the credential rules, no redirects, bounded bodies.
//! Failures are progenitor's own [`Error`]s, as progenitor reports them: a refused request
//! is `InvalidRequest`, an undocumented status (a redirect, a proxy's 502) is
//! `UnexpectedResponse`, and a followed redirect or a body over its limit is `Custom`.
//!
//! ```
//! use cohere_connectors::raw;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let emulator = cohere_connectors_emulator::Emulator::builder().seed(2).start().await?;
//! # let (base_url, key) = (emulator.base_url(), emulator.api_key());
//! let client = raw::Client::new(base_url, raw::Transport::with_api_key(key)?);
//! let page = client.list_connectors().limit(1).send().await?;
//! assert_eq!(page.connectors.len(), 1);
//! # Ok(()) }
//! ```
//!
//! The documentation of the operations, parameters, types and fields is this project's own
//! (Cohere's prose is not copied into the fragment). progenitor generates the builders'
//! setter methods without documentation; each sets the argument of the same name.
#![allow(
    missing_docs,
    clippy::all,
    clippy::pedantic,
    clippy::arithmetic_side_effects
)]

include!(concat!(env!("OUT_DIR"), "/raw.rs"));

pub use crate::http::transport::Transport;

/// The transport's rules in progenitor's hooks, the one place where a generated client meets
/// them: `pre` applies them to the request progenitor built (or refuses it), `exec` sends it
/// and reads the body back under its limit, `post` refuses what `exec` found unusable. Every
/// generated client (this one, and the chat's with the feature `chat`) implements its hooks
/// with this, in its own module.
macro_rules! transport_hooks {
    () => {
        impl ClientHooks<$crate::http::transport::Transport> for Client {
            async fn pre<E>(
                &self,
                request: &mut reqwest::Request,
                info: &OperationInfo,
            ) -> std::result::Result<(), Error<E>> {
                let shape = $crate::http::guard::shape_of_generated(info.operation_id).ok_or_else(
                    || Error::InvalidRequest(format!("unknown operation {:?}", info.operation_id)),
                )?;
                self.inner
                    .prepare(&self.baseurl, shape, request)
                    .map_err(Error::InvalidRequest)
            }

            async fn exec(
                &self,
                request: reqwest::Request,
                _info: &OperationInfo,
            ) -> reqwest::Result<reqwest::Response> {
                $crate::http::transport::send_for_raw(&self.client, &self.inner, request).await
            }

            async fn post<E>(
                &self,
                result: &reqwest::Result<reqwest::Response>,
                _info: &OperationInfo,
            ) -> std::result::Result<(), Error<E>> {
                match result.as_ref().ok().and_then(|response| {
                    response
                        .extensions()
                        .get::<$crate::http::transport::Refusal>()
                }) {
                    Some(refusal) => Err(Error::Custom(refusal.to_string())),
                    None => Ok(()),
                }
            }
        }
    };
}
// The chat's raw bindings (feature `chat`) take the same hooks.
#[cfg(feature = "chat")]
pub(crate) use transport_hooks;

transport_hooks!();
