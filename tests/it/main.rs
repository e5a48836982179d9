//! The SDK through its public API, one binary grouped by area (the memory test, which needs its own allocator, is tests/memory.rs).
#![forbid(unsafe_code)]

mod blocking;
mod body;
mod call_settings;
mod common;
mod errors;
mod hardening;
mod mock;
mod operations;
mod raw;
mod resilience;
mod retired;
mod secrets;
mod tracing;
mod user_code;
mod validation;
