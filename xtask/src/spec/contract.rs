//! What the facade depends on in the fragment, checked after every run of the pipeline: a
//! new upstream that removes or renames one of the six operations, a parameter the facade
//! sets, a body field it reads, or a required field of `Connector`, is refused here, with
//! the change and the facade item it breaks, rather than by rustc deep inside the facade.
//!
//! Everything else (new fields, new operations, renamed schemas, new statuses, other error
//! bodies) is absorbed: the facade decodes answers into its own types from their bytes and
//! names no generated item (see `src/api/seam/mod.rs`).

use super::doc::{
    Mapping, Result, Value, map_at, map_path, operations, parse_component_ref, root, spec_error,
    str_at,
};

/// One operation the facade calls.
pub struct FacadeOperation {
    pub id: &'static str,
    pub method: &'static str,
    pub path: &'static str,
    /// The facade items that call it.
    pub facade: &'static str,
    pub path_parameters: &'static [&'static str],
    pub query_parameters: &'static [&'static str],
    pub json_body: bool,
    /// Fields of the success answer the facade reads.
    pub answer_fields: &'static [&'static str],
}

/// The six operations of `src/api/seam/mod.rs`.
pub const OPERATIONS: &[FacadeOperation] = &[
    FacadeOperation {
        id: "list-connectors",
        method: "get",
        path: "/v1/connectors",
        facade: "Connectors::list (ListConnectors, ConnectorStream, Pages)",
        path_parameters: &[],
        query_parameters: &["limit", "offset"],
        json_body: false,
        answer_fields: &["connectors"],
    },
    FacadeOperation {
        id: "create-connector",
        method: "post",
        path: "/v1/connectors",
        facade: "Connectors::create (CreateConnector)",
        path_parameters: &[],
        query_parameters: &[],
        json_body: true,
        answer_fields: &["connector"],
    },
    FacadeOperation {
        id: "get-connector",
        method: "get",
        path: "/v1/connectors/{id}",
        facade: "Connectors::get (GetConnector)",
        path_parameters: &["id"],
        query_parameters: &[],
        json_body: false,
        answer_fields: &["connector"],
    },
    FacadeOperation {
        id: "update-connector",
        method: "patch",
        path: "/v1/connectors/{id}",
        facade: "Connectors::update (UpdateConnector)",
        path_parameters: &["id"],
        query_parameters: &[],
        json_body: true,
        answer_fields: &["connector"],
    },
    FacadeOperation {
        id: "delete-connector",
        method: "delete",
        path: "/v1/connectors/{id}",
        facade: "Connectors::delete (DeleteConnector)",
        path_parameters: &["id"],
        query_parameters: &[],
        json_body: false,
        answer_fields: &[],
    },
    FacadeOperation {
        id: "oAuthAuthorize-connector",
        method: "post",
        path: "/v1/connectors/{id}/oauth/authorize",
        facade: "Connectors::authorize_oauth (AuthorizeOAuth)",
        path_parameters: &["id"],
        query_parameters: &["after_token_redirect"],
        json_body: false,
        answer_fields: &["redirect_url"],
    },
];

/// Fields of a connector the facade's `Connector` holds without an `Option`.
pub const CONNECTOR_REQUIRED: &[&str] = &["id", "name", "created_at", "updated_at"];

/// What a create always sends: a `NewConnector`'s only mandatory fields.
pub const CREATE_ALWAYS_SENT: &[&str] = &["name", "url"];

/// Checks `document` (the fragment, after the pipeline) against the facade's needs; the
/// error lists every break with the facade item it affects.
pub fn check(document: &Value) -> Result<()> {
    let root = root(document)?;
    let mut breaks = Vec::new();
    for expected in OPERATIONS {
        check_operation(root, expected, &mut breaks);
    }
    if breaks.is_empty() {
        return Ok(());
    }
    Err(spec_error!(
        "this upstream breaks what the facade depends on:\n{}\n\
         Teach the facade the change in src/api/seam/mod.rs (and this contract in \
         xtask/src/spec/contract.rs), then run the xtask again. Nothing was written.",
        breaks
            .iter()
            .map(|line| format!("  - {line}"))
            .collect::<Vec<_>>()
            .join("\n")
    ))
}

