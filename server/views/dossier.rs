//! The whole canvas as a page to print (A4, page numbers and "Vertrouwelijk" in the page
//! margins, see `app.css`), with the PDF and DOCX of the same dossier one click away.

use maud::{Markup, html};

use crate::export::dossier::{self, Block, CONFIDENTIAL, Dossier};

/// The document as a page; its PDF and DOCX are at `base` with `.pdf` and `.docx`, and `back`
/// (a path and its words) leads back to where it came from.
pub fn page(dossier: &Dossier, base: &str, back: (&str, &str)) -> Markup {
    html! {
        main.dossier #inhoud {
            header {
                p.confidential { (CONFIDENTIAL) }
                h1 { (dossier.title) }
                (facts(dossier.facts.iter().map(|(k, v)| (*k, v.as_str()))))
                p.no-print.row {
                    button type="button" data-print { "Afdrukken" }
                    a.button href={ (base) ".pdf" } download { "PDF downloaden" }
                    a.button href={ (base) ".docx" } download { "Word-bestand (DOCX) downloaden" }
                    a href=(back.0) { (back.1) }
                }
            }
            @for section in &dossier.sections {
                section {
                    h2 { (section.heading) }
                    @for block in &section.blocks { (self::block(block)) }
                }
            }
        }
    }
}

fn block(block: &Block) -> Markup {
    match block {
        Block::Field { label, text } => html! {
            h3 { (label) }
            @for line in dossier::paragraphs(text) { p lang="nl" { (line) } }
        },
        Block::Table {
            caption,
            header,
            rows,
            amounts,
        } => html! {
            @if rows.is_empty() {
                h3 { (caption) }
                p { "Geen." }
            } @else {
                table.dossier-table {
                    caption { (caption) }
                    thead { tr { @for (i, h) in header.iter().enumerate() {
                        th scope="col" class=[amounts.contains(&i).then_some("amount")] { (h) }
                    } } }
                    tbody { @for row in rows { tr { @for (i, cell) in row.iter().enumerate() {
                        td class=[amounts.contains(&i).then_some("amount")] { (cell) }
                    } } } }
                }
            }
        },
        Block::Facts(pairs) => facts(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
        Block::Note(note) => html! { p.hint { (note) } },
    }
}

fn facts<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> Markup {
    html! {
        dl.summary-facts { @for (label, value) in pairs { dt { (label) } dd { (value) } } }
    }
}
