//! The bindings the facade calls: progenitor's output for the same fragment as
//! [`crate::raw`], with the bodies of the six operations replaced by the facade's own types
//! (build.rs finds them by structure). Answers decode straight into `ConnectorPage` and
//! `Connector`, and requests are `NewConnector` and `ConnectorUpdate` as they are: no
//! conversion, and no field name of a generated type in the facade's code.
#![allow(
    dead_code,
    unused_imports,
    missing_docs,
    clippy::all,
    clippy::pedantic,
    clippy::arithmetic_side_effects
)]

include!(concat!(env!("OUT_DIR"), "/facade_bindings.rs"));

use crate::raw::Transport;

// The same transport rules as the raw client's.
crate::http::transport::transport_hooks!(Client);
