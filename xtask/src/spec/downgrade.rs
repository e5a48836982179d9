//! Step 3: OpenAPI 3.1 to 3.0.3, the dialect progenitor reads.
//!
//! Each 3.1 construct with a 3.0 equivalent is rewritten. One without is dropped where it is,
//! with a note in the fragment's header that names the place: every such keyword only narrows
//! what a schema accepts or describes it, so the bindings accept a little more there than the
//! spec allows, which is what a client that reads answers needs. Nothing is dropped silently.

use super::doc::{
    Mapping, Result, Site, Value, insert_after, root_mut, spec_error, str_at, walk_objects,
};

pub const TARGET_VERSION: &str = "3.0.3";

/// JSON Schema 2020-12 keywords that OpenAPI 3.0 cannot express.
pub const INEXPRESSIBLE: &[&str] = &[
    "$defs",
    "$id",
    "$anchor",
    "$dynamicRef",
    "$dynamicAnchor",
    "$schema",
    "prefixItems",
    "if",
    "then",
    "else",
    "dependentSchemas",
    "dependentRequired",
    "unevaluatedItems",
    "unevaluatedProperties",
    "contains",
    "minContains",
    "maxContains",
    "propertyNames",
    "patternProperties",
    "contentMediaType",
    "contentEncoding",
    "contentSchema",
];

/// Sets `openapi: 3.0.3` and rewrites what 3.1 spells differently: type lists and `null`
/// branches become `nullable`, `const` a one-member `enum`, numeric exclusive bounds the
/// boolean form, and `$ref` siblings (ignored by 3.0) move into an `allOf` when they matter.
pub fn downgrade_to_openapi_3_0(document: &mut Value) -> Result<Vec<String>> {
    let mut notes = vec![set_version(document)?];
    let mut rewrites = Vec::new();
    walk_objects(document, &mut |site, object| {
        rewrite_object(site, object, &mut rewrites)
    })?;
    rewrites.dedup();
    notes.extend(rewrites);
    Ok(notes)
}

fn set_version(document: &mut Value) -> Result<String> {
    let root = root_mut(document)?;
    let version = str_at(root, "openapi")
        .ok_or_else(|| spec_error!("upstream has no `openapi` version"))?
        .to_owned();
    if !(version.starts_with("3.1.") || version.starts_with("3.0.")) {
        return Err(spec_error!(
            "upstream is OpenAPI {version}; only 3.0.x and 3.1.x can be converted"
        ));
    }
    root.insert("openapi".into(), TARGET_VERSION.into());
    Ok(format!("openapi {version} -> {TARGET_VERSION}"))
}

fn rewrite_object(site: &Site<'_>, object: &mut Mapping, rewrites: &mut Vec<String>) -> Result<()> {
    for keyword in INEXPRESSIBLE {
        if object.shift_remove(*keyword).is_some() {
            rewrites.push(format!(
                "{}: `{keyword}` dropped (OpenAPI 3.0 cannot express it; the bindings accept more there)",
                site.at
            ));
        }
    }
    if object
        .get("items")
        .is_some_and(|items| matches!(items, Value::Bool(_)))
    {
        // 3.1 allows `items: false` after `prefixItems`; 3.0 needs a schema.
        object.insert("items".into(), Value::Mapping(Mapping::new()));
        rewrites.push(format!("{}: boolean `items` -> {{}}", site.at));
    }
    if object.contains_key("$ref") && object.len() > 1 {
        move_ref_siblings_into_all_of(object);
        rewrites.push("$ref with sibling keywords -> allOf".to_owned());
    }
    if let Some(Value::Sequence(_)) = object.get("type") {
        type_list_to_nullable(site, object)?;
        rewrites.push("type lists -> type + nullable".to_owned());
    }
    for combinator in ["anyOf", "oneOf"] {
        if null_branch_to_nullable(object, combinator) {
            rewrites.push(format!("{combinator} with a null branch -> nullable"));
        }
    }
    if let Some(constant) = object.shift_remove("const") {
        insert_after(object, "type", "enum", Value::Sequence(vec![constant]));
        rewrites.push("const -> enum".to_owned());
    }
    for (exclusive, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(Value::Number(limit)) = object.get(exclusive).cloned() {
            object.insert(bound.into(), Value::Number(limit));
            object.insert(exclusive.into(), Value::Bool(true));
            rewrites.push(format!(
                "numeric {exclusive} -> {bound} + {exclusive}: true"
            ));
        }
    }
    Ok(())
}

/// 3.0 ignores everything beside a `$ref`; 3.1 applies it. Keep the meaning with
/// `allOf: [{$ref}]` plus the siblings.
fn move_ref_siblings_into_all_of(object: &mut Mapping) {
    let Some(reference) = object.shift_remove("$ref") else {
        return;
    };
    let mut target = Mapping::new();
    target.insert("$ref".into(), reference);
    let siblings = std::mem::take(object);
    object.insert(
        "allOf".into(),
        Value::Sequence(vec![Value::Mapping(target)]),
    );
    object.extend(siblings);
}

