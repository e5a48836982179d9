//! Navigation over an OpenAPI document held as a YAML value.
//!
//! The transformations never look at line numbers or text: only at the document's structure,
//! which this module exposes as objects with a location (a JSON pointer).

use std::fmt;

pub use yaml_serde::{Mapping, Value};

/// The error of every step of the pipeline: one readable sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError(pub String);

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SpecError {}

pub type Result<T, E = SpecError> = std::result::Result<T, E>;

/// Shorthand for building a [`SpecError`] with `format!` syntax.
macro_rules! spec_error {
    ($($arg:tt)*) => { $crate::spec::doc::SpecError(format!($($arg)*)) };
}
pub(crate) use spec_error;

/// Keys whose value is a map from *names* (status codes, media types, property names...) to
/// objects. Their keys are data, never keywords: a property called `description` or `type`
/// must survive every rewrite.
const NAME_MAPS: &[&str] = &[
    "paths",
    "webhooks",
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
    "responses",
    "callbacks",
    "headers",
    "content",
    "links",
    "encoding",
    "schemas",
    "parameters",
    "requestBodies",
    "securitySchemes",
    "pathItems",
    "variables",
    "scopes",
    "mapping",
];

/// Keys whose value is data (examples, defaults, enum members, name lists): never walked.
/// (`tags` is walked: at the top level it holds Tag objects, which carry prose.)
const DATA_KEYS: &[&str] = &[
    "enum", "default", "const", "example", "examples", "required", "security",
];

/// A location in the document, printed as a JSON pointer (`#/paths/~1v1~1connectors/get`).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Pointer(Vec<String>);

impl Pointer {
    pub fn root() -> Self {
        Self::default()
    }

    pub fn join(&self, segment: &str) -> Self {
        let mut segments = self.0.clone();
        segments.push(segment.to_owned());
        Self(segments)
    }

    pub fn segments(&self) -> &[String] {
        &self.0
    }
}

impl fmt::Display for Pointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("#")?;
        for segment in &self.0 {
            write!(f, "/{}", segment.replace('~', "~0").replace('/', "~1"))?;
        }
        Ok(())
    }
}

impl fmt::Debug for Pointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Where a walked object sits: its location, and the name map it is an entry of, if any
/// (`Some("responses")` for `#/paths/~1a/get/responses/200`, `Some("properties")` for a
/// property's schema). A pointer alone cannot tell a `responses` keyword from a property
/// that happens to be called `responses`.
pub struct Site<'a> {
    pub at: Pointer,
    pub entry_of: Option<&'a str>,
}

type Visitor<'v> = dyn FnMut(&Site<'_>, &mut Mapping) -> Result<()> + 'v;

/// Calls `visit` on every object whose keys OpenAPI interprets as keywords (the document,
/// path items, operations, parameters, responses, media types, schemas...), parents before
/// children. Changes `visit` makes to an object are seen before its children are walked, so a
/// key it removes is never descended into.
pub fn walk_objects(value: &mut Value, visit: &mut Visitor<'_>) -> Result<()> {
    let root = Site {
        at: Pointer::root(),
        entry_of: None,
    };
    walk_value(value, &root, visit)
}

fn walk_value(value: &mut Value, site: &Site<'_>, visit: &mut Visitor<'_>) -> Result<()> {
    match value {
        Value::Mapping(object) => walk_object(object, site, visit),
        Value::Sequence(items) => items.iter_mut().enumerate().try_for_each(|(index, item)| {
            let element = Site {
                at: site.at.join(&index.to_string()),
                entry_of: None,
            };
            walk_value(item, &element, visit)
        }),
        _ => Ok(()),
    }
}

