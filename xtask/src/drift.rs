//! `cargo xtask drift`: the drift corpus. Each mutation derives a plausible next version of
//! Cohere's spec from the current one (a renamed schema, a field added or removed, another
//! error body...), runs the spec pipeline on it, and checks the outcome: either the crate
//! still builds against the new fragment (checked with `cargo check` on a throwaway copy), or
//! the xtask refuses it with a message that names the change and the facade item it breaks.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use yaml_serde::{Mapping, Value};

use crate::spec;

/// What a mutation must lead to.
pub enum Expected {
    /// The xtask accepts it and the crate builds.
    Builds,
    /// The xtask refuses it; its message contains each of these.
    Refused(&'static [&'static str]),
}

/// One derived upstream.
pub struct Mutation {
    /// The fragment it must build or be refused for.
    pub fragment: &'static spec::Fragment,
    pub name: &'static str,
    pub what: &'static str,
    pub expected: Expected,
    pub apply: fn(&mut Value),
}

fn yaml(text: &str) -> Value {
    yaml_serde::from_str(text).expect("a mutation's YAML parses")
}

fn schemas(document: &mut Value) -> &mut Mapping {
    document["components"]["schemas"]
        .as_mapping_mut()
        .expect("upstream has components.schemas")
}

fn properties<'a>(document: &'a mut Value, schema: &str) -> &'a mut Mapping {
    schemas(document)[schema]["properties"]
        .as_mapping_mut()
        .expect("the schema has properties")
}

fn operation<'a>(document: &'a mut Value, path: &str, method: &str) -> &'a mut Mapping {
    document["paths"][path][method]
        .as_mapping_mut()
        .expect("the operation exists")
}

/// Renames a component schema and every reference to it.
fn rename_schema(document: &mut Value, from: &str, to: &str) {
    let schema = schemas(document)
        .shift_remove(from)
        .expect("the schema exists");
    schemas(document).insert(to.into(), schema);
    let (old, new) = (
        format!("#/components/schemas/{from}"),
        format!("#/components/schemas/{to}"),
    );
    replace_refs(document, &old, &new);
}

fn replace_refs(value: &mut Value, old: &str, new: &str) {
    match value {
        Value::Mapping(object) => {
            for (key, child) in object.iter_mut() {
                if key.as_str() == Some("$ref") && child.as_str() == Some(old) {
                    *child = Value::from(new);
                } else {
                    replace_refs(child, old, new);
                }
            }
        }
        Value::Sequence(items) => items
            .iter_mut()
            .for_each(|item| replace_refs(item, old, new)),
        _ => {}
    }
}

const CONNECTORS: &str = "/v1/connectors";
const ONE: &str = "/v1/connectors/{id}";

/// The inline body schema of `POST /v2/chat`.
fn chat_request(document: &mut Value) -> &mut Value {
    &mut operation(document, "/v2/chat", "post")["requestBody"]["content"]["application/json"]["schema"]
}

