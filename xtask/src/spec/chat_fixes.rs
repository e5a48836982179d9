//! The fixes only Chat v2's schemas need: what would make progenitor fail on them, or make the
//! generated client send what the caller did not ask for. Like the connectors' fixes
//! ([`super::fixes`]), each keys on the document's structure, never on upstream's wording,
//! and reports what it changed.

use yaml_serde::value::Tag;

use super::doc::{
    Mapping, Result, Value, map_at, map_path, map_path_mut, operations, parse_component_ref, root,
    root_mut, scalar_text, spec_error, str_at, walk_objects,
};
use super::parse::BIG_INTEGER_TAG;

/// The JSON schema of a 2xx response of `operation` (inline, as Chat v2 has it), and its
/// status.
fn success_media(operation: &Mapping) -> Option<(String, &Mapping)> {
    let responses = map_at(operation, "responses")?;
    responses.iter().find_map(|(status, response)| {
        let status = scalar_text(status);
        let media = map_path(response.as_mapping()?, &["content", "application/json"])?;
        status.starts_with('2').then_some((status, media))
    })
}

/// Whether the operation's JSON request body has a boolean `stream` property: the switch
/// between a JSON answer and a stream of events.
fn has_stream_switch(root: &Mapping, operation: &Mapping) -> bool {
    let Some(schema) = map_path(operation, &["requestBody", "content", "application/json"])
        .and_then(|media| map_at(media, "schema"))
    else {
        return false;
    };
    let schema = resolve(root, schema).unwrap_or(schema);
    map_path(schema, &["properties", "stream"]).and_then(|stream| str_at(stream, "type"))
        == Some("boolean")
}

/// A component schema that `schema` refers to, or `None` when it is inline.
fn resolve<'a>(root: &'a Mapping, schema: &Mapping) -> Option<&'a Mapping> {
    match str_at(schema, "$ref").and_then(parse_component_ref) {
        Some(("schemas", name)) => map_path(root, &["components", "schemas", name]),
        _ => None,
    }
}

/// Chat v2's 200 answer is a `oneOf` of the JSON response and the union of the stream's
/// events: the one status has two bodies, told apart by the request's `stream` flag and the
/// content type (`application/json` or `text/event-stream`). progenitor generates the answer
/// type from the `oneOf` as an untagged enum that tries the two in turn, which would decode a
/// response as an event or an event as a response. The JSON response becomes the success
/// type; the events stay in `components.schemas` (the facade reads the stream itself).
///
/// Applies to an operation whose request has a boolean `stream` and whose JSON success is a
/// `oneOf` of references: the branch that is not itself a union is the response.
pub fn json_response_as_success(document: &mut Value) -> Result<Vec<String>> {
    let mut plan = Vec::new();
    {
        let root = root(document)?;
        for (path, method, operation) in operations(root) {
            if !has_stream_switch(root, operation) {
                continue;
            }
            let Some((status, media)) = success_media(operation) else {
                continue;
            };
            let Some(Value::Sequence(branches)) =
                map_at(media, "schema").and_then(|schema| schema.get("oneOf"))
            else {
                continue;
            };
            let named: Vec<(&str, Option<&Mapping>)> = branches
                .iter()
                .filter_map(Value::as_mapping)
                .filter_map(|branch| {
                    let reference = str_at(branch, "$ref")?;
                    Some((reference, resolve(root, branch)))
                })
                .collect();
            let responses: Vec<&str> = named
                .iter()
                .filter(|(_, schema)| schema.is_some_and(|schema| !schema.contains_key("oneOf")))
                .map(|(reference, _)| *reference)
                .collect();
            let [response] = responses.as_slice() else {
                return Err(spec_error!(
                    "{} {path} {status}: the answer is a oneOf, and {} of its branches are not unions of events; cannot tell the JSON response from the stream's events",
                    method.to_uppercase(),
                    responses.len()
                ));
            };
            let events: Vec<String> = named
                .iter()
                .filter(|(reference, _)| reference != response)
                .filter_map(|(reference, _)| parse_component_ref(reference))
                .map(|(_, name)| name.to_owned())
                .collect();
            plan.push((path, method, status, (*response).to_owned(), events));
        }
    }
    let mut notes = Vec::new();
    let root = root_mut(document)?;
    for (path, method, status, response, events) in plan {
        let keys = [
            "paths",
            path.as_str(),
            method.as_str(),
            "responses",
            status.as_str(),
            "content",
            "application/json",
        ];
        let Some(media) = map_path_mut(root, &keys) else {
            continue;
        };
        let mut reference = Mapping::new();
        reference.insert("$ref".into(), response.as_str().into());
        media.insert("schema".into(), Value::Mapping(reference));
        let name = parse_component_ref(&response).map_or(response.as_str(), |(_, name)| name);
        notes.push(format!(
            "{} {path} {status}: oneOf [{name}, {}] -> {name}; the stream's events stay in components.schemas",
            method.to_uppercase(),
            events.join(", ")
        ));
    }
    Ok(notes)
}

