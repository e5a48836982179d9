//! What progenitor needs of an operation's shape, whatever a new upstream does: one success
//! type per operation (it panics on two), and named request and answer bodies (so that
//! build.rs can find them by structure and hand them to the facade's own types).

use super::doc::{
    Mapping, Result, Value, map_at, map_path, map_path_mut, operations, parse_component_ref, root,
    root_mut, scalar_text, str_at,
};

/// The schema of a response's JSON content, following a `$ref` to `components.responses`;
/// `None` for a response without JSON content.
fn json_schema_of<'a>(root: &'a Mapping, response: &'a Value) -> Option<&'a Value> {
    let response = response.as_mapping()?;
    let response = match str_at(response, "$ref").and_then(parse_component_ref) {
        Some(("responses", name)) => map_path(root, &["components", "responses", name])?,
        _ => response,
    };
    map_path(response, &["content", "application/json"])?.get("schema")
}

fn is_success(status: &str) -> bool {
    status.starts_with('2')
}

/// progenitor panics when an operation's success statuses have different types, and counts a
/// `default` response as a success. Where that would happen, the `200` answer (or the lowest
/// 2xx) is kept and the others are dropped; the facade reads an undocumented status itself
/// (a delete answered 204 is a success).
pub fn one_success_type(document: &mut Value) -> Result<Vec<String>> {
    let mut plan = Vec::new();
    {
        let root = root(document)?;
        for (path, method, operation) in operations(root) {
            let Some(responses) = map_at(operation, "responses") else {
                continue;
            };
            let statuses: Vec<String> = responses.keys().map(scalar_text).collect();
            let successes: Vec<&String> = statuses.iter().filter(|s| is_success(s)).collect();
            let mut drop = Vec::new();
            if !successes.is_empty() && statuses.iter().any(|status| status == "default") {
                drop.push("default".to_owned());
            }
            let kept = successes
                .iter()
                .find(|status| status.as_str() == "200")
                .or_else(|| successes.iter().min())
                .map(|status| (*status).clone());
            if let Some(kept) = kept {
                let kept_schema = json_schema_of(root, &responses[kept.as_str()]);
                for status in &successes {
                    let schema = json_schema_of(root, &responses[status.as_str()]);
                    if **status != kept && schema != kept_schema {
                        drop.push((*status).clone());
                    }
                }
            }
            if !drop.is_empty() {
                plan.push((path, method, drop));
            }
        }
    }
    let mut notes = Vec::new();
    let root = root_mut(document)?;
    for (path, method, drop) in plan {
        let Some(responses) = map_path_mut(root, &["paths", &path, &method, "responses"]) else {
            continue;
        };
        for status in drop {
            responses.shift_remove(status.as_str());
            notes.push(format!(
                "{method} {path} {status}: dropped (a second success type progenitor cannot represent)"
            ));
        }
    }
    Ok(notes)
}

