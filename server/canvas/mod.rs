//! The domain of one maatwerkcanvas: its id, its anonymous label and the shape of its document.

pub mod id;
pub mod label;
pub mod schema;

pub use id::CanvasId;
pub use label::{AnonymousLabel, LabelError};
