//! The domain of one maatwerkcanvas: its id, its anonymous label, the shape of its document and
//! the catalogue of regulations it can refer to.

pub mod diff;
pub mod id;
pub mod label;
pub mod regulations;
pub mod rendement;
pub mod schema;
pub mod status;

pub use id::CanvasId;
pub use label::{AnonymousLabel, LabelError};
