//! `cargo xtask spec --diff`: what a new upstream changes, in the API's terms (operations,
//! parameters, status codes, fields, types, enum values), so that a maintainer reviews a
//! short list before the fragment is rewritten, not a YAML diff.

use std::collections::{BTreeMap, BTreeSet};

use super::doc::{Mapping, Value, map_at, map_path, operations, parse_component_ref, root, str_at};

/// What the diff looks at in one operation.
#[derive(Default, PartialEq)]
struct OperationModel {
    id: String,
    /// `in name` -> `type, required`.
    parameters: BTreeMap<String, String>,
    statuses: BTreeSet<String>,
    request: Option<String>,
    answer: Option<String>,
    deprecated: bool,
}

/// What the diff looks at in one schema.
#[derive(Default, PartialEq)]
struct SchemaModel {
    kind: String,
    /// name -> type.
    fields: BTreeMap<String, String>,
    required: BTreeSet<String>,
    values: Vec<String>,
}

struct ApiModel {
    /// `METHOD path` -> operation.
    operations: BTreeMap<String, OperationModel>,
    schemas: BTreeMap<String, SchemaModel>,
}

/// A schema's type in a few words: `string`, `string (date-time)`, `array of Connector`,
/// `Connector`, `object`.
fn type_of(schema: &Value) -> String {
    let Some(schema) = schema.as_mapping() else {
        return "any".into();
    };
    if let Some(reference) = str_at(schema, "$ref") {
        return parse_component_ref(reference)
            .map_or_else(|| reference.to_owned(), |(_, name)| name.to_owned());
    }
    for combinator in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Sequence(branches)) = schema.get(combinator) {
            let inner: Vec<String> = branches.iter().map(type_of).collect();
            return format!("{combinator}({})", inner.join(", "));
        }
    }
    let base = match str_at(schema, "type") {
        Some("array") => format!(
            "array of {}",
            schema.get("items").map_or_else(|| "any".into(), type_of)
        ),
        Some(kind) => kind.to_owned(),
        None => "any".to_owned(),
    };
    let base = match str_at(schema, "format") {
        Some(format) => format!("{base} ({format})"),
        None => base,
    };
    if schema.get("nullable").and_then(Value::as_bool) == Some(true) {
        format!("{base}, nullable")
    } else {
        base
    }
}

fn resolve<'a>(root: &'a Mapping, value: &'a Value, section: &str) -> Option<&'a Mapping> {
    let object = value.as_mapping()?;
    match str_at(object, "$ref").and_then(parse_component_ref) {
        Some((found, name)) if found == section => map_path(root, &["components", section, name]),
        Some(_) => None,
        None => Some(object),
    }
}

fn model(document: &Value) -> ApiModel {
    let Ok(root) = root(document) else {
        return ApiModel {
            operations: BTreeMap::new(),
            schemas: BTreeMap::new(),
        };
    };
    let mut operations_model = BTreeMap::new();
    for (path, method, operation) in operations(root) {
        let mut model = OperationModel {
            id: str_at(operation, "operationId")
                .unwrap_or_default()
                .to_owned(),
            deprecated: operation.get("deprecated").and_then(Value::as_bool) == Some(true),
            ..OperationModel::default()
        };
        for parameter in operation
            .get("parameters")
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
            .filter_map(|parameter| resolve(root, parameter, "parameters"))
        {
            let key = format!(
                "{} {}",
                str_at(parameter, "in").unwrap_or_default(),
                str_at(parameter, "name").unwrap_or_default()
            );
            let required = parameter.get("required").and_then(Value::as_bool) == Some(true);
            let kind = parameter
                .get("schema")
                .map_or_else(|| "any".into(), type_of);
            let value = if required {
                format!("{kind}, required")
            } else {
                kind
            };
            model.parameters.insert(key, value);
        }
        if let Some(responses) = map_at(operation, "responses") {
            for (status, response) in responses {
                let status = super::doc::scalar_text(status);
                if status.starts_with('2') && model.answer.is_none() {
                    model.answer = resolve(root, response, "responses")
                        .and_then(|response| map_path(response, &["content", "application/json"]))
                        .and_then(|media| media.get("schema"))
                        .map(type_of);
                }
                model.statuses.insert(status);
            }
        }
        model.request = map_path(operation, &["requestBody", "content", "application/json"])
            .and_then(|media| media.get("schema"))
            .map(type_of);
        operations_model.insert(format!("{} {path}", method.to_uppercase()), model);
    }
    let mut schemas = BTreeMap::new();
    if let Some(components) = map_path(root, &["components", "schemas"]) {
        for (name, schema) in components {
            let (Some(name), Some(object)) = (name.as_str(), schema.as_mapping()) else {
                continue;
            };
            let fields = map_at(object, "properties")
                .map(|properties| {
                    properties
                        .iter()
                        .filter_map(|(field, schema)| {
                            Some((field.as_str()?.to_owned(), type_of(schema)))
                        })
                        .collect()
                })
                .unwrap_or_default();
            let required = object
                .get("required")
                .and_then(Value::as_sequence)
                .into_iter()
                .flatten()
                .filter_map(|name| name.as_str().map(str::to_owned))
                .collect();
            let values = object
                .get("enum")
                .and_then(Value::as_sequence)
                .into_iter()
                .flatten()
                .map(super::doc::scalar_text)
                .collect();
            schemas.insert(
                name.to_owned(),
                SchemaModel {
                    kind: type_of(schema),
                    fields,
                    required,
                    values,
                },
            );
        }
    }
    ApiModel {
        operations: operations_model,
        schemas,
    }
}