/// `oAuthAuthorize-connector` as a type name: `OAuthAuthorizeConnector`.
pub fn pascal_case(text: &str) -> String {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// An inline JSON request body or success answer of an operation becomes a named schema,
/// `<OperationId>Request` or `<OperationId>Response`: build.rs finds the bodies of the
/// facade's operations by following these references, whatever upstream calls them.
pub fn name_inline_bodies(document: &mut Value) -> Result<Vec<String>> {
    let mut plan = Vec::new();
    {
        let root = root(document)?;
        for (path, method, operation) in operations(root) {
            let Some(id) = str_at(operation, "operationId") else {
                continue;
            };
            let id = pascal_case(id);
            let body = map_path(operation, &["requestBody", "content", "application/json"])
                .and_then(|media| media.get("schema"));
            if body.is_some_and(is_inline) {
                plan.push((
                    vec![path.clone(), method.clone(), "requestBody".into()],
                    format!("{id}Request"),
                ));
            }
            let Some(responses) = map_at(operation, "responses") else {
                continue;
            };
            for (status, response) in responses {
                let status = scalar_text(status);
                let inline_here = response
                    .as_mapping()
                    .is_some_and(|r| !r.contains_key("$ref"));
                let schema = json_schema_of(root, response);
                if is_success(&status) && inline_here && schema.is_some_and(is_inline) {
                    plan.push((
                        vec![path.clone(), method.clone(), "responses".into(), status],
                        format!("{id}Response"),
                    ));
                }
            }
        }
    }
    let mut notes = Vec::new();
    let root = root_mut(document)?;
    for (at, name) in plan {
        let mut keys: Vec<&str> = vec!["paths"];
        keys.extend(at.iter().map(String::as_str));
        keys.extend(["content", "application/json"]);
        let Some(media) = map_path_mut(root, &keys) else {
            continue;
        };
        let Some(schema) = media.get("schema").cloned() else {
            continue;
        };
        let mut reference = Mapping::new();
        reference.insert("$ref".into(), format!("#/components/schemas/{name}").into());
        media.insert("schema".into(), Value::Mapping(reference));
        let schemas = super::fixes::schemas_mut(root);
        if schemas.contains_key(name.as_str()) {
            return Err(super::doc::spec_error!(
                "cannot name the inline body at {}: components.schemas.{name} already exists",
                at.join(" ")
            ));
        }
        schemas.insert(name.as_str().into(), schema);
        notes.push(format!(
            "{}: inline body -> #/components/schemas/{name}",
            at.join(" ")
        ));
    }
    Ok(notes)
}

fn is_inline(schema: &Value) -> bool {
    schema
        .as_mapping()
        .is_some_and(|schema| !schema.contains_key("$ref") && !schema.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::testing::yaml;

    #[test]
    fn a_second_success_type_and_a_default_are_dropped() {
        let mut doc = yaml(
            r##"
paths:
  /a:
    delete:
      responses:
        "200": {description: "", content: {application/json: {schema: {$ref: "#/components/schemas/Ok"}}}}
        "204": {description: ""}
        "202": {description: "", content: {application/json: {schema: {$ref: "#/components/schemas/Ok"}}}}
        default: {description: "", content: {application/json: {schema: {type: object}}}}
        "404": {description: ""}
"##,
        );
        let notes = one_success_type(&mut doc).unwrap();
        let statuses: Vec<String> =
            map_path(root(&doc).unwrap(), &["paths", "/a", "delete", "responses"])
                .unwrap()
                .keys()
                .map(scalar_text)
                .collect();
        assert_eq!(statuses, ["200", "202", "404"]);
        assert_eq!(notes.len(), 2, "{notes:?}");
        let mut unchanged = yaml("paths: {/a: {get: {responses: {'200': {description: ''}}}}}");
        assert!(one_success_type(&mut unchanged).unwrap().is_empty());
    }

    #[test]
    fn inline_bodies_get_names_from_the_operation() {
        let mut doc = yaml(
            r##"
paths:
  /a:
    post:
      operationId: oAuthAuthorize-thing
      requestBody: {content: {application/json: {schema: {type: object, properties: {x: {type: string}}}}}}
      responses:
        "200": {description: "", content: {application/json: {schema: {type: object, properties: {y: {type: string}}}}}}
        "400": {description: "", content: {application/json: {schema: {type: object}}}}
"##,
        );
        let notes = name_inline_bodies(&mut doc).unwrap();
        assert_eq!(notes.len(), 2, "{notes:?}");
        let root = root(&doc).unwrap();
        assert!(
            map_path(
                root,
                &["components", "schemas", "OAuthAuthorizeThingRequest"]
            )
            .is_some()
        );
        assert!(
            map_path(
                root,
                &["components", "schemas", "OAuthAuthorizeThingResponse"]
            )
            .is_some()
        );
        let schema = map_path(
            root,
            &[
                "paths",
                "/a",
                "post",
                "responses",
                "200",
                "content",
                "application/json",
                "schema",
            ],
        )
        .unwrap();
        assert_eq!(
            str_at(schema, "$ref"),
            Some("#/components/schemas/OAuthAuthorizeThingResponse")
        );
    }

    #[test]
    fn pascal_case_of_operation_ids() {
        assert_eq!(
            pascal_case("oAuthAuthorize-connector"),
            "OAuthAuthorizeConnector"
        );
        assert_eq!(pascal_case("list-connectors"), "ListConnectors");
    }
}
