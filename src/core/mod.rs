//! The bottom layer: what every other layer speaks in. Errors, secrets, ids, the operations,
//! and the hygiene of text that came from outside. Nothing here knows about HTTP clients,
//! retries or the generated bindings.

pub(crate) mod error;
pub(crate) mod error_body;
pub(crate) mod id;
pub(crate) mod operation;
pub(crate) mod secret;
pub(crate) mod text;
