//! What the examples share: a BM25 search index and the bundled handbook it searches.

pub mod bm25;
pub mod handbook;
