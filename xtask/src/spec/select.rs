//! Step 1: keep the fragment's paths (the Connectors resource, or Chat v2) and everything they
//! reference, nothing else.

use std::collections::BTreeSet;

#[cfg(test)]
use super::doc::map_path;
use super::doc::{
    Mapping, Result, Value, collect_refs, map_at, operations, parse_component_ref, root_mut,
    spec_error, str_at,
};

/// The resource the connectors' fragment binds.
pub const RESOURCE_PREFIX: &str = "/v1/connectors";

/// The one path the chat's fragment binds.
pub const CHAT_PATH: &str = "/v2/chat";

/// Keeps every path under [`RESOURCE_PREFIX`], the components they reach (transitively), the
/// security schemes they use, the tags they carry, and of `info` only its title and version.
pub fn select_connector_paths(document: &mut Value) -> Result<Vec<String>> {
    select_paths(
        document,
        is_resource_path,
        &format!("under {RESOURCE_PREFIX}"),
    )
}

/// Keeps [`CHAT_PATH`] (exactly: not `/v2/chat/...` nor `/v1/chat`), and what it reaches, as
/// [`select_connector_paths`] does for the connectors.
pub fn select_chat_paths(document: &mut Value) -> Result<Vec<String>> {
    select_paths(document, |path| path == CHAT_PATH, CHAT_PATH)
}

/// Keeps the paths `wanted` accepts and what they reach; `what` names them in the error when
/// upstream has none.
fn select_paths(
    document: &mut Value,
    wanted: impl Fn(&str) -> bool,
    what: &str,
) -> Result<Vec<String>> {
    let upstream = std::mem::take(root_mut(document)?);

    let paths = kept_paths(&upstream, wanted, what)?;
    let mut selected = Mapping::new();
    copy(&upstream, &mut selected, "openapi");
    selected.insert("info".into(), info_identity(&upstream)?.into());
    copy(&upstream, &mut selected, "servers");
    copy(&upstream, &mut selected, "security");
    selected.insert("tags".into(), Value::Sequence(Vec::new()));
    selected.insert("paths".into(), paths.into());

    let components = reachable_components(&upstream, &selected)?;
    let tags = used_tags(&upstream, &selected);
    if tags.is_empty() {
        selected.shift_remove("tags");
    } else {
        selected.insert("tags".into(), Value::Sequence(tags));
    }
    let notes = vec![summary(&selected, &components)];
    selected.insert("components".into(), components.into());
    *document = Value::Mapping(selected);
    Ok(notes)
}

fn copy(from: &Mapping, to: &mut Mapping, key: &str) {
    if let Some(value) = from.get(key) {
        to.insert(key.into(), value.clone());
    }
}

fn is_resource_path(path: &str) -> bool {
    path == RESOURCE_PREFIX
        || path
            .strip_prefix(RESOURCE_PREFIX)
            .is_some_and(|rest| rest.starts_with('/'))
}

fn kept_paths(upstream: &Mapping, wanted: impl Fn(&str) -> bool, what: &str) -> Result<Mapping> {
    let paths = map_at(upstream, "paths").ok_or_else(|| spec_error!("upstream has no `paths`"))?;
    let kept: Mapping = paths
        .iter()
        .filter(|(path, _)| path.as_str().is_some_and(&wanted))
        .map(|(path, item)| (path.clone(), item.clone()))
        .collect();
    if kept.is_empty() {
        return Err(spec_error!(
            "upstream has no path {what}: is this Cohere's API definition?"
        ));
    }
    Ok(kept)
}

/// `info` needs a title and a version; the rest (contact, licence, prose) is not the API's
/// structure.
fn info_identity(upstream: &Mapping) -> Result<Mapping> {
    let info = map_at(upstream, "info").ok_or_else(|| spec_error!("upstream has no `info`"))?;
    let mut kept = Mapping::new();
    for key in ["title", "version"] {
        let value = info
            .get(key)
            .ok_or_else(|| spec_error!("upstream `info` has no `{key}`"))?;
        kept.insert(key.into(), value.clone());
    }
    Ok(kept)
}

