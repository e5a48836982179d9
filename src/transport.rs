//! What every request goes through: progenitor's `ClientHooks`, implemented for the raw client.

use std::sync::Arc;

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};

use crate::raw;

/// progenitor adds this header to every request; Cohere's API has no use for it.
const PROGENITOR_VERSION_HEADER: &str = "api-version";

/// The raw client's per-client state (progenitor's "inner type").
#[derive(Clone, Debug, Default)]
pub struct Transport {
    settings: Arc<Settings>,
}

#[derive(Debug, Default)]
struct Settings {}

impl ClientHooks<Transport> for raw::Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        let _ = &self.inner().settings;
        request.headers_mut().remove(PROGENITOR_VERSION_HEADER);
        Ok(())
    }
}