/// A `default` in what the client sends makes progenitor's builders send it on every request
/// (`"p": 0.75` in every chat), which pins today's server-side default into every client and
/// sends what the caller never set. Defaults are dropped from the request bodies' properties
/// and from every schema that only requests use; the server applies its own.
pub fn drop_request_defaults(document: &mut Value) -> Result<Vec<String>> {
    let (sent, received) = super::fixes::schema_directions(root(document)?);
    let only_sent = sent.difference(&received);
    Ok(super::fixes::drop_property_defaults(
        root_mut(document)?,
        only_sent,
    ))
}

/// typify makes a Rust enum of an `enum` only when it knows the members' type; upstream lists
/// some string enums (`safety_mode`) without one. An `enum` whose members are all strings
/// gets `type: string`, which is what its members say.
pub fn type_untyped_enums(document: &mut Value) -> Result<Vec<String>> {
    let mut notes = Vec::new();
    walk_objects(document, &mut |site, object| {
        if object.contains_key("type") {
            return Ok(());
        }
        let Some(Value::Sequence(members)) = object.get("enum") else {
            return Ok(());
        };
        if members.is_empty() || !members.iter().all(Value::is_string) {
            return Ok(());
        }
        super::doc::insert_first(object, "type", Value::from("string"));
        notes.push(format!("{}: enum of strings given type string", site.at));
        Ok(())
    })?;
    Ok(notes)
}

/// The largest 64-bit unsigned integer, as a bound.
const U64_MAX: u64 = u64::MAX;