/// Follows `$ref`s (and the schemas a discriminator's `mapping` names, which are references
/// too: Chat v2's stream events name two of its events only there) from the kept paths until
/// nothing new is reached, then copies the reached components in upstream order (section by
/// section, name by name).
fn reachable_components(upstream: &Mapping, selected: &Mapping) -> Result<Mapping> {
    let upstream_components = map_at(upstream, "components");
    let mut reached: BTreeSet<(String, String)> = BTreeSet::new();
    let selected_value = Value::Mapping(selected.clone());
    let mut pending = collect_refs(&selected_value);
    pending.extend(mapping_refs(&selected_value));
    pending.extend(security_scheme_refs(selected));

    while let Some(reference) = pending.pop() {
        let (section, name) = parse_component_ref(&reference)
            .ok_or_else(|| spec_error!("unsupported reference {reference:?}: only local #/components/... references are followed"))?;
        if !reached.insert((section.to_owned(), name.to_owned())) {
            continue;
        }
        let target = upstream_components
            .and_then(|components| map_at(components, section))
            .and_then(|entries| entries.get(name))
            .ok_or_else(|| spec_error!("{reference} is referenced but not defined upstream"))?;
        pending.extend(collect_refs(target));
        pending.extend(mapping_refs(target));
    }

    let mut components = Mapping::new();
    let Some(upstream_components) = upstream_components else {
        return Ok(components);
    };
    for (section, entries) in upstream_components {
        let (Some(section), Some(entries)) = (section.as_str(), entries.as_mapping()) else {
            continue;
        };
        let kept: Mapping = entries
            .iter()
            .filter(|(name, _)| {
                name.as_str()
                    .is_some_and(|name| reached.contains(&(section.to_owned(), name.to_owned())))
            })
            .map(|(name, entry)| (name.clone(), entry.clone()))
            .collect();
        if !kept.is_empty() {
            components.insert(section.into(), kept.into());
        }
    }
    Ok(components)
}

/// The targets of every discriminator `mapping` under `value` (a value that is a bare schema
/// name, as OpenAPI allows, is a schema of `components.schemas`).
fn mapping_refs(value: &Value) -> Vec<String> {
    let mut refs = Vec::new();
    mapping_refs_into(value, &mut refs);
    refs
}

fn mapping_refs_into(value: &Value, refs: &mut Vec<String>) {
    match value {
        Value::Mapping(object) => {
            for (key, child) in object {
                match key.as_str() {
                    Some("discriminator") => {
                        let targets = child
                            .as_mapping()
                            .and_then(|discriminator| map_at(discriminator, "mapping"))
                            .into_iter()
                            .flat_map(|mapping| mapping.values())
                            .filter_map(Value::as_str);
                        refs.extend(targets.map(|target| {
                            if target.starts_with('#') {
                                target.to_owned()
                            } else {
                                format!("#/components/schemas/{target}")
                            }
                        }));
                    }
                    Some(key) if is_data_or_extension(key) => {}
                    _ => mapping_refs_into(child, refs),
                }
            }
        }
        Value::Sequence(items) => items.iter().for_each(|item| mapping_refs_into(item, refs)),
        _ => {}
    }
}

/// Keys under which nothing is a schema: data (examples, defaults, enums) and extensions.
fn is_data_or_extension(key: &str) -> bool {
    super::doc::is_extension(key)
        || ["enum", "default", "const", "example", "examples"].contains(&key)
}

/// Security requirements name schemes rather than `$ref` them; turn those names into references.
fn security_scheme_refs(selected: &Mapping) -> Vec<String> {
    let top_level = selected.get("security").into_iter();
    let per_operation = operations(selected)
        .into_iter()
        .filter_map(|(_, _, operation)| operation.get("security"));
    top_level
        .chain(per_operation)
        .filter_map(Value::as_sequence)
        .flatten()
        .filter_map(Value::as_mapping)
        .flat_map(|requirement| requirement.keys())
        .filter_map(Value::as_str)
        .map(|scheme| format!("#/components/securitySchemes/{scheme}"))
        .collect()
}

/// The upstream tag objects that a kept operation uses, in upstream order.
fn used_tags(upstream: &Mapping, selected: &Mapping) -> Vec<Value> {
    let used: BTreeSet<String> = operations(selected)
        .into_iter()
        .filter_map(|(_, _, operation)| operation.get("tags").and_then(Value::as_sequence))
        .flatten()
        .filter_map(|tag| tag.as_str().map(str::to_owned))
        .collect();
    upstream
        .get("tags")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
        .filter(|tag| {
            tag.as_mapping()
                .and_then(|tag| str_at(tag, "name"))
                .is_some_and(|name| used.contains(name))
        })
        .cloned()
        .collect()
}

