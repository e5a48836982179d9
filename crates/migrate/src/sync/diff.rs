//! Field-by-field comparison of a connector as the account has it with its definition.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ManifestConnector;
use cohere_connectors::Connector;
use cohere_connectors::text::escape;

/// One field that differs, shown as text (`(none)` when absent): quoted, a password in a URL
/// hidden, controls and bidi overrides escaped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct FieldChange {
    /// The field (`url`, `excludes`, `oauth.token_url`...).
    pub field: String,
    /// What the account has.
    pub from: String,
    /// What the definition says.
    pub to: String,
}

impl FieldChange {
    pub(crate) fn new(field: &str, from: &str, to: &str) -> Self {
        change(field, from.to_owned(), to.to_owned())
    }
}

impl fmt::Display for FieldChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} -> {}", self.field, self.from, self.to)
    }
}

fn shown(value: Option<&str>) -> String {
    match value {
        Some(text) => escape(&serde_json::to_string(text).unwrap_or_default()).into_owned(),
        None => "(none)".to_owned(),
    }
}

/// A URL as a plan shows it: quoted, a password in it hidden.
fn shown_url(value: Option<&str>) -> String {
    shown(value.map(cohere_connectors::redact_url).as_deref())
}

fn change(field: &str, from: String, to: String) -> FieldChange {
    FieldChange {
        field: field.to_owned(),
        from,
        to,
    }
}

/// What differs between `current` and `desired` in the fields an update can change:
/// name, url, excludes (as a set), active, continue_on_failure, and OAuth's public settings.
/// A field the definition leaves out is not compared.
pub(crate) fn updatable(
    current: &Connector,
    desired: &ManifestConnector,
    desired_url: Option<&str>,
) -> Vec<FieldChange> {
    let mut changes = Vec::new();
    if current.name != desired.definition.name {
        changes.push(change(
            "name",
            shown(Some(&current.name)),
            shown(Some(&desired.definition.name)),
        ));
    }
    if let Some(want) = desired_url
        && current.url.as_deref() != Some(want)
    {
        changes.push(change(
            "url",
            shown_url(current.url.as_deref()),
            shown_url(Some(want)),
        ));
    }
    let mut have = current.excludes.clone();
    let mut want = desired.definition.excludes.clone();
    have.sort();
    want.sort();
    if have != want {
        let list = |items: &[String]| {
            escape(&serde_json::to_string(items).unwrap_or_default()).into_owned()
        };
        changes.push(change(
            "excludes",
            list(&current.excludes),
            list(&desired.definition.excludes),
        ));
    }
    for (field, have, want) in [
        ("active", current.active, desired.definition.active),
        (
            "continue_on_failure",
            current.continue_on_failure,
            desired.definition.continue_on_failure,
        ),
    ] {
        if let Some(want) = want
            && have != Some(want)
        {
            let have = have.map_or_else(|| "(none)".to_owned(), |value| value.to_string());
            changes.push(change(field, have, want.to_string()));
        }
    }
    if let (Some(have), Some(want)) = (&current.oauth, &desired.definition.oauth) {
        for (field, have, want) in [
            (
                "oauth.client_id",
                have.client_id.as_deref(),
                want.client_id.as_deref(),
            ),
            (
                "oauth.authorize_url",
                Some(have.authorize_url.as_str()),
                want.authorize_url.as_deref(),
            ),
            (
                "oauth.token_url",
                Some(have.token_url.as_str()),
                want.token_url.as_deref(),
            ),
            ("oauth.scope", have.scope.as_deref(), want.scope.as_deref()),
        ] {
            if want.is_some() && have != want {
                let (from, to) = if field.ends_with("_url") {
                    (shown_url(have), shown_url(want))
                } else {
                    (shown(have), shown(want))
                };
                changes.push(change(field, from, to));
            }
        }
    }
    changes
}
