//! Files to take away: a table as CSV or XLSX, a dossier as PDF or DOCX. The one place that
//! knows their content types and how a file name is given.

use axum::{
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};

use crate::{
    error::AppError,
    export::{self, Table},
};

/// The formats a table is offered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Download {
    Csv,
    Xlsx,
}

impl Download {
    /// The name the audit log records ("als CSV").
    pub fn name(self) -> &'static str {
        match self {
            Download::Csv => "CSV",
            Download::Xlsx => "XLSX",
        }
    }
}

/// `table` as a file named `stem` plus the format's extension; `sheet` names the XLSX sheet.
pub fn respond(
    table: &Table<'_>,
    format: Download,
    stem: &str,
    sheet: &str,
) -> Result<Response, AppError> {
    let (bytes, content_type, extension) = match format {
        Download::Csv => (
            export::csv::write(table).map_err(|error| AppError::Export(error.to_string()))?,
            "text/csv; charset=utf-8",
            "csv",
        ),
        Download::Xlsx => (
            export::xlsx::write(table, sheet)
                .map_err(|error| AppError::Export(error.to_string()))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
    };
    Ok(attachment(
        bytes,
        content_type,
        &format!("{stem}.{extension}"),
    ))
}

/// `bytes` as a download named `file_name` (which the caller makes from ids and plain words).
pub fn attachment(bytes: Vec<u8>, content_type: &'static str, file_name: &str) -> Response {
    let disposition = format!("attachment; filename=\"{file_name}\"");
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition)
                    .unwrap_or(HeaderValue::from_static("attachment")),
            ),
        ],
        bytes,
    )
        .into_response()
}
