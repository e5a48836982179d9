//! Step 4: what makes progenitor fail, or generate code that misbehaves on the wire.
//!
//! Every fix keys on the document's structure (which schema a PATCH sends, which responses are
//! errors), never on upstream's wording or line numbers, and reports what it changed.

use std::collections::BTreeSet;

use super::doc::{
    Mapping, Result, Value, insert_after, map_at, map_at_mut, map_path, map_path_mut, operations,
    parse_component_ref, root, root_mut, scalar_text, spec_error, str_at, walk_objects,
};

/// The name under which the shared error body lands in `components.schemas`.
pub const ERROR_SCHEMA: &str = "ErrorBody";

/// Query parameters that count items; the API takes whole numbers for them.
const COUNT_PARAMETERS: &[&str] = &["limit", "offset"];

/// Formats that OpenAPI, JSON Schema or typify give a meaning to.
const KNOWN_FORMATS: &[&str] = &[
    "date-time",
    "date",
    "time",
    "duration",
    "email",
    "idn-email",
    "hostname",
    "idn-hostname",
    "ipv4",
    "ipv6",
    "ip",
    "uri",
    "uri-reference",
    "iri",
    "iri-reference",
    "uri-template",
    "uuid",
    "json-pointer",
    "relative-json-pointer",
    "regex",
    "password",
    "byte",
    "binary",
    "float",
    "double",
    "int",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
];

/// A `required` entry that names no property makes typify emit the field twice (the property
/// and a phantom), which does not compile. Upstream spells some of them in camelCase
/// (`clientId` for `client_id`): an entry that matches exactly one property once case, `_`
/// and `-` are ignored is renamed to it; one that matches nothing is dropped.
pub fn repair_required_names(document: &mut Value) -> Result<Vec<String>> {
    let mut notes = Vec::new();
    walk_objects(document, &mut |site, object| {
        let Some(properties) = map_at(object, "properties") else {
            return Ok(());
        };
        let names: Vec<String> = properties.keys().map(scalar_text).collect();
        let Some(Value::Sequence(required)) = object.get_mut("required") else {
            return Ok(());
        };
        let mut repaired: Vec<String> = Vec::new();
        for entry in required.drain(..) {
            let entry = scalar_text(&entry);
            if names.contains(&entry) {
                if !repaired.contains(&entry) {
                    repaired.push(entry);
                }
                continue;
            }
            let matches: Vec<&String> = names
                .iter()
                .filter(|name| loose_name(name) == loose_name(&entry))
                .collect();
            match matches.as_slice() {
                [only] => {
                    notes.push(format!("{}: required {entry} -> {only}", site.at));
                    if !repaired.contains(only) {
                        repaired.push((*only).clone());
                    }
                }
                _ => notes.push(format!(
                    "{}: required {entry} names no property, dropped",
                    site.at
                )),
            }
        }
        required.extend(repaired.into_iter().map(Value::from));
        Ok(())
    })?;
    Ok(notes)
}

