//! XLSX with the `rust_xlsxwriter` crate: one sheet, a bold header that stays in view, amounts
//! as numbers in euro format, dates and times as real dates, text as text (a string cell is
//! never run as a formula, so nothing needs defusing).

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};

use super::{Cell, Table, ymd};
use crate::format;

/// `table` as a workbook with one sheet called `sheet`.
pub fn write(table: &Table<'_>, sheet: &str) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let worksheet = workbook.add_worksheet();
    worksheet.set_name(sheet)?;
    let bold = Format::new().set_bold();
    let euro = Format::new().set_num_format("€ #,##0.00;-€ #,##0.00");
    let date = Format::new().set_num_format("dd-mm-yyyy");
    let time = Format::new().set_num_format("dd-mm-yyyy hh:mm");
    for (col, name) in (0u16..).zip(table.header) {
        worksheet.write_string_with_format(0, col, *name, &bold)?;
    }
    for (row, cells) in (1u32..).zip(&table.rows) {
        for (col, cell) in (0u16..).zip(cells) {
            match *cell {
                Cell::Text(text) => worksheet.write_string(row, col, text)?,
                Cell::Int(n) => worksheet.write_number(row, col, n as f64)?,
                Cell::Euro(cents) => {
                    worksheet.write_number_with_format(row, col, cents as f64 / 100.0, &euro)?
                }
                Cell::Date(iso) => match ymd(iso) {
                    Some((y, m, d)) => {
                        let day = ExcelDateTime::from_ymd(y, m, d)?;
                        worksheet.write_datetime_with_format(row, col, &day, &date)?
                    }
                    None => worksheet.write_string(row, col, iso)?,
                },
                Cell::Time(millis) => {
                    let (y, m, d, hour, minute) = format::dutch_parts(millis);
                    let year = u16::try_from(y).unwrap_or(1900);
                    let moment = ExcelDateTime::from_ymd(year, m as u8, d as u8)?.and_hms(
                        hour as u16,
                        minute as u8,
                        0,
                    )?;
                    worksheet.write_datetime_with_format(row, col, &moment, &time)?
                }
            };
        }
    }
    worksheet.set_freeze_panes(1, 0)?;
    worksheet.autofit();
    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use calamine::{Data, Reader, Xlsx};

    use super::*;

    #[test]
    fn a_real_reader_finds_numbers_dates_and_text() {
        let table = Table {
            header: &["bedrag", "datum", "tekst"],
            rows: vec![vec![
                Cell::Euro(-9_900),
                Cell::Date("2026-11-23"),
                Cell::Text("=SOM(A1)"),
            ]],
        };
        let bytes = write(&table, "Grootboek").expect("written");
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("an xlsx");
        let sheet = book.worksheet_range("Grootboek").expect("the sheet");
        assert_eq!(sheet.get((0, 0)), Some(&Data::String("bedrag".into())));
        assert_eq!(
            sheet.get((1, 0)),
            Some(&Data::Float(-99.0)),
            "a negative amount is a number"
        );
        match sheet.get((1, 1)) {
            // Days since 1899-12-30: 2026-11-23.
            Some(Data::DateTime(day)) => assert_eq!(day.as_f64(), 46_349.0),
            other => panic!("a date cell, not {other:?}"),
        }
        assert_eq!(
            sheet.get((1, 2)),
            Some(&Data::String("=SOM(A1)".into())),
            "text stays text"
        );
    }
}
