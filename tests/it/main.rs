//! The SDK through its public API, one binary grouped by area (the memory test, which needs its own allocator, is tests/memory.rs).

mod blocking;
mod body;
mod call_settings;
#[cfg(feature = "chat")]
mod chat;
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
