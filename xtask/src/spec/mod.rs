//! `cargo xtask spec`: Cohere's upstream OpenAPI definition in, the fragments out:
//! `openapi/connectors.yaml` (the Connectors API) and `openapi/chat.yaml` (Chat v2), each
//! derived by a pipeline of its own and checked against a contract of its own ([`Fragment`]).
//!
//! A fragment is a pure function of the upstream bytes: the same input always gives the same
//! output, so `--check` can compare byte for byte.

pub mod api_diff;
pub mod chat_contract;
pub mod chat_docs;
pub mod chat_fixes;
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

/// One fragment the xtask writes: the part of the upstream it describes, the pipeline that
/// derives it, and the contract of the facade that depends on it.
pub struct Fragment {
    /// A short name, for `--only` and for messages (`connectors`, `chat`).
    pub name: &'static str,
    /// Where the fragment lives, relative to the workspace root.
    pub path: &'static str,
    /// What the fragment holds, for the first line of its header.
    pub describes: &'static str,
    /// The pipeline, in order. Each function's documentation says why it exists.
    pub pipeline: &'static [Transformation],
    /// What the facade depends on in the fragment ([`contract::check`],
    /// [`chat_contract::check`]).
    pub contract: fn(&Value) -> Result<()>,
}

/// The Connectors API: `openapi/connectors.yaml`, which build.rs always generates from.
pub const CONNECTORS: Fragment = Fragment {
    name: "connectors",
    path: FRAGMENT_PATH,
    describes: "Cohere's Connectors API (/v1/connectors)",
    pipeline: PIPELINE,
    contract: contract::check,
};

/// Chat v2: `openapi/chat.yaml`, which build.rs generates from with the SDK's feature `chat`.
pub const CHAT: Fragment = Fragment {
    name: "chat",
    path: CHAT_FRAGMENT_PATH,
    describes: "Cohere's Chat API (POST /v2/chat)",
    pipeline: CHAT_PIPELINE,
    contract: chat_contract::check,
};

/// Every fragment, in the order they are written and checked.
pub const FRAGMENTS: &[&Fragment] = &[&CONNECTORS, &CHAT];

/// The connectors' pipeline, in order. Each function's documentation says why it exists.
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

/// Chat v2's pipeline: the shared steps, and the fixes only the chat's schemas need
/// ([`chat_fixes`]), each named in the fragment's header like the others.
pub const CHAT_PIPELINE: &[Transformation] = &[
    Transformation {
        name: "select_chat_paths",
        apply: select::select_chat_paths,
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
        name: "json_response_as_success",
        apply: chat_fixes::json_response_as_success,
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
        name: "drop_request_defaults",
        apply: chat_fixes::drop_request_defaults,
    },
    Transformation {
        name: "type_untyped_enums",
        apply: chat_fixes::type_untyped_enums,
    },
    Transformation {
        name: "bound_integers_to_64_bits",
        apply: chat_fixes::bound_integers_to_64_bits,
    },
    Transformation {
        name: "open_response_enums",
        apply: fixes::open_response_enums,
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
        name: "document_items",
        apply: chat_docs::document_chat_items,
    },
];

/// Where the connectors' fragment lives, relative to the workspace root.
pub const FRAGMENT_PATH: &str = "openapi/connectors.yaml";
/// Where the chat's fragment lives, relative to the workspace root.
pub const CHAT_FRAGMENT_PATH: &str = "openapi/chat.yaml";

/// A fragment before it is written: the document, and what each step did.
pub struct Built {
    pub document: Value,
    pub applied: Vec<(&'static str, Vec<String>)>,
    upstream_sha256: String,
    describes: &'static str,
}

impl Built {
    /// The fragment's text: the header, then the document.
    pub fn render(&self) -> Result<String> {
        let body = yaml_serde::to_string(&self.document)
            .map_err(|error| spec_error!("cannot write the fragment: {error}"))?;
        Ok(header(self.describes, &self.upstream_sha256, &self.applied) + &body)
    }

