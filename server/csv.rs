//! CSV that Dutch Excel opens as it should: UTF-8 with a byte-order mark (without it Excel reads
//! the bytes as Windows-1252), semicolons (Excel's separator where the decimal sign is a comma),
//! CRLF line ends, numbers in Dutch notation so that they arrive as numbers (a negative amount
//! too), dates as dd-mm-jjjj, and text that a spreadsheet would run as a formula defused with a
//! leading apostrophe. The quoting itself is the `csv` crate's.

use crate::format;

/// The UTF-8 byte-order mark.
pub const BOM: &str = "\u{feff}";

/// One cell, by what it holds.
#[derive(Debug, Clone, Copy)]
pub enum Cell<'a> {
    /// Text as typed; defused when it could start a formula.
    Text(&'a str),
    /// A whole number.
    Int(i64),
    /// An amount in cents, written in euros with a decimal comma ("-1250,50").
    Euro(i64),
    /// A calendar date given as `jjjj-mm-dd`, written as dd-mm-jjjj.
    Date(&'a str),
    /// A moment (Unix milliseconds), written as Dutch local time ("23-11-2026 17:05").
    Time(i64),
}

impl Cell<'_> {
    fn text(self) -> String {
        match self {
            Cell::Text(text) => defused(text),
            Cell::Int(n) => n.to_string(),
            Cell::Euro(cents) => euros(cents),
            Cell::Date(iso) => dutch_day(iso).unwrap_or_else(|| defused(iso)),
            Cell::Time(millis) => format::dutch_time(millis).0,
        }
    }
}

/// A CSV document being written into memory.
pub struct Csv {
    writer: csv::Writer<Vec<u8>>,
}

impl Csv {
    /// A document with the byte-order mark and the `header` row.
    pub fn new(header: &[&str]) -> Result<Self, csv::Error> {
        let mut writer = csv::WriterBuilder::new()
            .delimiter(b';')
            .terminator(csv::Terminator::CRLF)
            .from_writer(BOM.as_bytes().to_vec());
        writer.write_record(header)?;
        Ok(Self { writer })
    }

    pub fn row(&mut self, cells: &[Cell<'_>]) -> Result<(), csv::Error> {
        self.writer
            .write_record(cells.iter().map(|cell| cell.text()))
    }

    /// The document's bytes.
    pub fn finish(self) -> Result<Vec<u8>, csv::Error> {
        self.writer
            .into_inner()
            .map_err(|error| csv::Error::from(error.into_error()))
    }
}

/// Text that a spreadsheet would run as a formula, prefixed with an apostrophe.
fn defused(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// Cents as euros with a decimal comma and no thousands separator: what Dutch Excel reads as a
/// number.
fn euros(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{},{:02}", abs / 100, abs % 100)
}

/// `jjjj-mm-dd` as dd-mm-jjjj; `None` for anything else.
fn dutch_day(iso: &str) -> Option<String> {
    let mut parts = iso.split('-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    (parts.next().is_none() && digits(year, 4) && digits(month, 2) && digits(day, 2))
        .then(|| format!("{day}-{month}-{year}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(rows: &[&[Cell<'_>]]) -> String {
        let mut csv = Csv::new(&["a", "b", "c"]).expect("header");
        for row in rows {
            csv.row(row).expect("row");
        }
        String::from_utf8(csv.finish().expect("finish")).expect("utf-8")
    }

    #[test]
    fn dutch_excel_gets_a_bom_semicolons_numbers_and_defused_text() {
        let text = document(&[&[
            Cell::Euro(-9_900),
            Cell::Text("=SOM(A1;A2)"),
            Cell::Date("2026-11-23"),
        ]]);
        assert!(text.starts_with("\u{feff}a;b;c\r\n"), "{text:?}");
        // Read back with a real CSV parser, as a spreadsheet would.
        let body = text.trim_start_matches(BOM);
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(b';')
            .from_reader(body.as_bytes());
        let row = reader.records().next().expect("a row").expect("parses");
        assert_eq!(&row[0], "-99,00", "a negative amount stays a number");
        assert_eq!(
            &row[1], "'=SOM(A1;A2)",
            "a formula is defused, the semicolon quoted"
        );
        assert_eq!(&row[2], "23-11-2026");
    }

    #[test]
    fn amounts_and_dates_in_dutch_notation() {
        assert_eq!(euros(125_050), "1250,50");
        assert_eq!(euros(5), "0,05");
        assert_eq!(euros(0), "0,00");
        assert_eq!(euros(-1), "-0,01");
        assert_eq!(dutch_day("2026-01-02").as_deref(), Some("02-01-2026"));
        assert_eq!(dutch_day("2 januari"), None);
        assert_eq!(Cell::Date("=1+1").text(), "'=1+1");
    }
}
