//! What a check found.

use std::fmt;

use serde::Serialize;

use super::rules::{Rule, Severity};
use cohere_connectors::text::{Redactor, escape, redact_url};

/// One thing the checker found, with how to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Finding {
    /// Whether Cohere would refuse the connector (error) or serve it worse (warning).
    pub severity: Severity,
    /// The rule, with its source in Cohere's documentation.
    pub rule: Rule,
    /// What was found (text from the connector escaped, cut short, tokens hidden).
    pub message: String,
    /// What to change.
    pub fix: String,
}

impl Serialize for Finding {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = serializer.serialize_struct("Finding", 5)?;
        out.serialize_field("severity", &self.severity)?;
        out.serialize_field("rule", &self.rule)?;
        out.serialize_field("message", &self.message)?;
        out.serialize_field("fix", &self.fix)?;
        out.serialize_field("source", &self.rule.source())?;
        out.end()
    }
}

impl Finding {
    pub(crate) fn new(
        severity: Severity,
        rule: Rule,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self {
            severity,
            rule,
            message: message.into(),
            fix: fix.into(),
        }
    }
}

/// The outcome of [`check_connector`](super::check_connector): every finding, errors and
/// warnings, in the order found.
///
/// `Display` prints a readable report; `Serialize` gives the same as JSON (each finding with
/// its rule's id and source).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CheckReport {
    /// The URL checked (a password in it hidden, controls escaped, the token hidden).
    pub url: String,
    /// What was found.
    pub findings: Vec<Finding>,
    /// How many documents the test search returned, when it returned a list.
    pub documents: Option<usize>,
    /// How long the test search took, in milliseconds, when it was answered.
    pub elapsed_ms: Option<u64>,
}

/// The longest URL a report shows.
const URL_CHARS: usize = 2048;

impl CheckReport {
    /// The report as it is shown: the URL checked (`url`, as the caller gave it, its
    /// password hidden) and every finding's message escaped, with `redactor`'s tokens
    /// hidden. The one place a report's outside text is made safe, whatever finding it is
    /// in: each piece of connector text was cleaned where it was quoted, and this pass makes
    /// sure nothing got past.
    pub(crate) fn shown(mut self, url: &str, redactor: &Redactor) -> Self {
        self.url = redactor.clean(&redact_url(url.trim()), URL_CHARS);
        for finding in &mut self.findings {
            finding.message = escape(&redactor.scrub(&finding.message, false)).into_owned();
        }
        self
    }

    /// Whether Cohere would accept the connector: no finding is an error.
    pub fn is_ok(&self) -> bool {
        self.errors().next().is_none()
    }

    /// The findings that would make Cohere refuse the connector.
    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|finding| finding.severity == Severity::Error)
    }

    /// The findings that would not, but should be fixed.
    pub fn warnings(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|finding| finding.severity == Severity::Warning)
    }

    /// The finding for `rule`, if there is one.
    pub fn finding(&self, rule: Rule) -> Option<&Finding> {
        self.findings.iter().find(|finding| finding.rule == rule)
    }
}

fn plural(count: usize, word: &str) -> String {
    if count == 1 {
        format!("1 {word}")
    } else {
        format!("{count} {word}s")
    }
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (errors, warnings) = (self.errors().count(), self.warnings().count());
        write!(f, "{}: ", self.url)?;
        if errors == 0 {
            write!(f, "Cohere would accept this connector")?;
        } else {
            write!(f, "Cohere would refuse this connector")?;
        }
        write!(
            f,
            " ({}, {}",
            plural(errors, "error"),
            plural(warnings, "warning")
        )?;
        if let Some(documents) = self.documents {
            write!(f, "; {}", plural(documents, "document"))?;
        }
        if let Some(elapsed) = self.elapsed_ms {
            write!(f, " in {elapsed} ms")?;
        }
        write!(f, ")")?;
        for finding in self.errors().chain(self.warnings()) {
            write!(
                f,
                "\n  {:<7} {}: {}\n          fix: {}",
                finding.severity, finding.rule, finding.message, finding.fix
            )?;
            if let Some(source) = finding.rule.source() {
                write!(f, "\n          see: {source}")?;
            }
        }
        Ok(())
    }
}
