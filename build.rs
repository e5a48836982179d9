//! Generates the raw bindings (`cohere_connectors::raw`) from the checked-in OpenAPI fragment.
//!
//! All spec surgery happens in `cargo xtask spec`; this only runs progenitor on its output.

use std::error::Error;
use std::path::Path;

use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle};

const FRAGMENT: &str = "openapi/connectors.yaml";

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo:rerun-if-changed={FRAGMENT}");
    let text = std::fs::read_to_string(FRAGMENT)
        .map_err(|error| format!("cannot read {FRAGMENT}: {error}"))?;
    let spec: openapiv3::OpenAPI = yaml_serde::from_str(&text)
        .map_err(|error| format!("{FRAGMENT} is not an OpenAPI 3.0 document: {error}"))?;

    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        // Our `ClientHooks` implementation (src/transport.rs) must be the one in use: it adds
        // authentication and removes progenitor's `api-version` header.
        .with_hooks(HooksMode::Expected)
        .with_inner_type("crate::transport::Transport".parse()?)
        .with_derive("PartialEq");
    let mut generator = Generator::new(&settings);

    let client = generator.generate_tokens(&spec)?;
    let out_dir = std::env::var("OUT_DIR")?;
    write_formatted(&Path::new(&out_dir).join("raw.rs"), client)?;

    if std::env::var_os("CARGO_FEATURE_HTTPMOCK").is_some() {
        let mocks =
            Generator::new(&settings).httpmock(&with_named_statuses_only(&spec), "crate::raw")?;
        write_formatted(&Path::new(&out_dir).join("mock.rs"), mocks)?;
    }
    Ok(())
}

/// progenitor names each typed-mock response method after its status's reason phrase and
/// panics when the `http` crate knows none, as for Cohere's own 498 and 499. The mocks are
/// generated without those statuses (they stay mockable through `into_inner()`); the client
/// above is generated from the whole fragment.
fn with_named_statuses_only(spec: &openapiv3::OpenAPI) -> openapiv3::OpenAPI {
    let mut spec = spec.clone();
    let has_name = |code: &openapiv3::StatusCode| match code {
        openapiv3::StatusCode::Code(code) => http::StatusCode::from_u16(*code)
            .is_ok_and(|status| status.canonical_reason().is_some()),
        openapiv3::StatusCode::Range(_) => true,
    };
    for item in spec.paths.paths.values_mut() {
        let openapiv3::ReferenceOr::Item(item) = item else {
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