fn loose_name(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// progenitor names an inline error body after the operation's success type, so an error
/// response fails to decode; and it panics unless every error status of an operation has one
/// type. Every error response (4XX, 5XX) is given one JSON body, [`ERROR_SCHEMA`]: the shape
/// they share when upstream's are identical; any JSON object when they differ, or when some
/// have no JSON body (the facade reads error bodies itself either way).
pub fn share_error_response_schema(document: &mut Value) -> Result<Vec<String>> {
    let locations = error_response_locations(root(document)?);
    if locations.is_empty() {
        return Ok(Vec::new());
    }
    let mut shapes: Vec<Option<Value>> = Vec::new();
    {
        let root = root_mut(document)?;
        for location in &locations {
            let schema = location
                .resolve_mut(root)
                .and_then(|response| map_at(response, "content"))
                .and_then(|content| map_at(content, "application/json"))
                .and_then(|media| media.get("schema"))
                .cloned();
            shapes.push(schema);
        }
    }
    let uniform = shapes.windows(2).all(|pair| pair[0] == pair[1]);
    let (shape, note) = match (&shapes[0], uniform) {
        (Some(shape), true) if !shape.as_mapping().is_some_and(|s| s.contains_key("$ref")) => {
            (shape.clone(), None)
        }
        _ => {
            let mut any_object = Mapping::new();
            any_object.insert("type".into(), "object".into());
            (
                Value::Mapping(any_object),
                Some(format!(
                    "error bodies differ between responses: {ERROR_SCHEMA} accepts any JSON object"
                )),
            )
        }
    };
    let root = root_mut(document)?;
    for location in &locations {
        let Some(response) = location.resolve_mut(root) else {
            continue;
        };
        let mut reference = Mapping::new();
        reference.insert(
            "$ref".into(),
            format!("#/components/schemas/{ERROR_SCHEMA}").into(),
        );
        let mut media = Mapping::new();
        media.insert("schema".into(), Value::Mapping(reference));
        let mut content = Mapping::new();
        content.insert("application/json".into(), Value::Mapping(media));
        response.insert("content".into(), Value::Mapping(content));
    }
    let schemas = schemas_mut(root);
    if let Some(existing) = schemas.get(ERROR_SCHEMA)
        && existing != &shape
    {
        return Err(spec_error!(
            "components.schemas.{ERROR_SCHEMA} already exists with another shape"
        ));
    }
    schemas.insert(ERROR_SCHEMA.into(), shape);
    let mut notes = vec![format!(
        "{} error responses now use #/components/schemas/{ERROR_SCHEMA}",
        locations.len()
    )];
    notes.extend(note);
    Ok(notes)
}

/// Where a response object lives: under `components.responses`, or inline in an operation.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
enum ResponseLocation {
    Component(String),
    Inline {
        path: String,
        method: String,
        status: String,
    },
}

impl ResponseLocation {
    fn resolve_mut<'a>(&self, root: &'a mut Mapping) -> Option<&'a mut Mapping> {
        match self {
            Self::Component(name) => map_path_mut(root, &["components", "responses", name]),
            Self::Inline {
                path,
                method,
                status,
            } => map_path_mut(root, &["paths", path, method, "responses", status]),
        }
    }
}

impl std::fmt::Display for ResponseLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Component(name) => write!(f, "components.responses.{name}"),
            Self::Inline {
                path,
                method,
                status,
            } => write!(f, "{method} {path} {status}"),
        }
    }
}

fn is_error_status(status: &str) -> bool {
    status == "default" || status.starts_with('4') || status.starts_with('5')
}

/// Every response used for an error status, once each, in a stable order.
fn error_response_locations(root: &Mapping) -> Vec<ResponseLocation> {
    let mut locations = BTreeSet::new();
    for (path, method, operation) in operations(root) {
        let Some(responses) = map_at(operation, "responses") else {
            continue;
        };
        for (status, response) in responses {
            let status = scalar_text(status);
            if !is_error_status(&status) {
                continue;
            }
            let reference = response
                .as_mapping()
                .and_then(|response| str_at(response, "$ref"));
            let location = match reference.and_then(parse_component_ref) {
                Some(("responses", name)) => ResponseLocation::Component(name.to_owned()),
                Some(_) => continue,
                None => ResponseLocation::Inline {
                    path: path.clone(),
                    method: method.clone(),
                    status,
                },
            };
            locations.insert(location);
        }
    }
    locations.into_iter().collect()
}

/// `components.schemas`, created when missing.
pub(crate) fn schemas_mut(root: &mut Mapping) -> &mut Mapping {
    let components = root
        .entry("components".into())
        .or_insert_with(|| Value::Mapping(Mapping::new()));
    let components = components
        .as_mapping_mut()
        .expect("components is a mapping");
    components
        .entry("schemas".into())
        .or_insert_with(|| Value::Mapping(Mapping::new()))
        .as_mapping_mut()
        .expect("schemas is a mapping")
}