/// Upstream bounds `seed` by 18446744073709552000, which is 2^64 as a float prints it: one
/// past the largest 64-bit integer, which no YAML reader here can hold (and progenitor could
/// not make a Rust type of). An integer schema's bound beyond 64 bits becomes the largest
/// 64-bit value of its sign, which is what it means; any other big integer stays, and is
/// refused after the pipeline.
pub fn bound_integers_to_64_bits(document: &mut Value) -> Result<Vec<String>> {
    let mut notes = Vec::new();
    walk_objects(document, &mut |site, object| {
        if str_at(object, "type") != Some("integer") {
            return Ok(());
        }
        for (bound, replacement) in [
            ("maximum", Value::from(U64_MAX)),
            ("minimum", Value::from(i64::MIN)),
        ] {
            let Some(Value::Tagged(tagged)) = object.get(bound) else {
                continue;
            };
            if tagged.tag != Tag::new(BIG_INTEGER_TAG) {
                continue;
            }
            let was = scalar_text(&tagged.value);
            notes.push(format!(
                "{}: {bound} {was} -> {}",
                site.at,
                scalar_text(&replacement)
            ));
            object.insert(bound.into(), replacement);
        }
        Ok(())
    })?;
    Ok(notes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::parse::parse_yaml;
    use crate::spec::testing::{same_text, yaml};

    const CHAT: &str = r##"
paths:
  /v2/chat:
    post:
      requestBody:
        content: {application/json: {schema: {type: object, properties: {stream: {type: boolean}, k: {type: integer, default: 0}}}}}
      responses:
        "200":
          description: ""
          content:
            application/json:
              schema: {oneOf: [{$ref: "#/components/schemas/Response"}, {$ref: "#/components/schemas/Events"}]}
        "400": {description: ""}
components:
  schemas:
    Response: {type: object, properties: {id: {type: string}}}
    Events: {oneOf: [{$ref: "#/components/schemas/Start"}]}
    Start: {type: object}
"##;

    #[test]
    fn the_json_response_becomes_the_success_type_and_the_events_stay() {
        let mut doc = yaml(CHAT);
        let notes = json_response_as_success(&mut doc).unwrap();
        assert_eq!(
            notes,
            [
                "POST /v2/chat 200: oneOf [Response, Events] -> Response; the stream's events stay in components.schemas"
            ]
        );
        let root = root(&doc).unwrap();
        let media = map_path(
            root,
            &[
                "paths",
                "/v2/chat",
                "post",
                "responses",
                "200",
                "content",
                "application/json",
            ],
        )
        .unwrap();
        same_text(
            &Value::Mapping(media.clone()),
            &yaml("{schema: {$ref: '#/components/schemas/Response'}}"),
        );
        assert!(map_path(root, &["components", "schemas", "Events"]).is_some());
    }

    #[test]
    fn without_a_stream_switch_a_one_of_answer_is_left_alone() {
        let text = CHAT.replace("stream: {type: boolean}, ", "");
        let mut doc = yaml(&text);
        assert!(json_response_as_success(&mut doc).unwrap().is_empty());
        same_text(&doc, &yaml(&text));
    }

    #[test]
    fn two_candidate_responses_are_an_error() {
        let mut doc = yaml(&CHAT.replace(
            "Events: {oneOf: [{$ref: \"#/components/schemas/Start\"}]}",
            "Events: {type: object}",
        ));
        let error = json_response_as_success(&mut doc).unwrap_err();
        assert!(error.0.contains("cannot tell the JSON response"), "{error}");
    }

    #[test]
    fn request_defaults_are_dropped_but_not_those_of_what_is_received() {
        let mut doc = yaml(
            r##"
paths:
  /v2/chat:
    post:
      requestBody: {content: {application/json: {schema: {$ref: "#/components/schemas/Request"}}}}
      responses:
        "200": {content: {application/json: {schema: {$ref: "#/components/schemas/Shared"}}}}
components:
  schemas:
    Request: {type: object, properties: {p: {type: number, default: 0.75}, s: {$ref: "#/components/schemas/Shared"}}}
    Shared: {type: object, properties: {mode: {type: string, default: a}}}
"##,
        );
        let notes = drop_request_defaults(&mut doc).unwrap();
        assert_eq!(notes, ["Request.p: default dropped"]);
        let schemas = map_path(root(&doc).unwrap(), &["components", "schemas"]).unwrap();
        same_text(
            &schemas["Shared"],
            &yaml("{type: object, properties: {mode: {type: string, default: a}}}"),
        );
    }

    #[test]
    fn string_enums_without_a_type_get_one() {
        let mut doc = yaml(
            "components: {schemas: {A: {type: object, properties: {mode: {enum: [CONTEXTUAL, 'OFF']}, n: {enum: [1, 2]}, t: {type: string, enum: [x]}}}}}\n",
        );
        let notes = type_untyped_enums(&mut doc).unwrap();
        same_text(
            &doc,
            &yaml(
                "components: {schemas: {A: {type: object, properties: {mode: {type: string, enum: [CONTEXTUAL, 'OFF']}, n: {enum: [1, 2]}, t: {type: string, enum: [x]}}}}}\n",
            ),
        );
        assert_eq!(
            notes,
            ["#/components/schemas/A/properties/mode: enum of strings given type string"]
        );
    }

    #[test]
    fn integer_bounds_beyond_64_bits_become_the_largest_64_bit_value() {
        let mut doc = parse_yaml(
            "s: {type: integer, minimum: 0, maximum: 18446744073709552000}\nf: {type: number, maximum: 18446744073709552000}\n",
        )
        .unwrap();
        let notes = bound_integers_to_64_bits(&mut doc).unwrap();
        assert_eq!(
            notes,
            ["#/s: maximum 18446744073709552000 -> 18446744073709551615"]
        );
        assert_eq!(doc["s"]["maximum"], Value::from(u64::MAX));
        assert!(matches!(doc["f"]["maximum"], Value::Tagged(_)));
    }
}
