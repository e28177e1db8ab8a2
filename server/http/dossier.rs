//! The whole canvas for the dossier: a print view, a PDF and a DOCX of the same
//! [`Dossier`](crate::export::dossier::Dossier), for whoever may read the canvas. Every copy
//! taken away is in the audit log.

use axum::{
    Extension, Router,
    extract::{Path, State},
    response::{IntoResponse, Response},
    routing::get,
};

use crate::{
    access::policy::Permitted,
    error::AppError,
    export::{self, dossier},
    http::{download, middleware::csp::CspNonce, permitted},
    services::archive_export,
    state::AppState,
    store::now_millis,
    views::{self, SignedIn},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/canvases/{id}/dossier", get(print_view))
        .route("/canvases/{id}/dossier.pdf", get(pdf))
        .route("/canvases/{id}/dossier.docx", get(docx))
}

#[derive(Debug, Clone, Copy)]
pub enum Format {
    Print,
    Pdf,
    Docx,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Print => "afdrukweergave",
            Format::Pdf => "PDF",
            Format::Docx => "DOCX",
        }
    }
}

/// The most text a PDF or DOCX is made of: about 60 pages, a few seconds of one core. A larger
/// canvas is refused with the reason (the print view has no such limit: the browser lays it out).
const MAX_FILE_CHARS: usize = 150_000;

/// The dossier of a canvas the viewer may read (404 otherwise), recorded as taken away.
async fn dossier(
    state: &AppState,
    viewer: &SignedIn,
    id: &str,
    format: Format,
) -> Result<(dossier::Dossier, String), AppError> {
    let canvas = permitted::readable(state.canvases.as_ref(), viewer, id).await?;
    let (team, id) = (canvas.facts.team, canvas.id.clone());
    // An archived canvas leaves as learning material: its own clean document.
    let built = if canvas.facts.archived {
        archive_export::archived(state, canvas)
            .await?
            .document(now_millis())
    } else {
        casework(state, &canvas).await?
    };
    if !matches!(format, Format::Print) && built.text_chars() > MAX_FILE_CHARS {
        return Err(AppError::Invalid(format!(
            "Dit canvas is te groot voor een {} (meer dan {} tekens). Gebruik de afdrukweergave \
             en kies daar \"Opslaan als PDF\".",
            format.name(),
            crate::format::thousands(MAX_FILE_CHARS as u64)
        )));
    }
    state
        .audit
        .record_canvas_export(
            viewer.account.id,
            team,
            &id,
            format!("dossier als {}", format.name()),
        )
        .await?;
    Ok((built, id.to_string()))
}

/// The dossier of a canvas in the works: everything the team wrote, with who escalated.
async fn casework(state: &AppState, canvas: &Permitted) -> Result<dossier::Dossier, AppError> {
    let content = state.sync.content(&canvas.id).await?;
    let team = state
        .directory
        .team(canvas.facts.team)
        .await?
        .ok_or(AppError::NotFound)?;
    let status = state
        .workflow
        .canvas_status(&canvas.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let escalations = state.workflow.escalations(&canvas.id).await?;
    let context = dossier::Context {
        team: &team.name,
        gemeente: &team.gemeente,
        status,
        escalations: &escalations,
        printed_at: now_millis(),
        archive: None,
    };
    Ok(dossier::build(&content, &context))
}

async fn print_view(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    viewer: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (dossier, id) = dossier(&state, &viewer, &id, Format::Print).await?;
    let base = format!("/canvases/{id}/dossier");
    let back = format!("/canvases/{id}");
    let body = views::dossier::page(&dossier, &base, (&back, "Terug naar het canvas"));
    Ok(views::layout(&dossier.title, &nonce.0, body).into_response())
}

async fn pdf(
    State(state): State<AppState>,
    viewer: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    file(&state, &viewer, &id, Format::Pdf).await
}

async fn docx(
    State(state): State<AppState>,
    viewer: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    file(&state, &viewer, &id, Format::Docx).await
}

async fn file(
    state: &AppState,
    viewer: &SignedIn,
    id: &str,
    format: Format,
) -> Result<Response, AppError> {
    let (dossier, id) = dossier(state, viewer, id, format).await?;
    document_file(state, dossier, format, &format!("canvas-{id}")).await
}

/// `document` laid out as a PDF or DOCX download named `stem` plus the extension, one of a few
/// at a time, off the async workers. (The verslag of an overleg is laid out here too.)
pub async fn document_file(
    state: &AppState,
    dossier: dossier::Dossier,
    format: Format,
    stem: &str,
) -> Result<Response, AppError> {
    let _turn = state
        .documents
        .acquire()
        .await
        .map_err(|error| AppError::Export(error.to_string()))?;
    // Laying out pages takes milliseconds of CPU per page: off the async workers.
    let (bytes, content_type, extension) = tokio::task::spawn_blocking(move || match format {
        Format::Docx => export::docx::write(&dossier).map(|bytes| {
            let docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
            (bytes, docx, "docx")
        }),
        _ => export::pdf::write(&dossier).map(|bytes| (bytes, "application/pdf", "pdf")),
    })
    .await
    .map_err(|error| AppError::Export(error.to_string()))?
    .map_err(AppError::Export)?;
    Ok(download::attachment(
        bytes,
        content_type,
        &format!("{stem}.{extension}"),
    ))
}