fn check_operation(root: &Mapping, expected: &FacadeOperation, breaks: &mut Vec<String>) {
    let all = operations(root);
    let found = all
        .iter()
        .find(|(_, _, operation)| str_at(operation, "operationId") == Some(expected.id));
    let Some((path, method, operation)) = found else {
        let at_same_place = all
            .iter()
            .find(|(path, method, _)| path == expected.path && method == expected.method);
        breaks.push(
            match at_same_place.and_then(|(_, _, op)| str_at(op, "operationId")) {
                Some(new_id) => format!(
                    "operation {} ({} {}) was renamed to {new_id}; {} calls it by its old name",
                    expected.id,
                    expected.method.to_uppercase(),
                    expected.path,
                    expected.facade
                ),
                None => format!(
                    "operation {} ({} {}) is gone; {} depends on it",
                    expected.id,
                    expected.method.to_uppercase(),
                    expected.path,
                    expected.facade
                ),
            },
        );
        return;
    };
    if path != expected.path || method != expected.method {
        breaks.push(format!(
            "operation {} moved from {} {} to {} {path}; {} depends on where it is",
            expected.id,
            expected.method.to_uppercase(),
            expected.path,
            method.to_uppercase(),
            expected.facade
        ));
    }
    let parameters = parameters_of(root, path, operation);
    for (location, names) in [
        ("path", expected.path_parameters),
        ("query", expected.query_parameters),
    ] {
        for name in names {
            if !parameters.iter().any(|(n, l)| n == name && l == location) {
                breaks.push(format!(
                    "{} has no {location} parameter `{name}` any more; {} sets it",
                    expected.id, expected.facade
                ));
            }
        }
    }
    if expected.json_body
        && map_path(operation, &["requestBody", "content", "application/json"]).is_none()
    {
        breaks.push(format!(
            "{} no longer takes a JSON body; {} sends one",
            expected.id, expected.facade
        ));
    }
    let answer = success_schema(root, operation);
    let Some(answer) = answer else {
        breaks.push(format!(
            "{} no longer documents a JSON success answer; {} reads one",
            expected.id, expected.facade
        ));
        return;
    };
    let properties = map_at(answer, "properties");
    for field in expected.answer_fields {
        if properties.and_then(|p| p.get(*field)).is_none() {
            breaks.push(format!(
                "the answer of {} has no field `{field}` any more; {} reads it",
                expected.id, expected.facade
            ));
        }
    }
    if expected.id == "list-connectors"
        && let Some(connector) = properties
            .and_then(|p| map_at(p, "connectors"))
            .and_then(|connectors| connectors.get("items"))
            .and_then(|items| resolve_schema(root, items))
    {
        check_connector(connector, breaks);
    }
    if expected.id == "create-connector"
        && let Some(body) = map_path(operation, &["requestBody", "content", "application/json"])
            .and_then(|media| media.get("schema"))
            .and_then(|schema| resolve_schema(root, schema))
    {
        for field in required(body) {
            if !CREATE_ALWAYS_SENT.contains(&field.as_str()) {
                breaks.push(format!(
                    "create-connector now requires `{field}`; NewConnector (Connectors::create) does not always send it"
                ));
            }
        }
    }
}

fn check_connector(connector: &Mapping, breaks: &mut Vec<String>) {
    let required = required(connector);
    for field in CONNECTOR_REQUIRED {
        if !required.iter().any(|name| name == field) {
            breaks.push(format!(
                "Connector.{field} is no longer required; the facade's Connector::{field} is not an Option and depends on it"
            ));
        }
    }
}

pub(super) fn required(schema: &Mapping) -> Vec<String> {
    schema
        .get("required")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
        .filter_map(|name| name.as_str().map(str::to_owned))
        .collect()
}

/// `(name, in)` of every parameter of an operation and of its path item, `$ref`s followed.
fn parameters_of(root: &Mapping, path: &str, operation: &Mapping) -> Vec<(String, String)> {
    let item_parameters = map_path(root, &["paths", path])
        .and_then(|item| item.get("parameters"))
        .and_then(Value::as_sequence);
    let operation_parameters = operation.get("parameters").and_then(Value::as_sequence);
    item_parameters
        .into_iter()
        .chain(operation_parameters)
        .flatten()
        .filter_map(|parameter| {
            let parameter = parameter.as_mapping()?;
            let parameter = match str_at(parameter, "$ref").and_then(parse_component_ref) {
                Some(("parameters", name)) => map_path(root, &["components", "parameters", name])?,
                _ => parameter,
            };
            Some((
                str_at(parameter, "name")?.to_owned(),
                str_at(parameter, "in")?.to_owned(),
            ))
        })
        .collect()
}

/// The JSON schema of an operation's success answer (its 2xx response), `$ref`s followed.
pub(super) fn success_schema<'a>(root: &'a Mapping, operation: &'a Mapping) -> Option<&'a Mapping> {
    let responses = map_at(operation, "responses")?;
    let (_, response) = responses
        .iter()
        .find(|(status, _)| status.as_str().is_some_and(|s| s.starts_with('2')))?;
    let response = response.as_mapping()?;
    let response = match str_at(response, "$ref").and_then(parse_component_ref) {
        Some(("responses", name)) => map_path(root, &["components", "responses", name])?,
        _ => response,
    };
    let schema = map_path(response, &["content", "application/json"])?.get("schema")?;
    resolve_schema(root, schema)
}

pub(super) fn resolve_schema<'a>(root: &'a Mapping, schema: &'a Value) -> Option<&'a Mapping> {
    let schema = schema.as_mapping()?;
    match str_at(schema, "$ref").and_then(parse_component_ref) {
        Some(("schemas", name)) => map_path(root, &["components", "schemas", name]),
        _ => Some(schema),
    }
}
