//! The bindings progenitor generates from `openapi/connectors.yaml` at build time.
//!
//! This is the escape hatch: every operation and type of the API exactly as the fragment
//! describes it. Most code wants the facade ([`crate::Client`]) instead.
#![allow(
    missing_docs,
    clippy::all,
    clippy::pedantic,
    clippy::arithmetic_side_effects
)]

include!(concat!(env!("OUT_DIR"), "/raw.rs"));

pub use crate::http::transport::Transport;

/// Every request of the raw client goes through the crate's transport rules (see
/// `src/http/transport.rs`): the path guard, the credential rules, redirects refused, bodies
/// bounded.
impl progenitor_client::ClientHooks<Transport> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &progenitor_client::OperationInfo,
    ) -> std::result::Result<(), progenitor_client::Error<E>> {
        crate::http::transport::pre_hook(self, request, info).await
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &progenitor_client::OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        crate::http::transport::exec_hook(self, request, info).await
    }
}
