//! `cargo xtask spec` against Cohere's real upstream definition and variations of it.
//!
//! The upstream file is read by the workspace's one loader
//! (`cohere_connectors_testing::upstream::upstream_spec`): `../shared/reference/cohere-openapi.yaml`
//! beside the workspace, or the path in `COHERE_UPSTREAM_SPEC`. Without it, these tests are
//! skipped with a printed reason on a user's machine; in CI (`CI` set) its absence fails them.

use std::path::{Path, PathBuf};
use std::process::Command;

use cohere_connectors_testing::upstream;
use xtask::spec::{self, FRAGMENT_PATH, FRAGMENTS, Freshness};
use yaml_serde::Value;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The upstream's bytes, or return from the test (skipped) when it is not there.
macro_rules! upstream_or_skip {
    () => {
        match upstream::upstream_spec() {
            Some(text) => text.as_bytes(),
            None => return,
        }
    };
}

/// Runs progenitor exactly as build.rs does, on a generated fragment.
fn progenitor_accepts(fragment: &str) {
    let spec: openapiv3::OpenAPI = yaml_serde::from_str(fragment).expect("an OpenAPI 3.0 document");
    let mut settings = progenitor::GenerationSettings::new();
    settings
        .with_interface(progenitor::InterfaceStyle::Builder)
        .with_tag(progenitor::TagStyle::Merged);
    progenitor::Generator::new(&settings)
        .generate_tokens(&spec)
        .expect("progenitor generates a client");
}

#[test]
fn the_checked_in_fragments_are_what_the_upstream_gives() {
    let upstream = upstream_or_skip!();
    for fragment in FRAGMENTS {
        let expected = fragment.generate(upstream).unwrap();
        let checked_in = std::fs::read_to_string(workspace_root().join(fragment.path)).unwrap();
        if let Freshness::Stale { diff } = fragment.compare(&checked_in, &expected) {
            panic!("{} is stale:\n{diff}", fragment.path);
        }
    }
}

#[test]
fn generation_is_deterministic() {
    let upstream = upstream_or_skip!();
    for fragment in FRAGMENTS {
        assert_eq!(
            fragment.generate(upstream).unwrap(),
            fragment.generate(upstream).unwrap(),
            "{}",
            fragment.name
        );
    }
}

#[test]
fn progenitor_accepts_the_fragments() {
    let upstream = upstream_or_skip!();
    for fragment in FRAGMENTS {
        progenitor_accepts(&fragment.generate(upstream).unwrap());
    }
}

#[test]
fn the_fragments_carry_no_upstream_prose() {
    let upstream = upstream_or_skip!();
    for (fragment, docs, title) in [
        (&spec::CONNECTORS, spec::docs::DOCS, spec::docs::TITLE),
        (&spec::CHAT, spec::chat_docs::DOCS, spec::chat_docs::TITLE),
    ] {
        let text = fragment.generate(upstream).unwrap();
        let body: Vec<&str> = text.lines().filter(|line| !line.starts_with('#')).collect();
        for banned in ["x-fern", "example", "docs.cohere.com", "code-samples"] {
            assert!(
                !body.iter().any(|line| line.contains(banned)),
                "{} contains {banned:?}",
                fragment.path
            );
        }
        // `description` and `summary` as keywords (not property names) are only this
        // project's lines (xtask/src/spec/docs.rs, chat_docs.rs), or the empty one OpenAPI
        // requires on a response.
        let ours: Vec<&str> = docs.iter().map(|(_, line)| *line).collect();
        let mut document = spec::parse::parse_yaml(&text).unwrap();
        let mut prose = Vec::new();
        spec::doc::walk_objects(&mut document, &mut |site, object| {
            for keyword in ["description", "summary"] {
                if let Some(text) = object.get(keyword).and_then(Value::as_str)
                    && !text.is_empty()
                    && !ours.contains(&text)
                {
                    prose.push(format!("{}: {text}", site.at));
                }
            }
            Ok(())
        })
        .unwrap();
        assert!(
            prose.is_empty(),
            "upstream prose left in {}: {prose:?}",
            fragment.path
        );
        assert!(
            text.contains(&format!("title: {title}")),
            "{}",
            fragment.path
        );
    }
}

/// Parses the upstream, lets `change` edit it structurally, and serialises it again.
fn edited_upstream(change: impl FnOnce(&mut Value)) -> Option<Vec<u8>> {
    let text = upstream::upstream_spec()?;
    let mut document = spec::parse::parse_yaml(text).unwrap();
    drop_big_integers(&mut document);
    change(&mut document);
    Some(yaml_serde::to_string(&document).unwrap().into_bytes())
}

/// Integers beyond 64 bits (upstream has one, outside the connectors) cannot be written back;
/// none of these tests is about them.
fn drop_big_integers(value: &mut Value) {
    match value {
        Value::Tagged(_) => *value = Value::Null,
        Value::Sequence(items) => items.iter_mut().for_each(drop_big_integers),
        Value::Mapping(object) => object.values_mut().for_each(drop_big_integers),
        _ => {}
    }
}

