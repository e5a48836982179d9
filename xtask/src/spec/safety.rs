//! Step 5: what keeps the generated bindings safe to use: secrets that never print, and ids
//! that never leave their path segment. Both work by marking the fragment so that build.rs can
//! hand those schemas to the crate's own types (`Secret`, `ConnectorId`).

use super::doc::{Mapping, Result, Value, insert_after, root_mut, str_at, walk_objects};

/// Properties that hold a credential. The API never returns them and nothing may print them.
pub const SECRET_PROPERTIES: &[&str] = &[
    "client_secret",
    "token",
    "access_token",
    "refresh_token",
    "api_key",
    "password",
];

/// The schema every connector-id path parameter refers to; build.rs replaces it with
/// `crate::ConnectorId`.
pub const ID_SCHEMA: &str = "ConnectorId";

/// A string property named in [`SECRET_PROPERTIES`] gets `format: password` and
/// `writeOnly: true`: OpenAPI's own way to say "a secret". build.rs maps that schema to
/// `crate::Secret`, whose `Debug` never shows the value, so no generated type prints one.
pub fn mark_secret_properties(document: &mut Value) -> Result<Vec<String>> {
    let mut notes = Vec::new();
    walk_objects(document, &mut |site, schema| {
        let is_secret_property = site.entry_of == Some("properties")
            && site
                .at
                .segments()
                .last()
                .is_some_and(|name| SECRET_PROPERTIES.contains(&name.as_str()));
        if !is_secret_property || str_at(schema, "type") != Some("string") {
            return Ok(());
        }
        if str_at(schema, "format") == Some("password") {
            return Ok(());
        }
        insert_after(schema, "type", "format", Value::from("password"));
        insert_after(schema, "format", "writeOnly", Value::from(true));
        notes.push(format!("{}: format password, writeOnly", site.at));
        Ok(())
    })?;
    Ok(notes)
}

/// Every string path parameter refers to one named schema, [`ID_SCHEMA`]. progenitor
/// percent-encodes path parameters but leaves `\`, which URL parsers read as `/` (so an id
/// `x\..\other` would reach the connector `other`); build.rs replaces the schema with the
/// crate's `ConnectorId`, which refuses the ids no path segment can carry, for the facade and
/// the raw bindings alike.
pub fn name_path_parameters(document: &mut Value) -> Result<Vec<String>> {
    let mut notes = Vec::new();
    walk_objects(document, &mut |site, parameter| {
        if str_at(parameter, "in") != Some("path") {
            return Ok(());
        }
        let Some(Value::Mapping(schema)) = parameter.get("schema") else {
            return Ok(());
        };
        let plain_string = str_at(schema, "type") == Some("string")
            && schema.keys().all(|key| key.as_str() == Some("type"));
        if !plain_string {
            return Ok(());
        }
        let mut reference = Mapping::new();
        reference.insert(
            "$ref".into(),
            format!("#/components/schemas/{ID_SCHEMA}").into(),
        );
        parameter.insert("schema".into(), Value::Mapping(reference));
        notes.push(format!(
            "{}: {} -> #/components/schemas/{ID_SCHEMA}",
            site.at,
            str_at(parameter, "name").unwrap_or_default()
        ));
        Ok(())
    })?;
    if !notes.is_empty() {
        let root = root_mut(document)?;
        let schemas = super::fixes::schemas_mut(root);
        let mut schema = Mapping::new();
        schema.insert("type".into(), "string".into());
        schemas.insert(ID_SCHEMA.into(), Value::Mapping(schema));
    }
    Ok(notes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::testing::{same_text, yaml};

    #[test]
    fn secret_properties_are_marked_and_nothing_else() {
        let mut doc = yaml(
            "components: {schemas: {A: {type: object, properties: {token: {type: string}, client_secret: {type: string}, token_url: {type: string}, n: {type: object, properties: {token: {type: integer}}}}}}}\n",
        );
        let notes = mark_secret_properties(&mut doc).unwrap();
        same_text(
            &doc,
            &yaml(
                "components: {schemas: {A: {type: object, properties: {token: {type: string, format: password, writeOnly: true}, client_secret: {type: string, format: password, writeOnly: true}, token_url: {type: string}, n: {type: object, properties: {token: {type: integer}}}}}}}\n",
            ),
        );
        assert_eq!(notes.len(), 2);
        assert!(mark_secret_properties(&mut doc).unwrap().is_empty());
    }

    #[test]
    fn path_parameters_share_the_id_schema() {
        let mut doc = yaml(
            "paths: {'/a/{id}': {get: {parameters: [{name: id, in: path, required: true, schema: {type: string}}, {name: q, in: query, schema: {type: string}}]}}}\n",
        );
        let notes = name_path_parameters(&mut doc).unwrap();
        same_text(
            &doc,
            &yaml(
                "paths: {'/a/{id}': {get: {parameters: [{name: id, in: path, required: true, schema: {$ref: '#/components/schemas/ConnectorId'}}, {name: q, in: query, schema: {type: string}}]}}}\ncomponents: {schemas: {ConnectorId: {type: string}}}\n",
            ),
        );
        assert_eq!(
            notes,
            ["#/paths/~1a~1{id}/get/parameters/0: id -> #/components/schemas/ConnectorId"]
        );
    }
}
