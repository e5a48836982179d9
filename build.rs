//! Generates the bindings from the checked-in OpenAPI fragment, twice:
//!
//! - `raw.rs`, the public `cohere_connectors::raw`: every operation and type exactly as the
//!   fragment describes it;
//! - `facade_bindings.rs`, private to the facade's seam (`src/api/raw_seam`): the same
//!   operations, with the request and answer bodies of the facade's six operations replaced
//!   by the facade's own types. Those schemas are found by structure (an operation's request
//!   body and success answer), so a renamed schema or a field added or removed upstream does
//!   not reach the facade's code.
//!
//! All spec surgery happens in `cargo xtask spec`; this only runs progenitor on its output.

use std::collections::BTreeMap;
use std::error::Error;
use std::path::Path;

use openapiv3::{OpenAPI, Operation, ReferenceOr};
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle};
use schemars08::schema::{InstanceType, SchemaObject};

const FRAGMENT: &str = "openapi/connectors.yaml";
/// The schema `cargo xtask spec` gives every connector-id path parameter.
const ID_SCHEMA: &str = "ConnectorId";

/// Which body of which operation the facade reads or sends as its own type.
enum Body {
    Request,
    Answer,
}

/// The facade's types for the bodies of its six operations (`src/api/raw_seam`).
const FACADE_BODIES: &[(&str, Body, &str)] = &[
    ("list-connectors", Body::Answer, "crate::ConnectorPage"),
    ("create-connector", Body::Request, "crate::NewConnector"),
    (
        "create-connector",
        Body::Answer,
        "crate::api::raw_seam::answers::ConnectorAnswer",
    ),
    (
        "get-connector",
        Body::Answer,
        "crate::api::raw_seam::answers::ConnectorAnswer",
    ),
    ("update-connector", Body::Request, "crate::ConnectorUpdate"),
    (
        "update-connector",
        Body::Answer,
        "crate::api::raw_seam::answers::ConnectorAnswer",
    ),
    (
        "delete-connector",
        Body::Answer,
        "crate::api::raw_seam::answers::Acknowledged",
    ),
    (
        "oAuthAuthorize-connector",
        Body::Answer,
        "crate::api::raw_seam::answers::RedirectAnswer",
    ),
];

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo:rerun-if-changed={FRAGMENT}");
    let text = std::fs::read_to_string(FRAGMENT)
        .map_err(|error| format!("cannot read {FRAGMENT}: {error}"))?;
    let spec: OpenAPI = yaml_serde::from_str(&text)
        .map_err(|error| format!("{FRAGMENT} is not an OpenAPI 3.0 document: {error}"))?;
    let out_dir = std::env::var("OUT_DIR")?;
    let out = Path::new(&out_dir);

    let raw = Generator::new(&settings()).generate_tokens(&spec)?;
    write_formatted(&out.join("raw.rs"), raw)?;

    let mut facade = settings();
    for (schema, rust_type) in facade_replacements(&spec)? {
        facade.with_replacement(schema, rust_type, std::iter::empty());
    }
    let bindings = Generator::new(&facade).generate_tokens(&spec)?;
    write_formatted(&out.join("facade_bindings.rs"), bindings)?;

    std::fs::write(out.join("operations.rs"), operation_table(&spec))?;

    if std::env::var_os("CARGO_FEATURE_HTTPMOCK").is_some() {
        let mocks =
            Generator::new(&settings()).httpmock(&with_named_statuses_only(&spec), "crate::raw")?;
        write_formatted(&out.join("mock.rs"), mocks)?;
    }
    Ok(())
}

/// What both generations share.
fn settings() -> GenerationSettings {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        // The crate's `ClientHooks` implementations must be the ones in use: they add
        // authentication and apply the transport's rules (src/http/transport.rs).
        .with_hooks(HooksMode::Expected)
        .with_inner_type("crate::raw::Transport".parse().expect("a type path"))
        .with_derive("PartialEq")
        // Ids go into URL paths: the crate's own type refuses the ids no segment can carry.
        .with_replacement(ID_SCHEMA, "crate::ConnectorId", std::iter::empty())
        // A string marked `format: password` is a credential: held as `Secret`, whose `Debug`
        // never shows it, so no generated type prints one.
        .with_conversion(password_schema(), "crate::Secret", std::iter::empty());
    settings
}

fn password_schema() -> SchemaObject {
    SchemaObject {
        instance_type: Some(InstanceType::String.into()),
        format: Some("password".to_owned()),
        ..SchemaObject::default()
    }
}

