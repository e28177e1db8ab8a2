//! CSV that Dutch Excel opens as it should: UTF-8 with a byte-order mark (without it Excel reads
//! the bytes as Windows-1252), semicolons (Excel's separator where the decimal sign is a comma),
//! CRLF line ends, numbers in Dutch notation so that they arrive as numbers (a negative amount
//! too), dates as dd-mm-jjjj, and text that a spreadsheet would run as a formula defused with a
//! leading apostrophe. The quoting itself is the `csv` crate's.

use super::{Cell, Table};

/// The UTF-8 byte-order mark.
pub const BOM: &str = "\u{feff}";

/// `table` as a CSV document: the byte-order mark, the header row, one line per row.
pub fn write(table: &Table<'_>) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer(BOM.as_bytes().to_vec());
    writer.write_record(table.header)?;
    for row in &table.rows {
        writer.write_record(row.iter().map(|cell| text(*cell)))?;
    }
    writer
        .into_inner()
        .map_err(|error| csv::Error::from(error.into_error()))
}

/// What a CSV cell says.
fn text(cell: Cell<'_>) -> String {
    match cell {
        Cell::Text(text) => defused(text),
        Cell::Int(n) => n.to_string(),
        Cell::Euro(cents) => euros(cents),
        Cell::Date(iso) => super::dutch_day(iso).unwrap_or_else(|| defused(iso)),
        Cell::Time(millis) => crate::format::dutch_time(millis).0,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn document(rows: &[&[Cell<'_>]]) -> String {
        let table = Table {
            header: &["a", "b", "c"],
            rows: rows.iter().map(|row| row.to_vec()).collect(),
        };
        String::from_utf8(write(&table).expect("written")).expect("utf-8")
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
        assert_eq!(text(Cell::Date("2026-01-02")), "02-01-2026");
        assert_eq!(text(Cell::Date("=1+1")), "'=1+1");
    }
}
