//! Writing for people (tables, colour, a spinner) and for machines (JSON), and one-line
//! errors.

use std::io::{IsTerminal, Write};

use anstyle::{AnsiColor, Style};
use cohere_connectors::Connector;
use comfy_table::{ContentArrangement, Table, presets};

pub const ADDED: Style = AnsiColor::Green.on_default();
pub const CHANGED: Style = AnsiColor::Yellow.on_default();
pub const REMOVED: Style = AnsiColor::Red.on_default();
pub const NOTE: Style = AnsiColor::Cyan.on_default();
pub const ERROR: Style = AnsiColor::Red.on_default().bold();
pub const WARNING: Style = AnsiColor::Yellow.on_default().bold();

/// stdout, with colour only where it is wanted (terminal, NO_COLOR, --color).
pub fn stdout() -> anstream::AutoStream<std::io::Stdout> {
    anstream::stdout()
}

/// stderr, likewise.
pub fn stderr() -> anstream::AutoStream<std::io::Stderr> {
    anstream::stderr()
}

/// `text` in `style` (the stream drops the style when colour is off).
pub fn paint(style: Style, text: &str) -> String {
    format!("{style}{text}{style:#}")
}

/// Text on one line: line breaks and other control characters escaped.
pub fn one_line(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

/// A URL as people see it: one line, a password in it hidden.
pub fn url(text: &str) -> String {
    one_line(&cohere_connectors::redact_url(text))
}

/// Prints `error: <message>` on stderr, on one line.
pub fn error(message: &str) {
    let _ = writeln!(stderr(), "{} {}", paint(ERROR, "error:"), one_line(message));
}

/// A table of connectors: id, name, URL, auth, active, created.
pub fn connectors_table(connectors: &[Connector]) -> String {
    let mut table = Table::new();
    table.load_preset(presets::NOTHING);
    if std::io::stdout().is_terminal() {
        table.set_content_arrangement(ContentArrangement::Dynamic);
    }
    table.set_header(["ID", "NAME", "URL", "AUTH", "ACTIVE", "CREATED"]);
    for connector in connectors {
        table.add_row([
            one_line(&connector.id),
            one_line(&connector.name),
            url(connector.url.as_deref().unwrap_or("")),
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

/// One connector, field by field, for people.
pub fn connector_details(connector: &Connector) -> String {
    let mut lines = vec![
        format!("id:                  {}", one_line(&connector.id)),
        format!("name:                {}", one_line(&connector.name)),
        format!(
            "url:                 {}",
            url(connector.url.as_deref().unwrap_or("-"))
        ),
    ];
    if let Some(description) = &connector.description {
        lines.push(format!("description:         {}", one_line(description)));
    }
    if !connector.excludes.is_empty() {
        lines.push(format!(
            "excludes:            {}",
            one_line(&connector.excludes.join(", "))
        ));
    }
    lines.push(format!("auth:                {}", auth_of(connector)));
    if let Some(oauth) = &connector.oauth {
        lines.push(format!(
            "oauth.client_id:     {}",
            one_line(oauth.client_id.as_deref().unwrap_or("-"))
        ));
        lines.push(format!(
            "oauth.authorize_url: {}",
            url(&oauth.authorize_url)
        ));
        lines.push(format!("oauth.token_url:     {}", url(&oauth.token_url)));
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
    lines.join("\n")
}

/// A spinner counting connectors on stderr, when stderr is a terminal.
pub fn spinner(message: &'static str) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new_spinner();
    if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {pos} {msg}") {
        bar.set_style(style);
    }
    bar.set_message(message);
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    Some(bar)
}
