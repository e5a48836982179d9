//! What the benchmarks of `cohere-connectors` share: the servers they measure against and the
//! hand-written client they compare the facade with.
#![forbid(unsafe_code)]

pub mod fixture;
pub mod plain;