fn connector_schema(document: &mut Value) -> &mut yaml_serde::Mapping {
    document["components"]["schemas"]["Connector"]
        .as_mapping_mut()
        .unwrap()
}

#[test]
fn a_changed_upstream_fails_the_check_with_a_readable_diff() {
    let Some(changed) = edited_upstream(|document| {
        let properties = connector_schema(document)["properties"]
            .as_mapping_mut()
            .unwrap();
        properties.insert(
            "rate_limit".into(),
            yaml_serde::from_str("{type: integer, description: new}").unwrap(),
        );
    }) else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("xtask-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let changed_path = dir.join("changed-upstream.yaml");
    std::fs::write(&changed_path, changed).unwrap();

    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["spec", "--check", "--upstream"])
        .arg(&changed_path)
        .arg("--out")
        .arg(workspace_root().join(FRAGMENT_PATH))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("+        rate_limit:"), "{stderr}");
    assert!(stderr.contains("+          type: integer"), "{stderr}");
    assert!(stderr.contains("-# upstream sha256:"), "{stderr}");
    assert!(
        stderr.contains("run `cargo xtask spec --upstream"),
        "{stderr}"
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn the_check_passes_through_the_binary() {
    upstream_or_skip!();
    // Both fragments (the default), then one by name.
    for only in [None, Some("chat")] {
        let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
        command
            .args(["spec", "--check", "--upstream"])
            .arg(upstream::path());
        if let Some(name) = only {
            command.args(["--only", name]);
        }
        let output = command.output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.contains("chat.yaml is up to date"), "{stdout}");
        assert_eq!(
            stdout.contains("connectors.yaml"),
            only.is_none(),
            "{stdout}"
        );
    }
}

#[test]
fn a_newer_upstream_written_in_3_1_idioms_still_generates() {
    // What a later Cohere spec may well do: a nullable type list, a const, and a reordered
    // component section. None of it may depend on today's exact text.
    let Some(newer) = edited_upstream(|document| {
        let connector = connector_schema(document);
        connector["properties"]["description"] =
            yaml_serde::from_str("{type: [string, 'null']}").unwrap();
        let create = document["components"]["schemas"]["CreateConnectorRequest"]
            .as_mapping_mut()
            .unwrap();
        create["properties"]["kind"] =
            yaml_serde::from_str("{type: string, const: connector}").unwrap();
        let schemas = document["components"]["schemas"].as_mapping_mut().unwrap();
        let mut entries: Vec<(Value, Value)> = std::mem::take(schemas).into_iter().collect();
        entries.reverse();
        schemas.extend(entries);
    }) else {
        return;
    };
    let fragment = spec::generate(&newer).unwrap();
    assert!(fragment.contains("nullable: true"), "{fragment}");
    assert!(
        fragment.contains("kind:\n          type: string\n          enum:\n          - connector"),
        "{fragment}"
    );
    progenitor_accepts(&fragment);
}

#[test]
fn an_upstream_that_fixed_its_required_names_needs_no_repair() {
    let Some(fixed) = edited_upstream(|document| {
        document["components"]["schemas"]["CreateConnectorOAuth"]["required"] =
            yaml_serde::from_str("[client_id, client_secret, authorize_url, token_url]").unwrap();
    }) else {
        return;
    };
    let fragment = spec::generate(&fixed).unwrap();
    assert!(
        fragment.contains("#   4. repair_required_names\n#      - no change\n"),
        "{fragment}"
    );
    progenitor_accepts(&fragment);
}

/// The xtask's half of the drift corpus (`cargo xtask drift` also builds the crate against
/// each fragment that must build): every mutation gets its expected outcome, and progenitor
/// accepts every fragment the xtask writes.
#[test]
fn every_mutation_of_the_drift_corpus_gets_its_expected_outcome() {
    let Some(upstream) = upstream::upstream_spec() else {
        return;
    };
    for mutation in xtask::drift::mutations() {
        match xtask::drift::run_xtask(upstream, &mutation) {
            Ok(Some(fragment)) => progenitor_accepts(&fragment),
            Ok(None) => {}
            Err(failure) => panic!("{}: {failure}", mutation.name),
        }
    }
}

#[test]
fn the_diff_speaks_in_api_terms() {
    let Some(changed) = edited_upstream(|document| {
        let properties = connector_schema(document)["properties"]
            .as_mapping_mut()
            .unwrap();
        properties.insert(
            "region".into(),
            yaml_serde::from_str("{type: string}").unwrap(),
        );
        properties.shift_remove("description");
    }) else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("xtask-diff-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let changed_path = dir.join("changed-upstream.yaml");
    std::fs::write(&changed_path, changed).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["spec", "--diff", "--upstream"])
        .arg(&changed_path)
        .arg("--out")
        .arg(workspace_root().join(FRAGMENT_PATH))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(
        stdout.contains("~ schema Connector: - field description (string)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("~ schema Connector: + field region (string, optional)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("doc: no doc line for property:Connector.region"),
        "{stdout}"
    );
    assert!(stdout.contains("the facade can take it"), "{stdout}");
    std::fs::remove_dir_all(dir).ok();
}
