//! What people take away. Tables: the ledger and the audit log as CSV (for any spreadsheet,
//! Dutch Excel first) and as XLSX; a handler builds the [`Table`] once and the format only writes
//! it. Documents: the whole canvas as a [`dossier::Dossier`], laid out as a PDF or a DOCX (and as
//! a print view by `views::dossier`). An archived canvas also as JSON ([`archive_json`]).

pub mod archive_json;
pub mod csv;
pub mod docx;
pub mod dossier;
pub mod ics;
pub mod minutes;
pub mod pdf;
pub mod xlsx;

/// One cell, by what it holds: each format writes it in its own way (a number stays a number,
/// a date a date).
#[derive(Debug, Clone, Copy)]
pub enum Cell<'a> {
    /// Text as typed; defused where a spreadsheet would run it as a formula.
    Text(&'a str),
    /// A whole number.
    Int(i64),
    /// An amount in cents, shown in euros.
    Euro(i64),
    /// A calendar date given as `jjjj-mm-dd`.
    Date(&'a str),
    /// A moment (Unix milliseconds), in Dutch local time.
    Time(i64),
}

/// A header and its rows.
pub struct Table<'a> {
    pub header: &'a [&'a str],
    pub rows: Vec<Vec<Cell<'a>>>,
}

/// `jjjj-mm-dd` as dd-mm-jjjj; `None` for anything else.
fn dutch_day(iso: &str) -> Option<String> {
    let (year, month, day) = ymd(iso)?;
    Some(format!("{day:02}-{month:02}-{year:04}"))
}

/// (year, month, day) of `jjjj-mm-dd`.
fn ymd(iso: &str) -> Option<(u16, u8, u8)> {
    let mut parts = iso.split('-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if parts.next().is_some() || !digits(year, 4) || !digits(month, 2) || !digits(day, 2) {
        return None;
    }
    Some((year.parse().ok()?, month.parse().ok()?, day.parse().ok()?))
}
