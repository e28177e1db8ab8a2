//! The dossier as a Word document (docx-rs): A4 with 2 cm margins, "Vertrouwelijk" in the
//! header of every page and "Pagina n van m" in the footer, the sections as headings that Word's
//! navigation pane lists.

use std::io::Cursor;

use docx_rs::{
    AlignmentType, Docx, Footer, Header, NumPages, PageMargin, PageNum, Paragraph, Run, Style,
    StyleType, Table, TableCell, TableRow,
};

use super::dossier::{self, Block, CONFIDENTIAL, Dossier};

/// Word measures pages in twentieths of a point: A4 is 11906 × 16838, 2 cm is 1134.
const A4: (u32, u32) = (11_906, 16_838);
const MARGIN: i32 = 1_134;
/// Half-points.
const BODY_SIZE: usize = 21;

pub fn write(dossier: &Dossier) -> Result<Vec<u8>, String> {
    let mut docx = Docx::new()
        .page_size(A4.0, A4.1)
        .page_margin(
            PageMargin::new()
                .top(MARGIN)
                .bottom(MARGIN)
                .left(MARGIN)
                .right(MARGIN)
                .header(567)
                .footer(567),
        )
        .add_style(heading("Heading1", "heading 1", 32))
        .add_style(heading("Heading2", "heading 2", 26))
        .add_style(heading("Heading3", "heading 3", BODY_SIZE))
        .header(
            Header::new().add_paragraph(
                Paragraph::new().add_run(
                    Run::new()
                        .add_text(CONFIDENTIAL.to_uppercase())
                        .bold()
                        .color("B42318")
                        .size(18),
                ),
            ),
        )
        .footer(
            Footer::new().add_paragraph(
                Paragraph::new()
                    .align(AlignmentType::Right)
                    .add_run(Run::new().add_text("Pagina ").size(18))
                    .add_page_num(PageNum::new())
                    .add_run(Run::new().add_text(" van ").size(18))
                    .add_num_pages(NumPages::new()),
            ),
        )
        .add_paragraph(
            Paragraph::new()
                .style("Heading1")
                .add_run(Run::new().add_text(&dossier.title)),
        );
    docx = docx.add_table(pairs(dossier.facts.iter().map(|(k, v)| (*k, v.as_str()))));
    for section in &dossier.sections {
        docx = docx.add_paragraph(
            Paragraph::new()
                .style("Heading2")
                .keep_next(true)
                .add_run(Run::new().add_text(&section.heading)),
        );
        for block in &section.blocks {
            docx = match block {
                Block::Field { label, text } => {
                    let mut docx = docx.add_paragraph(
                        Paragraph::new()
                            .style("Heading3")
                            .keep_next(true)
                            .add_run(Run::new().add_text(*label)),
                    );
                    for line in dossier::paragraphs(text) {
                        docx = docx.add_paragraph(body(line));
                    }
                    docx
                }
                Block::Table {
                    caption,
                    header,
                    rows,
                    amounts,
                } => {
                    let docx = docx.add_paragraph(
                        Paragraph::new()
                            .style("Heading3")
                            .keep_next(true)
                            .add_run(Run::new().add_text(*caption)),
                    );
                    if rows.is_empty() {
                        docx.add_paragraph(body("Geen."))
                    } else {
                        docx.add_table(table(header, rows, amounts))
                    }
                }
                Block::Facts(facts) => {
                    docx.add_table(pairs(facts.iter().map(|(k, v)| (k.as_str(), v.as_str()))))
                }
                Block::Note(note) => docx.add_paragraph(
                    Paragraph::new().add_run(Run::new().add_text(note).italic().size(18)),
                ),
            };
        }
    }
    let mut out = Cursor::new(Vec::new());
    docx.build().pack(&mut out).map_err(|e| e.to_string())?;
    Ok(out.into_inner())
}

fn heading(id: &str, name: &str, size: usize) -> Style {
    Style::new(id, StyleType::Paragraph)
        .name(name)
        .size(size)
        .bold()
}

fn body(text: &str) -> Paragraph {
    Paragraph::new().add_run(Run::new().add_text(text).size(BODY_SIZE))
}

fn cell(text: &str, bold: bool, right: bool) -> TableCell {
    let mut run = Run::new().add_text(text).size(BODY_SIZE);
    if bold {
        run = run.bold();
    }
    let mut paragraph = Paragraph::new().add_run(run);
    if right {
        paragraph = paragraph.align(AlignmentType::Right);
    }
    TableCell::new().add_paragraph(paragraph)
}

fn table(header: &[&str], rows: &[Vec<String>], amounts: &[usize]) -> Table {
    let head = TableRow::new(
        header
            .iter()
            .enumerate()
            .map(|(i, h)| cell(h, true, amounts.contains(&i)))
            .collect(),
    );
    let body = rows.iter().map(|row| {
        TableRow::new(
            row.iter()
                .enumerate()
                .map(|(i, text)| cell(text, false, amounts.contains(&i)))
                .collect(),
        )
    });
    Table::new(std::iter::once(head).chain(body).collect())
}

/// Label–value rows, the label bold.
fn pairs<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> Table {
    Table::new(
        pairs
            .map(|(label, value)| {
                TableRow::new(vec![cell(label, true, false), cell(value, false, false)])
            })
            .collect(),
    )
    .clear_all_border()
}