/// The schema names of the facade's bodies in this fragment, with the facade type for each.
fn facade_replacements(spec: &OpenAPI) -> Result<BTreeMap<String, &'static str>, String> {
    let mut replacements = BTreeMap::new();
    for (operation_id, body, rust_type) in FACADE_BODIES {
        let operation = spec
            .operations()
            .map(|(_, _, operation)| operation)
            .find(|operation| operation.operation_id.as_deref() == Some(operation_id))
            .ok_or_else(|| format!("{FRAGMENT} has no operation {operation_id}: run `cargo xtask spec`, whose contract check names what changed"))?;
        let schema = match body {
            Body::Request => request_schema(operation),
            Body::Answer => answer_schema(spec, operation),
        }
        .ok_or_else(|| format!("{FRAGMENT}: {operation_id} has no named JSON body where the facade expects one: run `cargo xtask spec`"))?;
        if let Some(previous) = replacements.insert(schema.clone(), *rust_type)
            && previous != *rust_type
        {
            return Err(format!(
                "{FRAGMENT}: schema {schema} would be both {previous} and {rust_type}"
            ));
        }
    }
    Ok(replacements)
}

fn schema_name(reference: &str) -> Option<String> {
    reference
        .strip_prefix("#/components/schemas/")
        .map(str::to_owned)
}

fn request_schema(operation: &Operation) -> Option<String> {
    let ReferenceOr::Item(body) = operation.request_body.as_ref()? else {
        return None;
    };
    match body.content.get("application/json")?.schema.as_ref()? {
        ReferenceOr::Reference { reference } => schema_name(reference),
        ReferenceOr::Item(_) => None,
    }
}

fn answer_schema(spec: &OpenAPI, operation: &Operation) -> Option<String> {
    let response = operation
        .responses
        .responses
        .iter()
        .find(|(status, _)| match status {
            openapiv3::StatusCode::Code(code) => (200..300).contains(code),
            openapiv3::StatusCode::Range(range) => *range == 2,
        })
        .map(|(_, response)| response)?;
    let response = match response {
        ReferenceOr::Item(response) => response,
        ReferenceOr::Reference { reference } => {
            let name = reference.strip_prefix("#/components/responses/")?;
            match spec.components.as_ref()?.responses.get(name)? {
                ReferenceOr::Item(response) => response,
                ReferenceOr::Reference { .. } => return None,
            }
        }
    };
    match response.content.get("application/json")?.schema.as_ref()? {
        ReferenceOr::Reference { reference } => schema_name(reference),
        ReferenceOr::Item(_) => None,
    }
}

/// Every operation of the fragment as `(method name, operationId, method, path template)`:
/// what the transport's path guard checks each request's URL against. The hooks see an
/// operation by the name of its generated method, so the table is keyed by it.
fn operation_table(spec: &OpenAPI) -> String {
    let mut table = String::from(
        "/// Generated by build.rs from the fragment:\n\
         /// (generated method name, operationId, HTTP method, path template).\n\
         pub(crate) const OPERATIONS: &[(&str, &str, &str, &str)] = &[\n",
    );
    for (path, method, operation) in spec.operations() {
        if let Some(id) = &operation.operation_id {
            table.push_str(&format!(
                "    ({:?}, {id:?}, {:?}, {path:?}),\n",
                method_name(id),
                method.to_ascii_uppercase()
            ));
        }
    }
    table.push_str("];\n");
    table
}

/// The name progenitor gives an operation's method (its `sanitize(.., Case::Snake)`): the
/// operationId with every character that cannot continue an identifier made a `-`, in
/// snake case. A name that does not match makes every call of that operation fail loudly
/// (the guard refuses unknown operations), so the test suite catches any divergence.
fn method_name(operation_id: &str) -> String {
    use heck::ToSnakeCase;
    let cleaned: String = operation_id
        .replace('\'', "")
        .chars()
        .map(|c| {
            if unicode_ident::is_xid_continue(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    let name = cleaned.to_snake_case();
    match name.chars().next() {
        None => "x".to_owned(),
        Some(c) if unicode_ident::is_xid_start(c) => name,
        Some(_) => format!("_{name}"),
    }
}

/// progenitor names each typed-mock response method after its status's reason phrase and
/// panics when the `http` crate knows none, as for Cohere's own 498 and 499. The mocks are
/// generated without those statuses (they stay mockable through `into_inner()`); the clients
/// above are generated from the whole fragment.
fn with_named_statuses_only(spec: &OpenAPI) -> OpenAPI {
    let mut spec = spec.clone();
    let has_name = |code: &openapiv3::StatusCode| match code {
        openapiv3::StatusCode::Code(code) => http::StatusCode::from_u16(*code)
            .is_ok_and(|status| status.canonical_reason().is_some()),
        openapiv3::StatusCode::Range(_) => true,
    };
    for item in spec.paths.paths.values_mut() {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ];
        for operation in operations.into_iter().flatten() {
            operation
                .responses
                .responses
                .retain(|code, _| has_name(code));
        }
    }
    spec
}

fn write_formatted(path: &Path, tokens: proc_macro2::TokenStream) -> Result<(), Box<dyn Error>> {
    let file: syn::File = syn::parse2(tokens)?;
    std::fs::write(path, prettyplease::unparse(&file))?;
    Ok(())
}