/// The corpus.
pub fn mutations() -> Vec<Mutation> {
    vec![
        Mutation {
            fragment: &spec::CONNECTORS,
            name: "error-body-data",
            what: "error bodies become {data: string}, as in earlier versions of the spec",
            expected: Expected::Builds,
            apply: |document| {
                let responses = document["components"]["responses"]
                    .as_mapping_mut()
                    .unwrap();
                for (_, response) in responses.iter_mut() {
                    response["content"]["application/json"]["schema"] =
                        yaml("{type: object, properties: {data: {type: string}}}");
                }
            },
        },
        Mutation {
            fragment: &spec::CONNECTORS,
            name: "error-bodies-differ",
            what: "one error status answers text/html, another a string",
            expected: Expected::Builds,
            apply: |document| {
                let responses = document["components"]["responses"]
                    .as_mapping_mut()
                    .unwrap();
                responses["InternalServerError"]["content"] =
                    yaml("{text/html: {schema: {type: string}}}");
                responses["NotFound"]["content"]["application/json"]["schema"] =
                    yaml("{type: string}");
            },
        },
        Mutation {
            fragment: &spec::CONNECTORS,
            name: "schemas-renamed",
            what: "Connector, ListConnectorsResponse and CreateConnectorRequest renamed",
            expected: Expected::Builds,
            apply: |document| {
                rename_schema(document, "Connector", "ConnectorV2");
                rename_schema(document, "ListConnectorsResponse", "ConnectorList");
                rename_schema(document, "CreateConnectorRequest", "NewConnectorBody");
            },
        },
        Mutation {
            fragment: &spec::CONNECTORS,
            name: "connector-field-added",
            what: "an optional field added to Connector",
            expected: Expected::Builds,
            apply: |document| {
                properties(document, "Connector")
                    .insert("region".into(), yaml("{type: string, description: new}"));
            },
        },
        Mutation {
            fragment: &spec::CONNECTORS,
            name: "connector-field-removed",
            what: "optional fields removed from Connector (description, organization_id, oauth)",
            expected: Expected::Builds,
            apply: |document| {
                let properties = properties(document, "Connector");
                for field in ["description", "organization_id", "oauth"] {
                    properties.shift_remove(field);
                }
            },
        },
        Mutation {
            fragment: &spec::CONNECTORS,
            name: "request-fields-changed",
            what: "an optional field added to and another removed from both request bodies",
            expected: Expected::Builds,
            apply: |document| {
                for schema in ["CreateConnectorRequest", "UpdateConnectorRequest"] {
                    let properties = properties(document, schema);
                    properties.insert("tags".into(), yaml("{type: array, items: {type: string}}"));
                    properties.shift_remove("continue_on_failure");
                }
            },
        },
        Mutation {
            fragment: &spec::CONNECTORS,
            name: "enum-values-added",
            what: "a new auth_status value, auth_type made an enum with a new value, a new token type",
            expected: Expected::Builds,
            apply: |document| {
                let connector = properties(document, "Connector");
                connector["auth_status"] = yaml("{type: string, enum: [valid, expired, revoked]}");
                connector["auth_type"] = yaml("{type: string, enum: [oauth, service_auth, saml]}");
                schemas(document)["AuthTokenType"]["enum"] =
                    yaml("[bearer, basic, noscheme, hmac]");
            },
        },
        Mutation {
            fragment: &spec::CONNECTORS,
            name: "number-integer-swap",
            what: "total_count becomes an integer, limit and offset stay numbers with a format",
            expected: Expected::Builds,
            apply: |document| {
                properties(document, "ListConnectorsResponse")["total_count"] =
                    yaml("{type: integer, format: int64}");
                let get = operation(document, CONNECTORS, "get");
                for parameter in get["parameters"].as_sequence_mut().unwrap() {
                    if parameter.get("schema").is_some() {
                        parameter["schema"]["format"] = Value::from("double");
                    }
                }
            },
        },
        Mutation {
            fragment: &spec::CONNECTORS,
            name: "status-codes-added",
            what: "201 and a 409 on create, 204 and default on delete",
            expected: Expected::Builds,
            apply: |document| {
                let create = operation(document, CONNECTORS, "post");
                create["responses"]["201"] = create["responses"]["200"].clone();
                create["responses"]["409"] = yaml(
                    "{description: conflict, content: {application/json: {schema: {type: object, properties: {message: {type: string}}}}}}",
                );
                let delete = operation(document, ONE, "delete");
                delete["responses"]["204"] = yaml("{description: gone}");
                delete["responses"]["default"] = yaml(
                    "{description: other, content: {application/json: {schema: {type: object}}}}",
                );
            },
        },
        Mutation {
            fragment: &spec::CONNECTORS,
            name: "operations-added",
            what: "a new operation under /v1/connectors and a new path elsewhere",
            expected: Expected::Builds,
            apply: |document| {
                let paths = document["paths"].as_mapping_mut().unwrap();
                paths.insert(
                    "/v1/connectors/{id}/logs".into(),
                    yaml(
                        r#"
get:
  operationId: list-connector-logs
  parameters:
  - {name: id, in: path, required: true, schema: {type: string}}
  - {name: limit, in: query, schema: {type: integer}}
  responses:
    "200":
      description: ok
      content:
        application/json:
          schema:
            type: object
            properties:
              logs: {type: array, items: {type: object, properties: {message: {type: string}}}}
"#,
                    ),
                );
                paths.insert(
                    "/v2/widgets".into(),
                    yaml(
                        "{get: {operationId: list-widgets, responses: {'200': {description: ok}}}}",
                    ),
                );
            },
        },
        Mutation {
            fragment: &spec::CONNECTORS,
            name: "deprecation-flags",
            what: "deprecated removed from the operations, added to a parameter and a field",
            expected: Expected::Builds,
            apply: |document| {
                let paths = document["paths"].as_mapping_mut().unwrap();
                for (path, item) in paths.iter_mut() {
                    if !path.as_str().is_some_and(|p| p.starts_with(CONNECTORS)) {
                        continue;
                    }
                    for (_, operation) in item.as_mapping_mut().unwrap().iter_mut() {
                        if let Some(operation) = operation.as_mapping_mut() {
                            operation.shift_remove("deprecated");
                        }
                    }
                }
                let get = operation(document, CONNECTORS, "get");
                get["parameters"][1]["deprecated"] = Value::from(true);
                properties(document, "Connector")["continue_on_failure"]["deprecated"] =
                    Value::from(true);
            },
        },
        Mutation {
            fragment: &spec::CONNECTORS,
            name: "json-schema-2020-12",
            what: "3.1 constructs the downgrade has no rewrite for: prefixItems, if/then, dependentRequired, patternProperties, contentMediaType, $comment",
            expected: Expected::Builds,
            apply: |document| {
                let connector = schemas(document)["Connector"].as_mapping_mut().unwrap();
                connector.insert("dependentRequired".into(), yaml("{oauth: [auth_type]}"));
                connector.insert(
                    "if".into(),
                    yaml("{properties: {auth_type: {const: oauth}}}"),
                );
                connector.insert("then".into(), yaml("{required: [oauth]}"));
                connector.insert("$comment".into(), Value::from("a note"));
                let properties = properties(document, "Connector");
                properties["excludes"] =
                    yaml("{type: array, prefixItems: [{type: string}], items: {type: string}}");
                properties["url"] = yaml("{type: string, contentMediaType: text/uri-list}");
                properties.insert(
                    "labels".into(),
                    yaml("{type: object, patternProperties: {'^x-': {type: string}}}"),
                );
            },
        },
        Mutation {
            fragment: &spec::CONNECTORS,
            name: "connector-required-field-removed",
            what: "Connector.name removed",
            expected: Expected::Refused(&[
                "Connector.name is no longer required",
                "Connector::name",
            ]),
            apply: |document| {
                properties(document, "Connector").shift_remove("name");
                let required = schemas(document)["Connector"]["required"]
                    .as_sequence_mut()
                    .unwrap();
                required.retain(|name| name.as_str() != Some("name"));
            },
        },
        Mutation {
            fragment: &spec::CONNECTORS,
            name: "operation-removed",
            what: "DELETE /v1/connectors/{id} removed",
            expected: Expected::Refused(&[
                "operation delete-connector",
                "is gone",
                "Connectors::delete",
            ]),
            apply: |document| {
                document["paths"][ONE]
                    .as_mapping_mut()
                    .unwrap()
                    .shift_remove("delete");
            },
        },
        Mutation {
            fragment: &spec::CONNECTORS,
            name: "operation-renamed",
            what: "get-connector renamed to fetch-connector",
            expected: Expected::Refused(&[
                "operation get-connector",
                "renamed to fetch-connector",
                "Connectors::get",
            ]),
            apply: |document| {
                operation(document, ONE, "get")["operationId"] = Value::from("fetch-connector");
            },
        },
        Mutation {
            fragment: &spec::CONNECTORS,
            name: "parameter-renamed",
            what: "the limit parameter of list-connectors renamed page_size",
            expected: Expected::Refused(&["query parameter `limit`", "Connectors::list"]),
            apply: |document| {
                let get = operation(document, CONNECTORS, "get");
                for parameter in get["parameters"].as_sequence_mut().unwrap() {
                    if parameter.get("name").and_then(Value::as_str) == Some("limit") {
                        parameter["name"] = Value::from("page_size");
                    }
                }
            },
        },
        // Chat v2 (openapi/chat.yaml, src/chat/): what the chat facade absorbs, and what its
        // contract refuses.
        Mutation {
            fragment: &spec::CHAT,
            name: "chat-answer-field-added",
            what: "the chat's answer gains a field and a finish reason",
            expected: Expected::Builds,
            apply: |document| {
                properties(document, "ChatResponseV2")
                    .insert("priority_used".into(), yaml("{type: integer}"));
                let reasons = schemas(document)["ChatFinishReason"]["enum"]
                    .as_sequence_mut()
                    .unwrap();
                reasons.push(Value::from("CONTENT_FILTERED"));
            },
        },
        Mutation {
            fragment: &spec::CHAT,
            name: "chat-request-field-removed",
            what: "the chat request loses `seed`, which ChatRequest sends",
            expected: Expected::Refused(&["no field `seed`", "ChatRequest"]),
            apply: |document| {
                chat_request(document)["properties"]
                    .as_mapping_mut()
                    .unwrap()
                    .shift_remove("seed");
            },
        },
        Mutation {
            fragment: &spec::CHAT,
            name: "chat-request-field-required",
            what: "the chat request requires `priority`, which ChatRequest does not always send",
            expected: Expected::Refused(&["now requires `priority`", "ChatRequest"]),
            apply: |document| {
                chat_request(document)["required"]
                    .as_sequence_mut()
                    .unwrap()
                    .push(Value::from("priority"));
            },
        },
        Mutation {
            fragment: &spec::CHAT,
            name: "chat-operation-renamed",
            what: "POST /v2/chat gets another operationId",
            expected: Expected::Refused(&["chatv2", "Client::chat"]),
            apply: |document| {
                operation(document, "/v2/chat", "post")["operationId"] = Value::from("chat-v2");
            },
        },
    ]
}