/// The component schemas that PATCH operations send as their body.
fn patch_body_schemas(root: &Mapping) -> Vec<String> {
    let mut names = Vec::new();
    for (_, method, operation) in operations(root) {
        if method != "patch" {
            continue;
        }
        let body = match map_at(operation, "requestBody") {
            Some(body) => match str_at(body, "$ref").and_then(parse_component_ref) {
                Some(("requestBodies", name)) => {
                    map_path(root, &["components", "requestBodies", name])
                }
                _ => Some(body),
            },
            None => None,
        };
        let Some(content) = body.and_then(|body| map_at(body, "content")) else {
            continue;
        };
        for media in content.values().filter_map(Value::as_mapping) {
            let reference = map_at(media, "schema")
                .and_then(|schema| str_at(schema, "$ref"))
                .and_then(parse_component_ref);
            if let Some(("schemas", name)) = reference
                && !names.iter().any(|known| known == name)
            {
                names.push(name.to_owned());
            }
        }
    }
    names
}

/// A `default` makes progenitor serialize the property on every request. For a PATCH that
/// resets what the caller did not mention (a rename would also set `active: true`), and a
/// default is not true of a partial update anyway: an absent field keeps its current value.
pub fn drop_patch_body_defaults(document: &mut Value) -> Result<Vec<String>> {
    let names = patch_body_schemas(root(document)?);
    Ok(drop_property_defaults(root_mut(document)?, &names))
}

/// Drops the `default` of every property of the component schemas `names`, with a note for
/// each (what both fragments' fixes of client-sent defaults share).
pub(super) fn drop_property_defaults(
    root: &mut Mapping,
    names: impl IntoIterator<Item = impl AsRef<str>>,
) -> Vec<String> {
    let mut notes = Vec::new();
    for name in names {
        let name = name.as_ref();
        let Some(properties) = map_path_mut(root, &["components", "schemas", name, "properties"])
        else {
            continue;
        };
        for (property, schema) in properties.iter_mut() {
            if let Some(schema) = schema.as_mapping_mut()
                && schema.shift_remove("default").is_some()
            {
                notes.push(format!("{name}.{}: default dropped", scalar_text(property)));
            }
        }
    }
    notes
}

/// typify renders an optional array as a `Vec` that is skipped when empty, so a PATCH could
/// never send `[]` to clear a list. Giving the array schema a name (a `$ref` to an identical
/// schema, which means the same thing) makes it an `Option` of a named type instead: absent
/// and empty stay distinct.
pub fn name_patch_body_arrays(document: &mut Value) -> Result<Vec<String>> {
    let mut notes = Vec::new();
    for name in patch_body_schemas(root(document)?) {
        let root = root_mut(document)?;
        let Some(properties) = map_path(root, &["components", "schemas", &name, "properties"])
        else {
            continue;
        };
        let arrays: Vec<(String, Value)> = properties
            .iter()
            .filter(|(_, schema)| {
                schema
                    .as_mapping()
                    .is_some_and(|schema| str_at(schema, "type") == Some("array"))
            })
            .map(|(property, schema)| (scalar_text(property), schema.clone()))
            .collect();
        for (property, schema) in arrays {
            let named = format!("{name}{}", upper_camel(&property));
            let schemas = schemas_mut(root);
            if schemas.contains_key(named.as_str()) {
                return Err(spec_error!(
                    "cannot name {name}.{property}: components.schemas.{named} already exists"
                ));
            }
            schemas.insert(named.as_str().into(), schema);
            let mut reference = Mapping::new();
            reference.insert(
                "$ref".into(),
                format!("#/components/schemas/{named}").into(),
            );
            let properties = map_path_mut(root, &["components", "schemas", &name, "properties"])
                .expect("the properties were just read");
            properties.insert(property.as_str().into(), Value::Mapping(reference));
            notes.push(format!("{name}.{property} -> #/components/schemas/{named}"));
        }
    }
    Ok(notes)
}

