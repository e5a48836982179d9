//! The bindings the facade calls: progenitor's output for the same fragment as
//! [`crate::raw`], with the bodies of the six operations replaced by the facade's own types
//! (build.rs finds them by structure). Answers decode straight into `ConnectorPage` and
//! `Connector`, and requests are `NewConnector` and `ConnectorUpdate` as they are: no
//! conversion, and no field name of a generated type in the facade's code.
#![allow(
    dead_code,
    unused_imports,
    missing_docs,
    clippy::all,
    clippy::pedantic,
    clippy::arithmetic_side_effects
)]

include!(concat!(env!("OUT_DIR"), "/facade_bindings.rs"));

use crate::raw::Transport;

/// The same transport rules as the raw client's.
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
