//! What the benchmarks of `cohere-connectors` share: the servers they measure against.

pub mod fixture;