/// The upstream with `mutation` applied, as bytes.
pub fn mutated(upstream: &str, mutation: &Mutation) -> Result<Vec<u8>, String> {
    let mut document = spec::parse::parse_yaml(upstream).map_err(|error| error.to_string())?;
    drop_big_integers(&mut document);
    (mutation.apply)(&mut document);
    yaml_serde::to_string(&document)
        .map(String::into_bytes)
        .map_err(|error| error.to_string())
}

/// Integers beyond 64 bits (upstream has one, outside the connectors) cannot be written back;
/// no mutation is about them.
fn drop_big_integers(value: &mut Value) {
    match value {
        Value::Tagged(_) => *value = Value::Null,
        Value::Sequence(items) => items.iter_mut().for_each(drop_big_integers),
        Value::Mapping(object) => object.values_mut().for_each(drop_big_integers),
        _ => {}
    }
}

/// What happened to one mutation.
pub struct Outcome {
    pub name: &'static str,
    pub passed: bool,
    pub detail: String,
    pub seconds: f64,
}

/// The xtask's half of a mutation: the fragment it gives, or the refusal checked against the
/// expected words. `Ok(Some(fragment))` when it must build next.
pub fn run_xtask(upstream: &str, mutation: &Mutation) -> Result<Option<String>, String> {
    let bytes = mutated(upstream, mutation)?;
    match (mutation.fragment.generate(&bytes), &mutation.expected) {
        (Ok(fragment), Expected::Builds) => Ok(Some(fragment)),
        (Ok(_), Expected::Refused(_)) => Err("the xtask accepted it; it must refuse".into()),
        (Err(error), Expected::Builds) => Err(format!("the xtask refused it: {error}")),
        (Err(error), Expected::Refused(words)) => {
            let message = error.to_string();
            match words.iter().find(|word| !message.contains(**word)) {
                Some(missing) => Err(format!("the refusal does not say {missing:?}: {message}")),
                None => Ok(None),
            }
        }
    }
}