    /// The notes of the step `name`.
    pub fn notes_of(&self, name: &str) -> &[String] {
        self.applied
            .iter()
            .find(|(step, _)| *step == name)
            .map_or(&[], |(_, notes)| notes.as_slice())
    }
}

impl Fragment {
    /// Runs the pipeline on the upstream definition's bytes (without the contract check).
    pub fn transform(&self, upstream: &[u8]) -> Result<Built> {
        let text = std::str::from_utf8(upstream)
            .map_err(|error| spec_error!("upstream is not UTF-8: {error}"))?;
        let mut document = parse::parse_yaml(text)?;
        let mut applied = Vec::new();
        for step in self.pipeline {
            let notes = (step.apply)(&mut document)
                .map_err(|error| spec_error!("{}: {error}", step.name))?;
            applied.push((step.name, notes));
        }
        parse::reject_big_integers(&document)?;
        Ok(Built {
            document,
            applied,
            upstream_sha256: sha256_hex(upstream),
            describes: self.describes,
        })
    }

    /// Builds the fragment (header and document) from the upstream definition's bytes, and
    /// refuses one that breaks what the facade depends on (the fragment's contract).
    pub fn generate(&self, upstream: &[u8]) -> Result<String> {
        let built = self.transform(upstream)?;
        (self.contract)(&built.document)?;
        built.render()
    }

    /// Compares `checked_in` with `expected`; a difference comes with a readable unified
    /// diff that names the fragment's file.
    pub fn compare(&self, checked_in: &str, expected: &str) -> Freshness {
        compare_file(self.path, checked_in, expected)
    }
}

/// The connectors' fragment before it is written ([`Fragment::transform`] of [`CONNECTORS`]).
pub fn transform(upstream: &[u8]) -> Result<Built> {
    CONNECTORS.transform(upstream)
}

/// The connectors' fragment ([`Fragment::generate`] of [`CONNECTORS`]).
pub fn generate(upstream: &[u8]) -> Result<String> {
    CONNECTORS.generate(upstream)
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .fold(String::with_capacity(64), |mut hex, byte| {
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}

fn header(describes: &str, upstream_sha256: &str, applied: &[(&str, Vec<String>)]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# The structure of {describes}, extracted from");
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

/// Compares `checked_in` with `expected`, as the connectors' fragment.
pub fn compare(checked_in: &str, expected: &str) -> Freshness {
    CONNECTORS.compare(checked_in, expected)
}

fn compare_file(path: &str, checked_in: &str, expected: &str) -> Freshness {
    if checked_in == expected {
        return Freshness::Fresh;
    }
    const SHOWN_LINES: usize = 60;
    let diff = similar::TextDiff::from_lines(checked_in, expected);
    let unified = diff
        .unified_diff()
        .context_radius(2)
        .header(
            &format!("{path} (checked in)"),
            &format!("{path} (from upstream)"),
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
        let text = header(
            "X (/x)",
            "00",
            &[("a", vec!["did x".into()]), ("b", vec![])],
        );
        assert!(text.starts_with("# The structure of X (/x), extracted from\n"));
        assert!(text.contains("#   1. a\n#      - did x\n#   2. b\n#      - no change\n"));
        assert!(text.contains("# upstream sha256: 00\n"));
        assert!(text.lines().all(|line| line.starts_with('#')));
    }

    #[test]
    fn compare_names_the_difference_and_the_file() {
        assert!(matches!(compare("a\nb\n", "a\nb\n"), Freshness::Fresh));
        let Freshness::Stale { diff } = CHAT.compare("a\nb\nc\n", "a\nB\nc\n") else {
            panic!("expected stale");
        };
        assert!(diff.contains("-b\n+B"), "{diff}");
        assert!(diff.contains("openapi/chat.yaml (checked in)"), "{diff}");
    }

    #[test]
    fn fragments_have_distinct_names_and_paths() {
        for (index, fragment) in FRAGMENTS.iter().enumerate() {
            for other in &FRAGMENTS[index + 1..] {
                assert_ne!(fragment.name, other.name);
                assert_ne!(fragment.path, other.path);
            }
        }
    }
}
