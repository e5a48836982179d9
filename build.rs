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
    Ok(())
}

fn write_formatted(path: &Path, tokens: proc_macro2::TokenStream) -> Result<(), Box<dyn Error>> {
    let file: syn::File = syn::parse2(tokens)?;
    std::fs::write(path, prettyplease::unparse(&file))?;
    Ok(())
}
