//! The client layer: [`Client`](crate::Client) and its builder, and the execution of a call
//! (attempts, retries, the deadline, tracing). It runs whatever attempt the API layer gives it
//! and never names a generated item.

mod builder;
pub(crate) mod execute;
mod telemetry;

pub(crate) use builder::CallConfig;
pub use builder::{
    API_KEY_VAR, BASE_URL_VAR, Client, ClientBuilder, DEFAULT_BASE_URL, FALLBACK_API_KEY_VAR,
};
