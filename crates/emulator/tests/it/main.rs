//! The emulator through its public API and its binary, checked against Cohere's upstream schemas.

mod abuse;
mod api;
mod oauth;
mod python_sdk;
mod verify;
mod wire_format;