fn summary(selected: &Mapping, components: &Mapping) -> String {
    let paths = map_at(selected, "paths").map_or(0, Mapping::len);
    let operations = operations(selected).len();
    let sections: Vec<String> = components
        .iter()
        .filter_map(|(section, entries)| {
            Some(format!(
                "{} {}",
                entries.as_mapping()?.len(),
                section.as_str()?
            ))
        })
        .collect();
    format!(
        "kept {paths} paths, {operations} operations; components: {}",
        sections.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::testing::yaml;

    const UPSTREAM: &str = r##"
openapi: 3.1.0
info: {title: T, version: "2", description: prose, contact: {name: c}}
servers: [{url: "https://api.example.com"}]
security: [{bearerAuth: []}]
tags: [{name: a, description: d}, {name: b}]
paths:
  /v1/chat:
    post: {operationId: chat, tags: [b], responses: {"200": {$ref: "#/components/responses/Chat"}}}
  /v1/connectorsX:
    get: {operationId: lookalike, responses: {}}
  /v1/connectors:
    get:
      operationId: list
      tags: [a]
      parameters: [{$ref: "#/components/parameters/P"}]
      responses:
        "200": {content: {application/json: {schema: {$ref: "#/components/schemas/List"}}}}
  /v1/connectors/{id}:
    get: {operationId: get, responses: {"404": {$ref: "#/components/responses/NotFound"}}}
components:
  securitySchemes: {bearerAuth: {type: http, scheme: bearer}, other: {type: http, scheme: basic}}
  parameters: {P: {name: p, in: header, schema: {type: string}}}
  schemas:
    Unused: {type: string}
    List: {type: object, properties: {items: {type: array, items: {$ref: "#/components/schemas/Item"}}}}
    Item: {type: object, properties: {self: {$ref: "#/components/schemas/Item"}}}
  responses:
    Chat: {description: c}
    NotFound: {description: n}
"##;

    #[test]
    fn keeps_only_the_resource_and_what_it_reaches() {
        let mut doc = yaml(UPSTREAM);
        let notes = select_connector_paths(&mut doc).unwrap();
        let expected = yaml(
            r##"
openapi: 3.1.0
info: {title: T, version: "2"}
servers: [{url: "https://api.example.com"}]
security: [{bearerAuth: []}]
tags: [{name: a, description: d}]
paths:
  /v1/connectors:
    get:
      operationId: list
      tags: [a]
      parameters: [{$ref: "#/components/parameters/P"}]
      responses:
        "200": {content: {application/json: {schema: {$ref: "#/components/schemas/List"}}}}
  /v1/connectors/{id}:
    get: {operationId: get, responses: {"404": {$ref: "#/components/responses/NotFound"}}}
components:
  securitySchemes: {bearerAuth: {type: http, scheme: bearer}}
  parameters: {P: {name: p, in: header, schema: {type: string}}}
  schemas:
    List: {type: object, properties: {items: {type: array, items: {$ref: "#/components/schemas/Item"}}}}
    Item: {type: object, properties: {self: {$ref: "#/components/schemas/Item"}}}
  responses:
    NotFound: {description: n}
"##,
        );
        assert_eq!(doc, expected);
        assert_eq!(
            notes,
            [
                "kept 2 paths, 2 operations; components: 1 securitySchemes, 1 parameters, 2 schemas, 1 responses"
            ]
        );
    }

    #[test]
    fn a_spec_without_the_resource_is_an_error() {
        let mut doc =
            yaml("openapi: 3.1.0\ninfo: {title: T, version: '1'}\npaths: {/v1/chat: {}}\n");
        let error = select_connector_paths(&mut doc).unwrap_err();
        assert!(error.0.contains("no path under /v1/connectors"), "{error}");
    }

    #[test]
    fn the_chat_keeps_its_one_path_and_what_its_discriminators_name() {
        let mut doc = yaml(
            r##"
openapi: 3.1.0
info: {title: T, version: "2"}
paths:
  /v2/chat:
    post:
      responses:
        "200": {content: {application/json: {schema: {$ref: "#/components/schemas/Events"}}}}
  /v2/chat/other: {get: {responses: {}}}
  /v1/chat: {post: {responses: {}}}
components:
  schemas:
    Events:
      oneOf: [{$ref: "#/components/schemas/Start"}]
      discriminator: {propertyName: type, mapping: {start: "#/components/schemas/Start", cite: Cite}}
    Start: {type: object}
    Cite: {type: object, properties: {c: {$ref: "#/components/schemas/Citation"}}}
    Citation: {type: object}
    Unused: {type: object}
"##,
        );
        let notes = select_chat_paths(&mut doc).unwrap();
        assert_eq!(notes, ["kept 1 paths, 1 operations; components: 4 schemas"]);
        let root = doc.as_mapping().unwrap();
        let schemas = map_path(root, &["components", "schemas"]).unwrap();
        let names: Vec<&str> = schemas.keys().filter_map(Value::as_str).collect();
        assert_eq!(names, ["Events", "Start", "Cite", "Citation"]);
        assert_eq!(map_at(root, "paths").unwrap().len(), 1);
    }

    #[test]
    fn a_dangling_reference_is_an_error() {
        let mut doc = yaml(
            "openapi: 3.1.0\ninfo: {title: T, version: '1'}\npaths:\n  /v1/connectors:\n    get: {responses: {'200': {$ref: '#/components/responses/Gone'}}}\n",
        );
        let error = select_connector_paths(&mut doc).unwrap_err();
        assert_eq!(
            error.0,
            "#/components/responses/Gone is referenced but not defined upstream"
        );
    }
}
