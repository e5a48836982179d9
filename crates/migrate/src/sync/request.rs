//! What a change sends, built from the definition and the fields the plan listed: the same
//! function when the plan is made (to find a missing secret before anything is applied) and
//! when it is applied (secrets resolved again, from the same references).

use cohere_connectors::{ConnectorUpdate, NewConnector};

use super::diff::FieldChange;
use crate::{ManifestConnector, MigrateError, Secrets};

/// The create request of `definition`.
pub(crate) fn create(
    definition: &ManifestConnector,
    secrets: &Secrets,
) -> Result<NewConnector, MigrateError> {
    definition.to_new_connector(secrets)
}

/// The update request that sends `fields` of `definition`, and only those.
pub(crate) fn update(
    definition: &ManifestConnector,
    fields: &[FieldChange],
    secrets: &Secrets,
) -> Result<ConnectorUpdate, MigrateError> {
    let desired = &definition.definition;
    let mut request = ConnectorUpdate::new();
    for field in fields {
        match field.field.as_str() {
            "name" => request.name = Some(desired.name.clone()),
            "url" => request.url = definition.search_url(secrets)?,
            "excludes" => request.excludes = Some(desired.excludes.clone()),
            "active" => request.active = desired.active,
            "continue_on_failure" => request.continue_on_failure = desired.continue_on_failure,
            "service_auth" => request.service_auth = definition.service_auth(secrets)?,
            // The API takes OAuth settings whole: any of them sends them all.
            oauth
                if (oauth == "oauth" || oauth.starts_with("oauth.")) && request.oauth.is_none() =>
            {
                request.oauth = definition.oauth(secrets)?;
            }
            _ => {}
        }
    }
    Ok(request)
}
