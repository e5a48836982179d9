//! Rust SDK for Cohere's Connectors API.

pub mod raw;
mod transport;
