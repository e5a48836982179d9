//! The emulator through its public API and its binary, checked against Cohere's upstream schemas.
#![forbid(unsafe_code)]

mod abuse;
mod api;
mod chat;
mod chat_client;
mod chat_hostile;
mod chat_props;
mod chat_python;
mod chat_refusals;
mod chat_stream;
mod oauth;
mod oauth_provider;
mod python_sdk;
mod verify;
mod wire_format;
