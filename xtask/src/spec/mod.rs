//! `cargo xtask spec`: Cohere's upstream OpenAPI definition in, `openapi/connectors.yaml` out.
//!
//! The fragment is a pure function of the upstream bytes: the same input always gives the same
//! output, so `--check` can compare byte for byte.

pub mod api_diff;
pub mod contract;
pub mod doc;
pub mod docs;
pub mod downgrade;
pub mod fixes;
pub mod parse;
pub mod prose;
pub mod safety;
pub mod select;
pub mod shape;
#[cfg(test)]
mod testing;

use std::fmt::Write as _;

use sha2::{Digest, Sha256};

pub use doc::{Result, SpecError};
use doc::{Value, spec_error};

/// One named rewrite of the document; it returns what it changed, for the header.
pub struct Transformation {
    pub name: &'static str,
    pub apply: fn(&mut Value) -> Result<Vec<String>>,
}

/// The pipeline, in order. Each function's documentation says why it exists.
pub const PIPELINE: &[Transformation] = &[
    Transformation {
        name: "select_connector_paths",
        apply: select::select_connector_paths,
    },
    Transformation {
        name: "strip_prose",
        apply: prose::strip_prose,
    },
    Transformation {
        name: "downgrade_to_openapi_3_0",
        apply: downgrade::downgrade_to_openapi_3_0,
    },
    Transformation {
        name: "repair_required_names",
        apply: fixes::repair_required_names,
    },
    Transformation {
        name: "share_error_response_schema",
        apply: fixes::share_error_response_schema,
    },
    Transformation {
        name: "one_success_type",
        apply: shape::one_success_type,
    },
    Transformation {
        name: "name_inline_bodies",
        apply: shape::name_inline_bodies,
    },
    Transformation {
        name: "drop_patch_body_defaults",
        apply: fixes::drop_patch_body_defaults,
    },
    Transformation {
        name: "name_patch_body_arrays",
        apply: fixes::name_patch_body_arrays,
    },
    Transformation {
        name: "open_response_enums",
        apply: fixes::open_response_enums,
    },
    Transformation {
        name: "integer_count_parameters",
        apply: fixes::integer_count_parameters,
    },
    Transformation {
        name: "drop_unknown_formats",
        apply: fixes::drop_unknown_formats,
    },
    Transformation {
        name: "mark_secret_properties",
        apply: safety::mark_secret_properties,
    },
    Transformation {
        name: "name_path_parameters",
        apply: safety::name_path_parameters,
    },
    Transformation {
        name: "document_items",
        apply: docs::document_items,
    },
];

/// Where the fragment lives, relative to the workspace root.
pub const FRAGMENT_PATH: &str = "openapi/connectors.yaml";

/// The fragment before it is written: the document, and what each step did.
pub struct Built {
    pub document: Value,
    pub applied: Vec<(&'static str, Vec<String>)>,
    upstream_sha256: String,
}

impl Built {
    /// The fragment's text: the header, then the document.
    pub fn render(&self) -> Result<String> {
        let body = yaml_serde::to_string(&self.document)
            .map_err(|error| spec_error!("cannot write the fragment: {error}"))?;
        Ok(header(&self.upstream_sha256, &self.applied) + &body)
    }

    /// The notes of the step `name`.
    pub fn notes_of(&self, name: &str) -> &[String] {
        self.applied
            .iter()
            .find(|(step, _)| *step == name)
            .map_or(&[], |(_, notes)| notes.as_slice())
    }
}

/// Runs the pipeline on the upstream definition's bytes (without the contract check).
pub fn transform(upstream: &[u8]) -> Result<Built> {
    let text = std::str::from_utf8(upstream)
        .map_err(|error| spec_error!("upstream is not UTF-8: {error}"))?;
    let mut document = parse::parse_yaml(text)?;
    let mut applied = Vec::new();
    for step in PIPELINE {
        let notes =
            (step.apply)(&mut document).map_err(|error| spec_error!("{}: {error}", step.name))?;
        applied.push((step.name, notes));
    }
    parse::reject_big_integers(&document)?;
    Ok(Built {
        document,
        applied,
        upstream_sha256: sha256_hex(upstream),
    })
}

/// Builds the fragment (header and document) from the upstream definition's bytes, and
/// refuses one that breaks what the facade depends on ([`contract::check`]).
pub fn generate(upstream: &[u8]) -> Result<String> {
    let built = transform(upstream)?;
    contract::check(&built.document)?;
    built.render()
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .fold(String::with_capacity(64), |mut hex, byte| {
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}

fn header(upstream_sha256: &str, applied: &[(&str, Vec<String>)]) -> String {
    let mut out = String::new();
    out.push_str("# The structure of Cohere's Connectors API (/v1/connectors), extracted from\n");
    out.push_str("# Cohere's OpenAPI definition. Generated: do not edit. To update, run\n");
    out.push_str("#   cargo xtask spec --upstream <cohere-openapi.yaml>\n");
    let _ = writeln!(out, "# upstream sha256: {upstream_sha256}");
    out.push_str("# transformations, in order:\n");
    for (number, (name, notes)) in applied.iter().enumerate() {
        let _ = writeln!(out, "#   {}. {name}", number + 1);
        if notes.is_empty() {
            out.push_str("#      - no change\n");
        }
        for note in notes {
            let _ = writeln!(out, "#      - {note}");
        }
    }
    out
}

/// The outcome of comparing the checked-in fragment with what the upstream gives.
pub enum Freshness {
    Fresh,
    Stale { diff: String },
}

/// Compares `checked_in` with `expected`; a difference comes with a readable unified diff.
pub fn compare(checked_in: &str, expected: &str) -> Freshness {
    if checked_in == expected {
        return Freshness::Fresh;
    }
    const SHOWN_LINES: usize = 60;
    let diff = similar::TextDiff::from_lines(checked_in, expected);
    let unified = diff
        .unified_diff()
        .context_radius(2)
        .header(
            &format!("{FRAGMENT_PATH} (checked in)"),
            &format!("{FRAGMENT_PATH} (from upstream)"),
        )
        .to_string();
    let lines: Vec<&str> = unified.lines().collect();
    let mut shown = lines
        .iter()
        .take(SHOWN_LINES)
        .copied()
        .collect::<Vec<_>>()
        .join("\n");
    if lines.len() > SHOWN_LINES {
        let _ = write!(shown, "\n... {} more diff lines", lines.len() - SHOWN_LINES);
    }
    Freshness::Stale { diff: shown }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_is_lower_hex() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn header_lists_every_step_even_without_changes() {
        let text = header("00", &[("a", vec!["did x".into()]), ("b", vec![])]);
        assert!(text.contains("#   1. a\n#      - did x\n#   2. b\n#      - no change\n"));
        assert!(text.contains("# upstream sha256: 00\n"));
        assert!(text.lines().all(|line| line.starts_with('#')));
    }

    #[test]
    fn compare_names_the_difference() {
        assert!(matches!(compare("a\nb\n", "a\nb\n"), Freshness::Fresh));
        let Freshness::Stale { diff } = compare("a\nb\nc\n", "a\nB\nc\n") else {
            panic!("expected stale");
        };
        assert!(diff.contains("-b\n+B"), "{diff}");
        assert!(diff.contains("(checked in)"), "{diff}");
    }
}