fn upper_camel(snake: &str) -> String {
    snake
        .split(['_', '-'])
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

/// typify turns a closed string `enum` into a Rust enum that rejects every other value, but
/// the API documents more values than it lists (`auth_status` may be `""`) and may add new
/// ones. Enums only found in what the server sends become plain strings; the facade maps them
/// to open enums. Enums the client sends stay closed: there, a typo should not compile.
pub fn open_response_enums(document: &mut Value) -> Result<Vec<String>> {
    let root_ref = root(document)?;
    let (sent, received) = schema_directions(root_ref);
    let received_only: Vec<String> = received.difference(&sent).cloned().collect();
    let mut notes = Vec::new();
    let root = root_mut(document)?;
    for name in received_only {
        let Some(schema) = map_path_mut(root, &["components", "schemas", &name]) else {
            continue;
        };
        let mut schema = Value::Mapping(std::mem::take(schema));
        walk_objects(&mut schema, &mut |site, object| {
            if str_at(object, "type") == Some("string")
                && let Some(Value::Sequence(members)) = object.shift_remove("enum")
            {
                let members: Vec<String> = members.iter().map(scalar_text).collect();
                let at = site.at.to_string();
                let at = at.trim_start_matches('#');
                notes.push(format!("{name}{at}: [{}] opened", members.join(", ")));
            }
            Ok(())
        })?;
        *map_path_mut(root, &["components", "schemas", &name]).expect("just taken") =
            schema.as_mapping().cloned().unwrap_or_default();
    }
    Ok(notes)
}

/// The component schemas reachable from what the client sends (parameters, request bodies)
/// and from what it receives (responses), following references transitively.
pub(crate) fn schema_directions(root: &Mapping) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut sent = Vec::new();
    let mut received = Vec::new();
    for (path, _, operation) in operations(root) {
        let path_parameters = map_path(root, &["paths", &path])
            .and_then(|item| item.get("parameters"))
            .cloned();
        for key in ["parameters", "requestBody"] {
            sent.extend(operation.get(key).cloned());
        }
        sent.extend(path_parameters);
        received.extend(operation.get("responses").cloned());
    }
    (
        reachable_schemas(root, sent),
        reachable_schemas(root, received),
    )
}

fn reachable_schemas(root: &Mapping, starts: Vec<Value>) -> BTreeSet<String> {
    let mut reached = BTreeSet::new();
    let mut pending: Vec<String> = starts.iter().flat_map(super::doc::collect_refs).collect();
    let mut seen = BTreeSet::new();
    while let Some(reference) = pending.pop() {
        if !seen.insert(reference.clone()) {
            continue;
        }
        let Some((section, name)) = parse_component_ref(&reference) else {
            continue;
        };
        if section == "schemas" {
            reached.insert(name.to_owned());
        }
        if let Some(target) = map_path(root, &["components", section]).and_then(|s| s.get(name)) {
            pending.extend(super::doc::collect_refs(target));
        }
    }
    reached
}

/// `limit` and `offset` are `number` upstream, so progenitor sends them as floats
/// (`?limit=10.0`). They count items: `integer` with `minimum: 0` makes them `u64` in Rust and
/// `?limit=10` on the wire, which is what Cohere's other SDKs send. (`total_count`, which the
/// client only reads, stays a `number`: any JSON number form still decodes, and the facade
/// turns it into an integer.)
pub fn integer_count_parameters(document: &mut Value) -> Result<Vec<String>> {
    let mut notes = Vec::new();
    walk_objects(document, &mut |site, parameter| {
        let name = str_at(parameter, "name").map(str::to_owned);
        let is_count_query = str_at(parameter, "in") == Some("query")
            && name
                .as_deref()
                .is_some_and(|name| COUNT_PARAMETERS.contains(&name));
        if !is_count_query {
            return Ok(());
        }
        let Some(schema) = map_at_mut(parameter, "schema") else {
            return Ok(());
        };
        if str_at(schema, "type") == Some("number") {
            schema.insert("type".into(), "integer".into());
            if !schema.contains_key("minimum") {
                insert_after(schema, "type", "minimum", Value::from(0));
            }
            notes.push(format!(
                "{}: {} number -> integer, minimum 0",
                site.at,
                name.unwrap_or_default()
            ));
        }
        Ok(())
    })?;
    Ok(notes)
}

