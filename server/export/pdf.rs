//! The dossier as a PDF (genpdf): A4 with 20 mm margins, "Vertrouwelijk", the title and the
//! page number at the top of every page. DejaVu Sans is embedded (`fonts/`), so ë, € and − print
//! on any machine without a font installed.

use genpdf::{
    Alignment, Document, Element, Margins, SimplePageDecorator,
    elements::{Break, FrameCellDecorator, LinearLayout, Paragraph, StyledElement, TableLayout},
    fonts::{FontCache, FontData, FontFamily},
    style::{Color, Style},
};

use super::dossier::{self, Block, CONFIDENTIAL, Dossier};

const REGULAR: &[u8] = include_bytes!("fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("fonts/DejaVuSans-Bold.ttf");

/// A4 is 210 mm wide; what the margins leave.
const MARGIN_MM: f64 = 20.0;
const TEXT_WIDTH_MM: f64 = 210.0 - 2.0 * MARGIN_MM;
/// Room a table cell's padding and rules take from its column.
const CELL_PADDING_MM: f64 = 2.0;
const BODY_PT: u8 = 10;
/// The running header at 8 pt: how much of the title, and the longest unbroken run.
const RUNNING_TITLE_CHARS: usize = 80;
const RUNNING_WORD_CHARS: usize = 40;

pub fn write(dossier: &Dossier) -> Result<Vec<u8>, String> {
    let font = |bytes: &[u8]| FontData::new(bytes.to_vec(), None).map_err(|e| e.to_string());
    let family = FontFamily {
        regular: font(REGULAR)?,
        bold: font(BOLD)?,
        // DejaVu Sans's oblique cuts are not embedded; nothing in the dossier is italic.
        italic: font(REGULAR)?,
        bold_italic: font(BOLD)?,
    };
    let mut doc = Document::new(family);
    doc.set_title(dossier.title.clone());
    // No ICC profile (650 KB of the file) and no XMP: a dossier copy, not an archival PDF/A.
    doc.set_minimal_conformance();
    doc.set_font_size(BODY_PT);
    doc.set_line_spacing(1.2);
    let mut decorator = SimplePageDecorator::new();
    decorator.set_margins(Margins::all(MARGIN_MM));
    // The title cut to what one header line holds (a label is short, but one long word would
    // make genpdf drop the rest of the line, page number included).
    let title: String = dossier.title.chars().take(RUNNING_TITLE_CHARS).collect();
    let running = format!("{} · {title} · ", CONFIDENTIAL.to_uppercase())
        .split(' ')
        .map(|word| {
            let chars: Vec<char> = word.chars().collect();
            chars
                .chunks(RUNNING_WORD_CHARS)
                .map(|c| c.iter().collect::<String>())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join(" ");
    decorator.set_header(move |page| {
        let mut header = LinearLayout::vertical();
        header.push(
            Paragraph::new(format!("{running}pagina {page}")).styled(
                Style::new()
                    .with_font_size(8)
                    .with_color(Color::Rgb(180, 35, 24)),
            ),
        );
        header.push(Break::new(1.0));
        header
    });
    doc.set_page_decorator(decorator);

    let fit = Fit {
        cache: doc.font_cache(),
    };
    let mut blocks = LinearLayout::vertical();
    blocks.push(fit.paragraph(&dossier.title, heading(16), TEXT_WIDTH_MM));
    blocks.push(fit.pairs(dossier.facts.iter().map(|(k, v)| (*k, v.as_str())))?);
    for section in &dossier.sections {
        blocks.push(Break::new(1.0));
        blocks.push(fit.paragraph(&section.heading, heading(13), TEXT_WIDTH_MM));
        for block in &section.blocks {
            match block {
                Block::Field { label, text } => {
                    blocks.push(fit.paragraph(label, Style::new().bold(), TEXT_WIDTH_MM));
                    for line in dossier::paragraphs(text) {
                        blocks.push(fit.paragraph(line, Style::new(), TEXT_WIDTH_MM));
                    }
                    blocks.push(Break::new(0.5));
                }
                Block::Table {
                    caption,
                    header,
                    rows,
                    amounts,
                } => {
                    blocks.push(fit.paragraph(caption, Style::new().bold(), TEXT_WIDTH_MM));
                    if rows.is_empty() {
                        blocks.push(fit.paragraph("Geen.", Style::new(), TEXT_WIDTH_MM));
                    } else {
                        blocks.push(fit.table(header, rows, amounts)?);
                    }
                    blocks.push(Break::new(0.5));
                }
                Block::Facts(facts) => {
                    blocks.push(fit.pairs(facts.iter().map(|(k, v)| (k.as_str(), v.as_str())))?);
                }
                Block::Note(note) => {
                    blocks.push(fit.paragraph(note, Style::new().with_font_size(8), TEXT_WIDTH_MM));
                }
            }
        }
    }
    doc.push(blocks);
    let mut out = Vec::new();
    doc.render(&mut out).map_err(|e| e.to_string())?;
    Ok(out)
}

fn heading(size: u8) -> Style {
    Style::new().bold().with_font_size(size)
}

/// Paragraphs that fit their column: genpdf drops the rest of a paragraph at a word wider than
/// the line, so such words are cut into pieces that fit first.
struct Fit<'a> {
    cache: &'a FontCache,
}

impl Fit<'_> {
    fn paragraph(&self, text: &str, style: Style, width_mm: f64) -> StyledElement<Paragraph> {
        Paragraph::new(self.breakable(text, style, width_mm)).styled(style)
    }

    /// `text` with every word wider than `width_mm` cut into pieces that are not.
    fn breakable(&self, text: &str, style: Style, width_mm: f64) -> String {
        // A little under the width: the wrapper measures with kerning and rounding of its own.
        let limit = genpdf::Mm::from(width_mm * 0.95);
        let mut out = String::with_capacity(text.len());
        for (i, word) in text.split([' ', '\t']).enumerate() {
            if i > 0 {
                out.push(' ');
            }
            if style.str_width(self.cache, word) <= limit {
                out.push_str(word);
                continue;
            }
            // Summed per character (kerning ignored, hence the margin above): linear in the word.
            let mut width = genpdf::Mm::from(0.0);
            for c in word.chars() {
                let w = style.char_width(self.cache, c);
                if width + w > limit && width > genpdf::Mm::from(0.0) {
                    out.push(' ');
                    width = genpdf::Mm::from(0.0);
                }
                out.push(c);
                width += w;
            }
        }
        out
    }

    fn table(
        &self,
        header: &[&str],
        rows: &[Vec<String>],
        amounts: &[usize],
    ) -> Result<TableLayout, String> {
        // Amounts are short; the other columns share the rest.
        let weights: Vec<usize> = (0..header.len())
            .map(|i| if amounts.contains(&i) { 2 } else { 3 })
            .collect();
        let total: usize = weights.iter().sum();
        let widths: Vec<f64> = weights
            .iter()
            .map(|w| TEXT_WIDTH_MM * *w as f64 / total as f64 - CELL_PADDING_MM)
            .collect();
        let mut table = TableLayout::new(weights);
        table.set_cell_decorator(FrameCellDecorator::new(true, true, true));
        let mut push = |cells: Vec<(&str, Style)>| -> Result<(), String> {
            let row: Vec<Box<dyn Element>> = cells
                .into_iter()
                .enumerate()
                .map(|(i, (text, style))| {
                    let mut p = Paragraph::new(self.breakable(text, style, widths[i]));
                    if amounts.contains(&i) {
                        p.set_alignment(Alignment::Right);
                    }
                    Box::new(p.styled(style).padded(Margins::all(1.0))) as Box<dyn Element>
                })
                .collect();
            table.push_row(row).map_err(|e| e.to_string())
        };
        push(header.iter().map(|h| (*h, Style::new().bold())).collect())?;
        for row in rows {
            // A line break inside a cell reads as a space: a cell holds one paragraph.
            let cells: Vec<String> = row.iter().map(|c| c.replace(['\n', '\t'], " ")).collect();
            push(cells.iter().map(|c| (c.as_str(), Style::new())).collect())?;
        }
        Ok(table)
    }

    /// Label–value rows without rules.
    fn pairs<'a>(
        &self,
        pairs: impl Iterator<Item = (&'a str, &'a str)>,
    ) -> Result<TableLayout, String> {
        let mut table = TableLayout::new(vec![2, 3]);
        let label_width = TEXT_WIDTH_MM * 0.4 - CELL_PADDING_MM;
        let value_width = TEXT_WIDTH_MM * 0.6 - CELL_PADDING_MM;
        for (label, value) in pairs {
            let value = value.replace(['\n', '\t'], " ");
            table
                .row()
                .element(
                    self.paragraph(label, Style::new().bold(), label_width)
                        .padded(Margins::all(0.5)),
                )
                .element(
                    self.paragraph(&value, Style::new(), value_width)
                        .padded(Margins::all(0.5)),
                )
                .push()
                .map_err(|e| e.to_string())?;
        }
        Ok(table)
    }
}
