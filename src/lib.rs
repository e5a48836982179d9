//! Rust SDK for Cohere's Connectors API.