/// The changes from `old` to `new` (both fragments), one line each: `+` added, `-` removed,
/// `~` changed.
pub fn diff(old: &Value, new: &Value) -> Vec<String> {
    let (old, new) = (model(old), model(new));
    let mut lines = Vec::new();
    for (key, before) in &old.operations {
        match new.operations.get(key) {
            None => lines.push(format!("- operation {key} ({})", before.id)),
            Some(after) => operation_changes(key, before, after, &mut lines),
        }
    }
    for (key, after) in &new.operations {
        if !old.operations.contains_key(key) {
            lines.push(format!("+ operation {key} ({})", after.id));
        }
    }
    for (name, before) in &old.schemas {
        match new.schemas.get(name) {
            None => lines.push(format!("- schema {name}")),
            Some(after) => schema_changes(name, before, after, &mut lines),
        }
    }
    for name in new.schemas.keys() {
        if !old.schemas.contains_key(name) {
            lines.push(format!("+ schema {name}"));
        }
    }
    lines
}

fn operation_changes(
    key: &str,
    before: &OperationModel,
    after: &OperationModel,
    lines: &mut Vec<String>,
) {
    let at = format!("~ {key} ({})", after.id);
    if before.id != after.id {
        lines.push(format!("{at}: operationId was {}", before.id));
    }
    map_changes(
        &at,
        "parameter",
        &before.parameters,
        &after.parameters,
        lines,
    );
    for status in before.statuses.difference(&after.statuses) {
        lines.push(format!("{at}: - status {status}"));
    }
    for status in after.statuses.difference(&before.statuses) {
        lines.push(format!("{at}: + status {status}"));
    }
    if before.request != after.request {
        lines.push(format!(
            "{at}: request body {} -> {}",
            before.request.as_deref().unwrap_or("none"),
            after.request.as_deref().unwrap_or("none")
        ));
    }
    if before.answer != after.answer {
        lines.push(format!(
            "{at}: success answer {} -> {}",
            before.answer.as_deref().unwrap_or("none"),
            after.answer.as_deref().unwrap_or("none")
        ));
    }
    if before.deprecated != after.deprecated {
        lines.push(format!(
            "{at}: {}",
            if after.deprecated {
                "now deprecated"
            } else {
                "no longer deprecated"
            }
        ));
    }
}