fn walk_object(object: &mut Mapping, site: &Site<'_>, visit: &mut Visitor<'_>) -> Result<()> {
    visit(site, object)?;
    for (key, child) in object.iter_mut() {
        let Some(key) = key.as_str() else { continue };
        if DATA_KEYS.contains(&key) || is_extension(key) {
            continue;
        }
        let child_at = site.at.join(key);
        match child {
            Value::Mapping(names) if NAME_MAPS.contains(&key) => {
                for (name, named) in names.iter_mut() {
                    let entry = Site {
                        at: child_at.join(&scalar_text(name)),
                        entry_of: Some(key),
                    };
                    walk_value(named, &entry, visit)?;
                }
            }
            _ => {
                let nested = Site {
                    at: child_at,
                    entry_of: None,
                };
                walk_value(child, &nested, visit)?;
            }
        }
    }
    Ok(())
}

/// `x-...` keys are vendor extensions.
pub fn is_extension(key: &str) -> bool {
    key.starts_with("x-")
}

/// The text of a scalar key or value (`200` and `"200"` both give `200`).
pub fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Number(number) => number.to_string(),
        Value::Bool(flag) => flag.to_string(),
        other => yaml_serde::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_owned(),
    }
}

/// The string under `key`, if there is one.
pub fn str_at<'a>(object: &'a Mapping, key: &str) -> Option<&'a str> {
    object.get(key).and_then(Value::as_str)
}

/// The mapping under `key`, if there is one.
pub fn map_at<'a>(object: &'a Mapping, key: &str) -> Option<&'a Mapping> {
    object.get(key).and_then(Value::as_mapping)
}

/// The mapping under `key`, mutably.
pub fn map_at_mut<'a>(object: &'a mut Mapping, key: &str) -> Option<&'a mut Mapping> {
    object.get_mut(key).and_then(Value::as_mapping_mut)
}

/// The mapping reached by following `keys` from `object`.
pub fn map_path<'a>(object: &'a Mapping, keys: &[&str]) -> Option<&'a Mapping> {
    keys.iter().try_fold(object, |at, key| map_at(at, key))
}

/// The mapping reached by following `keys` from `object`, mutably.
pub fn map_path_mut<'a>(object: &'a mut Mapping, keys: &[&str]) -> Option<&'a mut Mapping> {
    keys.iter().try_fold(object, |at, key| map_at_mut(at, key))
}

/// The document's top level, which must be a mapping.
pub fn root(document: &Value) -> Result<&Mapping> {
    document
        .as_mapping()
        .ok_or_else(|| spec_error!("the document is not a YAML mapping"))
}

/// The document's top level, mutably.
pub fn root_mut(document: &mut Value) -> Result<&mut Mapping> {
    document
        .as_mapping_mut()
        .ok_or_else(|| spec_error!("the document is not a YAML mapping"))
}

/// Inserts `key: value` right after `after` (or at the end when `after` is absent), keeping
/// the order of every other key: the fragment reads in the same order as upstream.
pub fn insert_after(object: &mut Mapping, after: &str, key: &str, value: Value) {
    object.shift_remove(key);
    let entries: Vec<(Value, Value)> = std::mem::take(object).into_iter().collect();
    let mut inserted = false;
    for (existing_key, existing_value) in entries {
        let is_anchor = existing_key.as_str() == Some(after);
        object.insert(existing_key, existing_value);
        if is_anchor {
            object.insert(Value::from(key), value.clone());
            inserted = true;
        }
    }
    if !inserted {
        object.insert(Value::from(key), value);
    }
}

/// Inserts `key: value` as the first entry (replacing any existing `key`).
pub fn insert_first(object: &mut Mapping, key: &str, value: Value) {
    object.shift_remove(key);
    let rest = std::mem::take(object);
    object.insert(Value::from(key), value);
    object.extend(rest);
}

/// Which part of `components` a local reference points into, and the name there:
/// `#/components/schemas/Connector` gives `("schemas", "Connector")`.
pub fn parse_component_ref(reference: &str) -> Option<(&str, &str)> {
    let rest = reference.strip_prefix("#/components/")?;
    let (section, name) = rest.split_once('/')?;
    (!name.contains('/')).then_some((section, name))
}

