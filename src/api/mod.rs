//! The API layer: the operations as request builders, the facade's types, pagination, and
//! the one seam through which all of them reach the wire ([`seam`](self::seam)).

pub mod connectors;
mod constructors;
pub(crate) mod definition;
pub(crate) mod options;
pub(crate) mod pagination;
pub(crate) mod response;
pub(crate) mod seam;
mod timestamp;
pub(crate) mod types;
pub(crate) mod url;