fn schema_changes(name: &str, before: &SchemaModel, after: &SchemaModel, lines: &mut Vec<String>) {
    let at = format!("~ schema {name}");
    if before.kind != after.kind {
        lines.push(format!("{at}: {} -> {}", before.kind, after.kind));
    }
    for (field, kind) in &before.fields {
        match after.fields.get(field) {
            None => lines.push(format!("{at}: - field {field} ({kind})")),
            Some(now) if now != kind => lines.push(format!("{at}: field {field}: {kind} -> {now}")),
            Some(_) => {}
        }
    }
    for (field, kind) in &after.fields {
        if !before.fields.contains_key(field) {
            let required = if after.required.contains(field) {
                "required"
            } else {
                "optional"
            };
            lines.push(format!("{at}: + field {field} ({kind}, {required})"));
        }
    }
    for field in before.required.difference(&after.required) {
        if after.fields.contains_key(field) {
            lines.push(format!("{at}: field {field} no longer required"));
        }
    }
    for field in after.required.difference(&before.required) {
        if before.fields.contains_key(field) {
            lines.push(format!("{at}: field {field} now required"));
        }
    }
    for value in before
        .values
        .iter()
        .filter(|value| !after.values.contains(value))
    {
        lines.push(format!("{at}: - value {value}"));
    }
    for value in after
        .values
        .iter()
        .filter(|value| !before.values.contains(value))
    {
        lines.push(format!("{at}: + value {value}"));
    }
}

fn map_changes(
    at: &str,
    what: &str,
    before: &BTreeMap<String, String>,
    after: &BTreeMap<String, String>,
    lines: &mut Vec<String>,
) {
    for (key, kind) in before {
        match after.get(key) {
            None => lines.push(format!("{at}: - {what} {key} ({kind})")),
            Some(now) if now != kind => lines.push(format!("{at}: {what} {key}: {kind} -> {now}")),
            Some(_) => {}
        }
    }
    for (key, kind) in after {
        if !before.contains_key(key) {
            lines.push(format!("{at}: + {what} {key} ({kind})"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::testing::yaml;

    const OLD: &str = r##"
paths:
  /v1/connectors:
    get:
      operationId: list-connectors
      parameters: [{name: limit, in: query, schema: {type: number}}]
      responses: {"200": {content: {application/json: {schema: {$ref: "#/components/schemas/List"}}}}, "404": {}}
  /v1/connectors/{id}:
    delete: {operationId: delete-connector, responses: {"200": {}}}
components:
  schemas:
    List: {type: object, required: [connectors], properties: {connectors: {type: array, items: {$ref: "#/components/schemas/Connector"}}, total_count: {type: number}}}
    Connector: {type: object, required: [id, name], properties: {id: {type: string}, name: {type: string}}}
    Kind: {type: string, enum: [a, b]}
"##;

    #[test]
    fn changes_read_in_api_terms() {
        let new = yaml(&OLD
            .replace("{name: limit, in: query, schema: {type: number}}", "{name: limit, in: query, schema: {type: integer}}, {name: q, in: query, schema: {type: string}}")
            .replace(", \"404\": {}", ", \"429\": {}")
            .replace("delete: {operationId: delete-connector,", "delete: {operationId: remove-connector, deprecated: true,")
            .replace("total_count: {type: number}", "total_count: {type: integer}, region: {type: string}")
            .replace("required: [id, name], properties: {id: {type: string}, name: {type: string}}", "required: [id], properties: {id: {type: string}, name: {type: string}}")
            .replace("enum: [a, b]", "enum: [a, c]")
            .replace("components:", "  /v1/connectors/{id}/logs:\n    get: {operationId: logs, responses: {}}\ncomponents:"));
        let lines = diff(&yaml(OLD), &new);
        assert_eq!(
            lines,
            [
                "~ DELETE /v1/connectors/{id} (remove-connector): operationId was delete-connector",
                "~ DELETE /v1/connectors/{id} (remove-connector): now deprecated",
                "~ GET /v1/connectors (list-connectors): parameter query limit: number -> integer",
                "~ GET /v1/connectors (list-connectors): + parameter query q (string)",
                "~ GET /v1/connectors (list-connectors): - status 404",
                "~ GET /v1/connectors (list-connectors): + status 429",
                "+ operation GET /v1/connectors/{id}/logs (logs)",
                "~ schema Connector: field name no longer required",
                "~ schema Kind: - value b",
                "~ schema Kind: + value c",
                "~ schema List: field total_count: number -> integer",
                "~ schema List: + field region (string, optional)",
            ]
        );
        assert!(diff(&yaml(OLD), &yaml(OLD)).is_empty());
    }
}