/// Runs the corpus: the xtask on each mutation, then `cargo check` of a copy of the crate
/// for each fragment that must build. `only` restricts it to mutations whose name contains it.
pub fn run(workspace: &Path, upstream: &str, only: Option<&str>) -> Result<Vec<Outcome>, String> {
    let copy = workspace.join("target/drift/crate");
    make_copy(workspace, &copy)?;
    let mut outcomes = Vec::new();
    for mutation in mutations() {
        if only.is_some_and(|only| !mutation.name.contains(only)) {
            continue;
        }
        let started = Instant::now();
        let result = run_xtask(upstream, &mutation).and_then(|fragment| match fragment {
            None => Ok("refused, naming the change".to_owned()),
            Some(fragment) => {
                let target = copy.join(mutation.fragment.path);
                std::fs::write(&target, fragment)
                    .map_err(|error| format!("cannot write the fragment: {error}"))?;
                let built = cargo_check(workspace, &copy);
                // The next mutation starts from the checked-in fragments again.
                copy_file(&workspace.join(mutation.fragment.path), &target)?;
                built.map(|()| "builds".to_owned())
            }
        });
        outcomes.push(Outcome {
            name: mutation.name,
            passed: result.is_ok(),
            detail: result.unwrap_or_else(|error| error),
            seconds: started.elapsed().as_secs_f64(),
        });
    }
    Ok(outcomes)
}