/// Every `$ref` target found under `value`, in document order.
pub fn collect_refs(value: &Value) -> Vec<String> {
    let mut refs = Vec::new();
    collect_refs_into(value, &mut refs);
    refs
}

fn collect_refs_into(value: &Value, refs: &mut Vec<String>) {
    match value {
        Value::Mapping(object) => {
            for (key, child) in object {
                match key.as_str() {
                    Some("$ref") => {
                        if let Some(target) = child.as_str() {
                            refs.push(target.to_owned());
                        }
                    }
                    Some(key) if DATA_KEYS.contains(&key) || is_extension(key) => {}
                    _ => collect_refs_into(child, refs),
                }
            }
        }
        Value::Sequence(items) => items.iter().for_each(|item| collect_refs_into(item, refs)),
        _ => {}
    }
}

/// The HTTP methods an OpenAPI path item can hold, in the order OpenAPI lists them.
pub const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Every operation of the document's `paths`: (path, method, operation).
pub fn operations(document: &Mapping) -> Vec<(String, String, &Mapping)> {
    let Some(paths) = map_at(document, "paths") else {
        return Vec::new();
    };
    paths
        .iter()
        .filter_map(|(path, item)| Some((path.as_str()?, item.as_mapping()?)))
        .flat_map(|(path, item)| {
            METHODS.iter().filter_map(move |method| {
                Some((path.to_owned(), (*method).to_owned(), map_at(item, method)?))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::testing::yaml;

    #[test]
    fn pointer_escapes_slashes_and_tildes() {
        let at = Pointer::root().join("paths").join("/v1/a~b").join("get");
        assert_eq!(at.to_string(), "#/paths/~1v1~1a~0b/get");
    }

    #[test]
    fn walk_treats_property_names_as_names_not_keywords() {
        let mut doc = yaml(
            "components:\n  schemas:\n    S:\n      type: object\n      properties:\n        description: {type: string}\n        type: {type: string}\n",
        );
        let mut seen = Vec::new();
        walk_objects(&mut doc, &mut |site, _| {
            seen.push(format!("{} {:?}", site.at, site.entry_of));
            Ok(())
        })
        .unwrap();
        assert_eq!(
            seen,
            [
                "# None",
                "#/components None",
                "#/components/schemas/S Some(\"schemas\")",
                "#/components/schemas/S/properties/description Some(\"properties\")",
                "#/components/schemas/S/properties/type Some(\"properties\")",
            ]
        );
    }

    #[test]
    fn walk_skips_data_and_extensions() {
        let mut doc = yaml("default: {description: x}\nenum: [{a: 1}]\nx-y: {b: 2}\n");
        let mut count = 0;
        walk_objects(&mut doc, &mut |_, _| {
            count += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!(count, 1);
    }

    #[test]
    fn insert_after_keeps_order() {
        let mut object = yaml("a: 1\nb: 2\nc: 3\n").as_mapping().unwrap().clone();
        insert_after(&mut object, "a", "z", Value::from(9));
        let keys: Vec<_> = object.keys().map(|k| k.as_str().unwrap()).collect();
        assert_eq!(keys, ["a", "z", "b", "c"]);
    }

    #[test]
    fn component_refs_parse() {
        assert_eq!(
            parse_component_ref("#/components/schemas/Connector"),
            Some(("schemas", "Connector"))
        );
        assert_eq!(parse_component_ref("other.yaml#/x"), None);
    }

    #[test]
    fn refs_are_collected_in_order_but_not_from_examples() {
        let doc = yaml(
            "a: {$ref: '#/components/schemas/A'}\nexample: {$ref: nope}\nb: [{$ref: '#/components/schemas/B'}]\n",
        );
        assert_eq!(
            collect_refs(&doc),
            ["#/components/schemas/A", "#/components/schemas/B"]
        );
    }
}