/// `type: [string, "null"]` becomes `type: string` + `nullable: true`; several non-null types
/// become an `anyOf` of single-type schemas.
fn type_list_to_nullable(site: &Site<'_>, object: &mut Mapping) -> Result<()> {
    let Some(Value::Sequence(types)) = object.get("type").cloned() else {
        return Ok(());
    };
    let mut names = Vec::new();
    for entry in &types {
        let name = entry
            .as_str()
            .ok_or_else(|| spec_error!("{} has a non-string entry in `type`", site.at))?;
        names.push(name.to_owned());
    }
    let nullable = names.iter().any(|name| name == "null");
    names.retain(|name| name != "null");
    match names.as_slice() {
        [] => {
            return Err(spec_error!(
                "{} only allows null, which OpenAPI 3.0 cannot express",
                site.at
            ));
        }
        [single] => {
            object.insert("type".into(), single.as_str().into());
        }
        several => {
            object.shift_remove("type");
            let branches = several
                .iter()
                .map(|name| {
                    let mut branch = Mapping::new();
                    branch.insert("type".into(), name.as_str().into());
                    Value::Mapping(branch)
                })
                .collect();
            object.insert("anyOf".into(), Value::Sequence(branches));
        }
    }
    if nullable {
        object.insert("nullable".into(), true.into());
    }
    Ok(())
}

/// `anyOf: [X, {type: "null"}]` becomes X's branch list without the null, and `nullable`.
fn null_branch_to_nullable(object: &mut Mapping, combinator: &str) -> bool {
    let Some(Value::Sequence(branches)) = object.get_mut(combinator) else {
        return false;
    };
    let before = branches.len();
    branches.retain(|branch| !is_null_schema(branch));
    if branches.len() == before {
        return false;
    }
    if branches.len() == 1 {
        // One branch left: keep it as an `allOf` so that a `$ref` stays valid beside `nullable`.
        let branch = branches.pop().expect("one branch");
        object.shift_remove(combinator);
        object.insert("allOf".into(), Value::Sequence(vec![branch]));
    }
    object.insert("nullable".into(), true.into());
    true
}

fn is_null_schema(branch: &Value) -> bool {
    branch
        .as_mapping()
        .is_some_and(|schema| schema.len() == 1 && str_at(schema, "type") == Some("null"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::testing::yaml;

    fn downgraded(text: &str) -> (Value, Vec<String>) {
        let mut doc = yaml(text);
        let notes = downgrade_to_openapi_3_0(&mut doc).unwrap();
        (doc, notes)
    }

    #[test]
    fn sets_the_version() {
        let (doc, notes) = downgraded("openapi: 3.1.0\n");
        assert_eq!(doc, yaml("openapi: 3.0.3\n"));
        assert_eq!(notes, ["openapi 3.1.0 -> 3.0.3"]);
    }

    #[test]
    fn rejects_other_major_versions() {
        let mut doc = yaml("openapi: 2.0\n");
        assert!(downgrade_to_openapi_3_0(&mut doc).is_err());
        let mut doc = yaml("swagger: '2.0'\n");
        assert!(downgrade_to_openapi_3_0(&mut doc).is_err());
    }

    #[test]
    fn type_lists_become_nullable() {
        let (doc, _) = downgraded(
            "openapi: 3.1.0\ncomponents: {schemas: {A: {type: [string, 'null']}, B: {type: [string, integer]}}}\n",
        );
        let expected = yaml(
            "openapi: 3.0.3\ncomponents: {schemas: {A: {type: string, nullable: true}, B: {anyOf: [{type: string}, {type: integer}]}}}\n",
        );
        assert_eq!(doc, expected);
    }

    #[test]
    fn null_branches_become_nullable() {
        let (doc, notes) = downgraded(
            "openapi: 3.1.0\ncomponents: {schemas: {A: {anyOf: [{$ref: '#/components/schemas/B'}, {type: 'null'}]}}}\n",
        );
        let expected = yaml(
            "openapi: 3.0.3\ncomponents: {schemas: {A: {allOf: [{$ref: '#/components/schemas/B'}], nullable: true}}}\n",
        );
        assert_eq!(doc, expected);
        assert!(notes.contains(&"anyOf with a null branch -> nullable".to_owned()));
    }

    #[test]
    fn const_and_exclusive_bounds() {
        let (doc, _) = downgraded(
            "openapi: 3.1.0\ncomponents: {schemas: {A: {type: string, const: x}, N: {type: number, exclusiveMinimum: 0}}}\n",
        );
        let expected = yaml(
            "openapi: 3.0.3\ncomponents: {schemas: {A: {type: string, enum: [x]}, N: {type: number, exclusiveMinimum: true, minimum: 0}}}\n",
        );
        assert_eq!(doc, expected);
    }

    #[test]
    fn meaningful_ref_siblings_move_into_all_of() {
        let (doc, _) = downgraded(
            "openapi: 3.1.0\ncomponents: {schemas: {A: {properties: {b: {$ref: '#/components/schemas/B', default: bearer}}}}}\n",
        );
        let expected = yaml(
            "openapi: 3.0.3\ncomponents: {schemas: {A: {properties: {b: {allOf: [{$ref: '#/components/schemas/B'}], default: bearer}}}}}\n",
        );
        assert_eq!(doc, expected);
    }

    #[test]
    fn inexpressible_keywords_are_dropped_with_a_note_naming_the_place() {
        let (doc, notes) = downgraded(
            "openapi: 3.1.0\ncomponents: {schemas: {T: {type: array, prefixItems: [{type: string}], items: false}, U: {type: object, dependentRequired: {a: [b]}}}}\n",
        );
        let expected = yaml(
            "openapi: 3.0.3\ncomponents: {schemas: {T: {type: array, items: {}}, U: {type: object}}}\n",
        );
        assert_eq!(doc, expected);
        assert!(notes.contains(&"#/components/schemas/T: `prefixItems` dropped (OpenAPI 3.0 cannot express it; the bindings accept more there)".to_owned()), "{notes:?}");
        assert!(
            notes
                .iter()
                .any(|note| note.contains("U: `dependentRequired` dropped"))
        );
    }
}