/// A copy of the workspace (its sources, not its target directory), to build the SDK against
/// other fragments. The whole workspace, because the SDK's manifest inherits from it and
/// names its members as dev-dependencies.
fn make_copy(workspace: &Path, copy: &Path) -> Result<(), String> {
    let _ = std::fs::remove_dir_all(copy);
    for dir in [
        "src", "openapi", "tests", "examples", "benches", "crates", "xtask",
    ] {
        copy_dir(&workspace.join(dir), &copy.join(dir))?;
    }
    for file in ["build.rs", "README.md", "Cargo.toml", "Cargo.lock"] {
        copy_file(&workspace.join(file), &copy.join(file))?;
    }
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    if !from.exists() {
        return Ok(());
    }
    std::fs::create_dir_all(to).map_err(|error| format!("{}: {error}", to.display()))?;
    for entry in std::fs::read_dir(from).map_err(|error| format!("{}: {error}", from.display()))? {
        let entry = entry.map_err(|error| error.to_string())?;
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            copy_file(&entry.path(), &target)?;
        }
    }
    Ok(())
}

fn copy_file(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::copy(from, to)
        .map(drop)
        .map_err(|error| format!("cannot copy {}: {error}", from.display()))
}

/// `cargo check` of the copy's SDK library with every feature, sharing the workspace's target
/// directory so that dependencies are built once.
fn cargo_check(workspace: &Path, copy: &Path) -> Result<(), String> {
    let cargo = std::env::var_os("CARGO").map_or_else(|| PathBuf::from("cargo"), PathBuf::from);
    let output = Command::new(cargo)
        .args([
            "check",
            "--package",
            "cohere-connectors",
            "--lib",
            "--all-features",
            "--offline",
            "--quiet",
            "--message-format",
            "short",
        ])
        .current_dir(copy)
        .env("CARGO_TARGET_DIR", workspace.join("target"))
        .output()
        .map_err(|error| format!("cannot run cargo: {error}"))?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let first_errors: Vec<&str> = stderr
        .lines()
        .filter(|line| line.contains("error"))
        .take(5)
        .collect();
    Err(format!(
        "the crate does not build: {}",
        first_errors.join(" | ")
    ))
}

/// The outcomes as a Markdown table.
pub fn report(outcomes: &[Outcome]) -> String {
    let mut table =
        String::from("| mutation | expected | outcome | seconds |\n|---|---|---|---:|\n");
    let corpus = mutations();
    for outcome in outcomes {
        let expected = match corpus
            .iter()
            .find(|m| m.name == outcome.name)
            .map(|m| &m.expected)
        {
            Some(Expected::Builds) => "builds",
            _ => "refused",
        };
        let mark = if outcome.passed { "ok" } else { "FAILED" };
        table.push_str(&format!(
            "| {} | {expected} | {mark}: {} | {:.1} |\n",
            outcome.name,
            outcome.detail.replace('|', "/"),
            outcome.seconds
        ));
    }
    table
}