/// A `format` that no standard defines (upstream has `format: enum`, a hint for another
/// generator) means nothing to progenitor and would only mislead a reader.
pub fn drop_unknown_formats(document: &mut Value) -> Result<Vec<String>> {
    let mut notes = Vec::new();
    walk_objects(document, &mut |site, object| {
        let unknown = str_at(object, "format")
            .filter(|format| !KNOWN_FORMATS.contains(format))
            .map(str::to_owned);
        if let Some(format) = unknown {
            object.shift_remove("format");
            notes.push(format!("{}: format {format} dropped", site.at));
        }
        Ok(())
    })?;
    Ok(notes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::testing::{same_text, yaml};

    #[test]
    fn required_names_are_matched_to_properties_or_dropped() {
        let mut doc = yaml(
            "components: {schemas: {O: {required: [clientId, token_url, ghost], properties: {client_id: {}, token_url: {}}}}}\n",
        );
        let notes = repair_required_names(&mut doc).unwrap();
        same_text(
            &doc,
            &yaml(
                "components: {schemas: {O: {required: [client_id, token_url], properties: {client_id: {}, token_url: {}}}}}\n",
            ),
        );
        assert_eq!(
            notes,
            [
                "#/components/schemas/O: required clientId -> client_id",
                "#/components/schemas/O: required ghost names no property, dropped",
            ]
        );
    }

    const ERRORS: &str = r##"
paths:
  /a:
    get:
      responses:
        "200": {description: "", content: {application/json: {schema: {$ref: "#/components/schemas/Ok"}}}}
        "400": {$ref: "#/components/responses/Bad"}
        "500": {description: "", content: {application/json: {schema: {type: object, properties: {message: {type: string}}}}}}
components:
  schemas:
    Ok: {type: object}
  responses:
    Bad: {description: "", content: {application/json: {schema: {type: object, properties: {message: {type: string}}}}}}
"##;

    #[test]
    fn identical_inline_error_bodies_share_one_schema() {
        let mut doc = yaml(ERRORS);
        let notes = share_error_response_schema(&mut doc).unwrap();
        let expected = yaml(
            r##"
paths:
  /a:
    get:
      responses:
        "200": {description: "", content: {application/json: {schema: {$ref: "#/components/schemas/Ok"}}}}
        "400": {$ref: "#/components/responses/Bad"}
        "500": {description: "", content: {application/json: {schema: {$ref: "#/components/schemas/ErrorBody"}}}}
components:
  schemas:
    Ok: {type: object}
    ErrorBody: {type: object, properties: {message: {type: string}}}
  responses:
    Bad: {description: "", content: {application/json: {schema: {$ref: "#/components/schemas/ErrorBody"}}}}
"##,
        );
        same_text(&doc, &expected);
        assert_eq!(
            notes,
            ["2 error responses now use #/components/schemas/ErrorBody"]
        );
    }

    #[test]
    fn different_error_bodies_share_an_any_object_schema() {
        for replacement in [
            "\"500\": {description: \"\", content: {application/json: {schema: {type: string}}}}",
            "\"500\": {description: \"\", content: {text/html: {schema: {type: string}}}}",
            "\"500\": {description: \"\"}",
        ] {
            let mut doc = yaml(&ERRORS.replace(
                "\"500\": {description: \"\", content: {application/json: {schema: {type: object, properties: {message: {type: string}}}}}}",
                replacement,
            ));
            let notes = share_error_response_schema(&mut doc).unwrap();
            assert!(notes[1].contains("accepts any JSON object"), "{notes:?}");
            let schemas = map_path(root(&doc).unwrap(), &["components", "schemas"]).unwrap();
            same_text(&schemas["ErrorBody"], &yaml("{type: object}"));
            let inline = map_path(
                root(&doc).unwrap(),
                &["paths", "/a", "get", "responses", "500", "content"],
            )
            .unwrap();
            same_text(
                &Value::Mapping(inline.clone()),
                &yaml("{application/json: {schema: {$ref: '#/components/schemas/ErrorBody'}}}"),
            );
        }
    }

    const PATCH: &str = r##"
paths:
  /a/{id}:
    patch:
      requestBody: {content: {application/json: {schema: {$ref: "#/components/schemas/Update"}}}}
      responses: {}
    post:
      requestBody: {content: {application/json: {schema: {$ref: "#/components/schemas/Create"}}}}
      responses: {}
components:
  schemas:
    Create: {type: object, properties: {active: {type: boolean, default: true}, tags: {type: array, items: {type: string}}}}
    Update: {type: object, properties: {active: {type: boolean, default: true}, tags: {type: array, items: {type: string}}}}
"##;

    #[test]
    fn patch_bodies_lose_their_defaults_and_create_bodies_keep_them() {
        let mut doc = yaml(PATCH);
        let notes = drop_patch_body_defaults(&mut doc).unwrap();
        let schemas = map_path(root(&doc).unwrap(), &["components", "schemas"]).unwrap();
        same_text(
            &schemas["Create"],
            &yaml(
                "{type: object, properties: {active: {type: boolean, default: true}, tags: {type: array, items: {type: string}}}}",
            ),
        );
        same_text(
            &schemas["Update"],
            &yaml(
                "{type: object, properties: {active: {type: boolean}, tags: {type: array, items: {type: string}}}}",
            ),
        );
        assert_eq!(notes, ["Update.active: default dropped"]);
    }

    #[test]
    fn patch_body_arrays_get_a_name() {
        let mut doc = yaml(PATCH);
        let notes = name_patch_body_arrays(&mut doc).unwrap();
        let schemas = map_path(root(&doc).unwrap(), &["components", "schemas"]).unwrap();
        same_text(
            &schemas["Update"],
            &yaml(
                "{type: object, properties: {active: {type: boolean, default: true}, tags: {$ref: '#/components/schemas/UpdateTags'}}}",
            ),
        );
        same_text(
            &schemas["UpdateTags"],
            &yaml("{type: array, items: {type: string}}"),
        );
        assert_eq!(notes, ["Update.tags -> #/components/schemas/UpdateTags"]);
    }

    #[test]
    fn enums_the_client_only_receives_are_opened() {
        let mut doc = yaml(
            r##"
paths:
  /a:
    post:
      requestBody: {content: {application/json: {schema: {$ref: "#/components/schemas/In"}}}}
      responses:
        "200": {content: {application/json: {schema: {$ref: "#/components/schemas/Out"}}}}
components:
  schemas:
    Kind: {type: string, enum: [a, b]}
    In: {type: object, properties: {kind: {$ref: "#/components/schemas/Kind"}}}
    Out: {type: object, properties: {status: {type: string, enum: [valid, expired]}, kind: {$ref: "#/components/schemas/Kind"}}}
"##,
        );
        let notes = open_response_enums(&mut doc).unwrap();
        let schemas = map_path(root(&doc).unwrap(), &["components", "schemas"]).unwrap();
        same_text(&schemas["Kind"], &yaml("{type: string, enum: [a, b]}"));
        same_text(
            &schemas["Out"],
            &yaml(
                "{type: object, properties: {status: {type: string}, kind: {$ref: '#/components/schemas/Kind'}}}",
            ),
        );
        assert_eq!(notes, ["Out/properties/status: [valid, expired] opened"]);
    }

    #[test]
    fn count_parameters_become_non_negative_integers() {
        let mut doc = yaml(
            "paths: {/a: {get: {parameters: [{name: limit, in: query, schema: {type: number, default: 30}}, {name: offset, in: header, schema: {type: number}}, {name: score, in: query, schema: {type: number}}]}}}\n",
        );
        let notes = integer_count_parameters(&mut doc).unwrap();
        same_text(
            &doc,
            &yaml(
                "paths: {/a: {get: {parameters: [{name: limit, in: query, schema: {type: integer, minimum: 0, default: 30}}, {name: offset, in: header, schema: {type: number}}, {name: score, in: query, schema: {type: number}}]}}}\n",
            ),
        );
        assert_eq!(
            notes,
            ["#/paths/~1a/get/parameters/0: limit number -> integer, minimum 0"]
        );
    }

    #[test]
    fn unknown_formats_are_dropped() {
        let mut doc = yaml(
            "components: {schemas: {A: {type: object, properties: {t: {type: string, format: enum}, d: {type: string, format: date-time}}}}}\n",
        );
        let notes = drop_unknown_formats(&mut doc).unwrap();
        same_text(
            &doc,
            &yaml(
                "components: {schemas: {A: {type: object, properties: {t: {type: string}, d: {type: string, format: date-time}}}}}\n",
            ),
        );
        assert_eq!(
            notes,
            ["#/components/schemas/A/properties/t: format enum dropped"]
        );
    }
}
