//! The rules a manifest keeps beyond its shape (see [`Manifest::validate`]).

use std::collections::{HashMap, HashSet};

use super::{MANIFEST_VERSION, Manifest, ManifestConnector};
use crate::MigrateError;
use crate::secrets::{
    SecretKind, SecretRef, derived_owner, id_from_name, is_export_name, variable_name,
};
use cohere_connectors::text::one_line;

pub(super) fn validate(manifest: &Manifest) -> Result<(), MigrateError> {
    if manifest.version != MANIFEST_VERSION {
        return Err(MigrateError::manifest(format!(
            "version {} is not supported (this crate reads version {MANIFEST_VERSION})",
            manifest.version
        )));
    }
    let owners = export_names(manifest);
    let mut ids = HashSet::new();
    let mut names = HashSet::new();
    for (index, connector) in manifest.connectors.iter().enumerate() {
        let at = Place { index, connector };
        one_connector(&at)?;
        if let Some(id) = &connector.id
            && !ids.insert(id.as_str())
        {
            return Err(at.refuse(format!("the id `{}` appears twice", one_line(id, 100))));
        }
        // Connectors without an id are matched, and created, by name: two would be one.
        if connector.id.is_none() && !names.insert(connector.definition.name.as_str()) {
            return Err(at.refuse(format!(
                "the name `{}` appears twice",
                one_line(&connector.definition.name, 100)
            )));
        }
        references(&at, &owners)?;
    }
    Ok(())
}

/// Where a rule is broken, for its message.
struct Place<'a> {
    index: usize,
    connector: &'a ManifestConnector,
}

impl Place<'_> {
    fn refuse(&self, message: String) -> MigrateError {
        MigrateError::manifest(format!("connectors[{}]: {message}", self.index))
    }

    /// `connectors[3] (`wiki`)`, for rules about a connector that has a label.
    fn named(&self) -> String {
        format!(
            "connectors[{}] (`{}`)",
            self.index,
            self.connector.shown_label()
        )
    }
}

fn one_connector(at: &Place<'_>) -> Result<(), MigrateError> {
    let connector = at.connector;
    let definition = &connector.definition;
    if connector.id.is_none() && definition.name.trim().is_empty() {
        return Err(at.refuse(
            "the name is empty (a connector without an id is matched and created by name)".into(),
        ));
    }
    if connector.id.is_none() && definition.url.is_none() {
        return Err(MigrateError::manifest(format!(
            "missing field `url` in {}, which has no id: a connector to create needs one",
            at.named()
        )));
    }
    let urls = [
        ("url", definition.url.as_ref()),
        (
            "oauth.authorize_url",
            definition
                .oauth
                .as_ref()
                .and_then(|o| o.authorize_url.as_ref()),
        ),
        (
            "oauth.token_url",
            definition.oauth.as_ref().and_then(|o| o.token_url.as_ref()),
        ),
    ];
    for (field, url) in urls {
        if let Some(Err(invalid)) = url.map(|url| url.check()) {
            return Err(at.refuse(format!("the {field} is {invalid}")));
        }
    }
    if connector.url_password.is_some() {
        match &definition.url {
            None => {
                return Err(at.refuse("url_password is set, and there is no url".into()));
            }
            Some(url) if url.password().is_some() => {
                return Err(at.refuse(
                    "the url holds a password and url_password is set: keep one (url_password)"
                        .into(),
                ));
            }
            Some(_) => {}
        }
    }
    if definition.service_auth.is_some() && definition.oauth.is_some() {
        return Err(at.refuse("oauth and service_auth are mutually exclusive".into()));
    }
    Ok(())
}

/// Every variable an export would name for the manifest's connectors, with its owner.
fn export_names(manifest: &Manifest) -> HashMap<String, &str> {
    manifest
        .connectors
        .iter()
        .filter_map(|connector| connector.id.as_deref())
        .flat_map(|id| {
            SecretKind::ALL
                .into_iter()
                .map(move |kind| (variable_name(id, kind), id))
        })
        .collect()
}

/// A connector's references name something, and a variable of the export's shape is only
/// ever the connector's own (for one not created yet, that of the id the API will derive
/// from its name): with `wiki-2` and `wiki.2` both reading
/// `CONNECTOR_WIKI_2_SERVICE_TOKEN` (as manifests written before names were made distinct
/// do), the token filled in for one would be sent to the other.
fn references(at: &Place<'_>, owners: &HashMap<String, &str>) -> Result<(), MigrateError> {
    let connector = at.connector;
    for (kind, reference) in connector.secret_references() {
        let name = match reference {
            SecretRef::Env(name) => name,
            SecretRef::File(path) if path.as_os_str().is_empty() => {
                return Err(at.refuse(format!("{}: the file path is empty", kind.field())));
            }
            SecretRef::File(_) | SecretRef::Value(_) => continue,
        };
        if name.is_empty() {
            return Err(at.refuse(format!("{}: the variable name is empty", kind.field())));
        }
        // A connector not created yet owns the names of the id the API will derive.
        let own_id = connector
            .id
            .as_ref()
            .map(ToString::to_string)
            .or_else(|| id_from_name(&connector.definition.name));
        let own = |id: &str| {
            SecretKind::ALL
                .iter()
                .any(|k| variable_name(id, *k) == *name)
        };
        let owner = match owners.get(name.as_str()) {
            Some(owner) if connector.id.as_deref() == Some(*owner) => continue,
            Some(owner) => Some((*owner).to_owned()),
            None if !is_export_name(name) || own_id.as_deref().is_some_and(own) => continue,
            None => derived_owner(name),
        };
        let whose = owner.map_or_else(
            || "another connector".to_owned(),
            |owner| format!("connector `{}`", one_line(&owner, 100)),
        );
        let own_name = own_id
            .map(|id| format!(" (an export names it {})", variable_name(&id, kind)))
            .unwrap_or_default();
        return Err(MigrateError::manifest(format!(
            "{}: {} comes from {}, the variable an export names for {whose}: that connector's secret would be sent to this one's URL. Give it a variable of its own{own_name}, or one without the CONNECTOR_ prefix to share a secret on purpose",
            at.named(),
            kind.field(),
            one_line(name, 100),
        )));
    }
    Ok(())
}
