//! Project automation for `cohere-connectors`, run as `cargo xtask <task>`.
#![forbid(unsafe_code)]

pub mod bench_report;
pub mod drift;
pub mod spec;
