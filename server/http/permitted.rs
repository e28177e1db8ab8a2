//! The access policy applied to a request for one canvas.
//!
//! A canvas the viewer may not see is answered exactly like one that does not exist (404), so
//! nobody learns which canvases exist by trying ids.

use crate::{
    access::policy,
    auth::Viewer,
    canvas::CanvasId,
    error::AppError,
    store::{CanvasSummary, Canvases},
};

pub use crate::access::policy::Permitted;

/// The canvas `raw_id` names, if the viewer may read it; otherwise 404.
pub async fn readable(
    store: &dyn Canvases,
    viewer: &Viewer,
    raw_id: &str,
) -> Result<Permitted, AppError> {
    let id: CanvasId = raw_id.parse().map_err(|_| AppError::NotFound)?;
    let facts = store.canvas_facts(&id).await?.ok_or(AppError::NotFound)?;
    let access = policy::canvas_access(&viewer.policy, &facts);
    if !access.may_read() {
        return Err(AppError::NotFound);
    }
    Ok(Permitted { id, access, facts })
}

/// As [`readable`], for the canvas's history (versions, frozen copies, differences): 404 for
/// someone who reads it only as learning material through an archive's scope.
pub async fn history(
    store: &dyn Canvases,
    viewer: &Viewer,
    raw_id: &str,
) -> Result<Permitted, AppError> {
    let canvas = readable(store, viewer, raw_id).await?;
    if !policy::history_access(&viewer.policy, &canvas.facts).may_read() {
        return Err(AppError::NotFound);
    }
    Ok(canvas)
}

/// The canvases of the list that the viewer may read.
pub fn visible(viewer: &Viewer, canvases: Vec<CanvasSummary>) -> Vec<CanvasSummary> {
    canvases
        .into_iter()
        .filter(|canvas| {
            canvas
                .access
                .as_ref()
                .is_some_and(|facts| policy::canvas_access(&viewer.policy, facts).may_read())
        })
        .collect()
}
