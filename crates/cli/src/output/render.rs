//! People's views of the library's values: a table of connectors, one connector's details,
//! a plan, a check report. Each line is text to pass to [`Stdout`](super::Stdout), which
//! makes it [`shown`](super::shown): these functions only lay out.

use std::io::IsTerminal;

use anstyle::Style;
use cohere_connectors::Connector;
use cohere_connectors_kit::{CheckReport, Severity};
use cohere_connectors_migrate::sync::{LineKind, Plan};
use comfy_table::{ContentArrangement, Table, presets};

use super::{ADDED, CHANGED, ERROR, NOTE, REMOVED, WARNING, shown};

/// A line and its style.
pub type Line = (Option<Style>, String);

/// A table of connectors: id, name, URL, auth, active, created. Cells are made
/// [`shown`] before the table measures them, so that an escape cannot shift a column.
pub fn connectors_table(connectors: &[Connector]) -> String {
    let mut table = Table::new();
    table.load_preset(presets::NOTHING);
    if std::io::stdout().is_terminal() {
        table.set_content_arrangement(ContentArrangement::Dynamic);
    }
    table.set_header(["ID", "NAME", "URL", "AUTH", "ACTIVE", "CREATED"]);
    for connector in connectors {
        table.add_row([
            shown(&connector.id),
            shown(&connector.name),
            shown(connector.url.as_deref().unwrap_or("")),
            auth_of(connector),
            connector.active.map_or(
                "-".into(),
                |active| if active { "yes".into() } else { "no".into() },
            ),
            connector.created_at.format("%Y-%m-%d %H:%M").to_string(),
        ]);
    }
    table.to_string()
}

fn auth_of(connector: &Connector) -> String {
    match (&connector.auth_type, &connector.auth_status) {
        (Some(kind), Some(status)) => format!("{} ({})", kind.as_str(), status.as_str()),
        (Some(kind), None) => kind.as_str().to_owned(),
        (None, _) => "-".to_owned(),
    }
}

/// One connector, field by field.
pub fn connector_details(connector: &Connector) -> Vec<String> {
    let mut lines = vec![
        format!("id:                  {}", connector.id),
        format!("name:                {}", connector.name),
        format!(
            "url:                 {}",
            connector.url.as_deref().unwrap_or("-")
        ),
    ];
    if let Some(description) = &connector.description {
        lines.push(format!("description:         {description}"));
    }
    if !connector.excludes.is_empty() {
        lines.push(format!(
            "excludes:            {}",
            connector.excludes.join(", ")
        ));
    }
    lines.push(format!("auth:                {}", auth_of(connector)));
    if let Some(oauth) = &connector.oauth {
        lines.push(format!(
            "oauth.client_id:     {}",
            oauth.client_id.as_deref().unwrap_or("-")
        ));
        lines.push(format!("oauth.authorize_url: {}", oauth.authorize_url));
        lines.push(format!("oauth.token_url:     {}", oauth.token_url));
    }
    let flag = |value: Option<bool>| value.map_or("-".to_owned(), |value| value.to_string());
    lines.push(format!("active:              {}", flag(connector.active)));
    lines.push(format!(
        "continue_on_failure: {}",
        flag(connector.continue_on_failure)
    ));
    lines.push(format!(
        "created_at:          {}",
        connector.created_at.to_rfc3339()
    ));
    lines.push(format!(
        "updated_at:          {}",
        connector.updated_at.to_rfc3339()
    ));
    lines
}

/// A plan, line by line, coloured by what each line says; with `quiet_notices`, without the
/// notices that only inform (drift is always shown: it is why a plan exits 2).
pub fn plan(plan: &Plan, quiet_notices: bool) -> Vec<Line> {
    plan.lines()
        .into_iter()
        .filter(|(kind, _)| !(quiet_notices && *kind == LineKind::Notice))
        .map(|(kind, line)| {
            let style = match kind {
                LineKind::Create => Some(ADDED),
                LineKind::Update => Some(CHANGED),
                LineKind::Delete => Some(REMOVED),
                LineKind::Notice => Some(NOTE),
                LineKind::Drift => Some(WARNING),
                _ => None,
            };
            (style, line)
        })
        .collect()
}

fn plural(count: usize, word: &str) -> String {
    if count == 1 {
        format!("1 {word}")
    } else {
        format!("{count} {word}s")
    }
}

/// A check report: the verdict, then each finding with its fix and its source. Every field
/// is a line of its own, so that text from the connector cannot pass for a finding.
pub fn check_report(report: &CheckReport) -> Vec<Line> {
    let (errors, warnings) = (report.errors().count(), report.warnings().count());
    let verdict = if report.is_ok() {
        "Cohere would accept this connector"
    } else {
        "Cohere would refuse this connector"
    };
    let mut counts = format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    );
    if let Some(documents) = report.documents {
        counts.push_str(&format!("; {}", plural(documents, "document")));
    }
    if let Some(elapsed) = report.elapsed_ms {
        counts.push_str(&format!(" in {elapsed} ms"));
    }
    let style = if report.is_ok() { ADDED } else { ERROR };
    let mut lines = vec![(Some(style), format!("{}: {verdict} ({counts})", report.url))];
    for finding in report.errors().chain(report.warnings()) {
        let style = match finding.severity {
            Severity::Error => ERROR,
            _ => WARNING,
        };
        lines.push((
            Some(style),
            format!(
                "  {:<7} {}: {}",
                finding.severity, finding.rule, finding.message
            ),
        ));
        lines.push((None, format!("          fix: {}", finding.fix)));
        if let Some(source) = finding.rule.source() {
            lines.push((None, format!("          see: {source}")));
        }
    }
    lines
}
