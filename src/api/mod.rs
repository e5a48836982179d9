//! The API layer: the operations as request builders, the facade's types, pagination, and
//! the one seam through which all of them reach the generated bindings
//! ([`raw_seam`](self::raw_seam)).

pub mod connectors;
mod constructors;
pub(crate) mod definition;
pub(crate) mod options;
pub(crate) mod pagination;
pub(crate) mod raw_seam;
pub(crate) mod response;
mod timestamp;
pub(crate) mod types;
pub(crate) mod url;
