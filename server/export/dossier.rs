//! The whole canvas as a document for the dossier: what the print view, the PDF and the DOCX
//! show, built once from the canvas so that the three never disagree. Each format only lays it
//! out (`views::dossier`, `export::pdf`, `export::docx`).

use crate::{
    canvas::{
        rendement,
        schema::{self, CanvasContent},
        status::CanvasStatus,
    },
    format::{dutch_time, euro},
    store::workflow::EscalationRow,
    workflow::{ladder::level_dutch, learning::Learning},
};

/// The mark on every page.
pub const CONFIDENTIAL: &str = "Vertrouwelijk";

/// The document: a title, facts about where the canvas stands, then its sections.
#[derive(Debug)]
pub struct Dossier {
    pub title: String,
    pub facts: Vec<(&'static str, String)>,
    pub sections: Vec<Section>,
}

#[derive(Debug)]
pub struct Section {
    pub heading: String,
    pub blocks: Vec<Block>,
}

#[derive(Debug)]
pub enum Block {
    /// A labelled text as the team wrote it; empty text reads as a dash.
    Field { label: &'static str, text: String },
    /// A table; the columns in `amounts` hold money (right-aligned).
    Table {
        caption: &'static str,
        header: Vec<&'static str>,
        rows: Vec<Vec<String>>,
        amounts: Vec<usize>,
    },
    /// Label–value pairs (the rendement totals).
    Facts(Vec<(String, String)>),
    /// A remark in smaller type.
    Note(String),
}

impl Dossier {
    /// How many characters of text the document holds: what laying it out costs.
    pub fn text_chars(&self) -> usize {
        let count = |s: &str| s.chars().count();
        let blocks = self
            .sections
            .iter()
            .flat_map(|s| &s.blocks)
            .map(|block| match block {
                Block::Field { text, .. } => count(text),
                Block::Table { rows, .. } => rows.iter().flatten().map(|c| count(c)).sum(),
                Block::Facts(pairs) => pairs.iter().map(|(k, v)| count(k) + count(v)).sum(),
                Block::Note(note) => count(note),
            });
        count(&self.title) + blocks.sum::<usize>()
    }

    /// Every text the team wrote (fields, table cells, facts' values) passed through `f`: how an
    /// export of the archive takes out what the anonymity rule finds.
    pub fn map_texts(&mut self, f: impl Fn(&str) -> String) {
        for block in self.sections.iter_mut().flat_map(|s| &mut s.blocks) {
            match block {
                Block::Field { text, .. } => *text = f(text),
                Block::Table { rows, .. } => rows.iter_mut().flatten().for_each(|c| *c = f(c)),
                Block::Facts(pairs) => pairs.iter_mut().for_each(|(_, v)| *v = f(v)),
                Block::Note(note) => *note = f(note),
            }
        }
    }
}

/// Where the canvas stands, from outside its document.
pub struct Context<'a> {
    pub team: &'a str,
    pub gemeente: &'a str,
    pub status: CanvasStatus,
    pub escalations: &'a [EscalationRow],
    /// Unix milliseconds.
    pub printed_at: i64,
    /// For an archived canvas: the learning material's own facts. Its document names no
    /// professional either (who escalated is left out).
    pub archive: Option<Archive<'a>>,
}

/// What the document of an archived canvas adds.
pub struct Archive<'a> {
    pub learning: Option<&'a Learning>,
    /// Who may read it, in Dutch.
    pub scope: &'a str,
    /// Unix milliseconds.
    pub archived_at: i64,
}

/// What to write where nothing was written.
pub const EMPTY: &str = "—";

pub fn build(content: &CanvasContent, context: &Context) -> Dossier {
    let steps = &content.steps;
    let triangle = &steps.value_triangle;
    let totals = rendement::totals(content);
    let field = |label, text: &str| Block::Field {
        label,
        text: clean(text),
    };
    let names = |codes: &[&str], catalogue: &[(&str, &str)]| {
        let names: Vec<&str> = catalogue
            .iter()
            .filter(|(code, _)| codes.contains(code))
            .map(|(_, name)| *name)
            .collect();
        if names.is_empty() {
            EMPTY.to_owned()
        } else {
            names.join(", ")
        }
    };
    let rendement_facts = vec![
        ("Horizon".to_owned(), years(totals.horizon_years)),
        (
            "Doormodderen (huidige kosten en gevolgschade)".to_owned(),
            euro(totals.doormodderen),
        ),
        (
            "Doorbreken (de maatwerkoplossing)".to_owned(),
            euro(totals.doorbreken),
        ),
        (
            "Netto resultaat (doormodderen − doorbreken)".to_owned(),
            rendement::net_dutch(totals.net),
        ),
        ("Terugverdientijd".to_owned(), totals.payback.dutch()),
    ];
    let mut value_triangle = vec![
        field(
            "Betrokkenheid: versterkt de oplossing de regie van het huishouden?",
            &triangle.involvement,
        ),
        field(
            "Legitimiteit: welke regels, welke ruimte?",
            &triangle.legitimacy.text,
        ),
        Block::Table {
            caption: "Regelingen",
            header: vec!["Wet of regeling", "Artikel", "Ruimte"],
            rows: triangle
                .legitimacy
                .regulations
                .iter()
                .map(|r| vec![clean(&r.law), clean(&r.article), clean(&r.room)])
                .collect(),
            amounts: vec![],
        },
        Block::Table {
            caption: "Rendement",
            header: vec![
                "Soort",
                "Omschrijving",
                "Bedrag",
                "Frequentie",
                "Wie betaalt",
            ],
            rows: triangle
                .return_lines
                .iter()
                .map(|line| {
                    vec![
                        line.kind.map_or(EMPTY, |k| k.dutch()).to_owned(),
                        clean(&line.description),
                        line.amount_cents.map_or(EMPTY.to_owned(), euro),
                        line.recurrence.map_or(EMPTY, |r| r.dutch()).to_owned(),
                        clean(&line.payer),
                    ]
                })
                .collect(),
            amounts: vec![2],
        },
        Block::Facts(rendement_facts),
    ];
    if totals.incomplete > 0 {
        value_triangle.push(Block::Note(rendement::incomplete_dutch(totals.incomplete)));
    }
    let mut dossier = Dossier {
        title: format!("Maatwerkcanvas: {}", clean(&content.label)),
        facts: vec![
            ("Team", clean(context.team)),
            ("Gemeente", clean(context.gemeente)),
            ("Status", context.status.dutch().to_owned()),
            ("Afgedrukt", dutch_time(context.printed_at).0),
        ],
        sections: vec![
            Section {
                heading: "Leefgebieden en beleidsdomeinen".into(),
                blocks: vec![Block::Facts(vec![
                    (
                        "Leefgebieden".to_owned(),
                        names(&content.life_areas, &schema::LIFE_AREAS),
                    ),
                    (
                        "Beleidsdomeinen".to_owned(),
                        names(&content.policy_domains, &schema::POLICY_DOMAINS),
                    ),
                ])],
            },
            Section {
                heading: "1. Situatieschets".into(),
                blocks: vec![field(
                    "Wat is de situatie van het huishouden?",
                    &steps.situation,
                )],
            },
            Section {
                heading: "2. Toekomstperspectief".into(),
                blocks: vec![field(
                    "Waar wil het huishouden zelf naartoe?",
                    &steps.future,
                )],
            },
            Section {
                heading: "3. Overzicht".into(),
                blocks: vec![
                    field(
                        "Wat is er nodig om daar te komen, en wat is al geprobeerd?",
                        &steps.overview.text,
                    ),
                    Block::Table {
                        caption: "Betrokken instanties",
                        header: vec!["Instantie", "Kosten per jaar"],
                        rows: steps
                            .overview
                            .agencies
                            .iter()
                            .map(|a| {
                                vec![
                                    clean(&a.name),
                                    a.cost_per_year_cents.map_or(EMPTY.to_owned(), euro),
                                ]
                            })
                            .collect(),
                        amounts: vec![1],
                    },
                ],
            },
            Section {
                heading: "4. Doorbraak".into(),
                blocks: vec![
                    field("Wat moet er doorbroken worden?", &steps.breakthrough.text),
                    field(
                        "Vraag aan het team over het systeemprobleem",
                        &steps.breakthrough.system_problem,
                    ),
                ],
            },
            Section {
                heading: "5. Onderbouwing met de waardendriehoek".into(),
                blocks: value_triangle,
            },
            Section {
                heading: "6. Actieplan".into(),
                blocks: vec![Block::Table {
                    caption: "Acties",
                    header: vec!["Wat", "Wie", "Wanneer", "Status"],
                    rows: steps
                        .action_plan
                        .iter()
                        .map(|a| {
                            vec![
                                clean(&a.what),
                                clean(&a.who),
                                super::dutch_day(&a.due).unwrap_or_else(|| clean(&a.due)),
                                a.status.map_or(EMPTY, |s| s.dutch()).to_owned(),
                            ]
                        })
                        .collect(),
                    amounts: vec![],
                }],
            },
            escalations(context),
        ],
    };
    if let Some(archive) = &context.archive {
        dossier.title = format!("Gearchiveerd maatwerkcanvas: {}", clean(&content.label));
        dossier
            .facts
            .insert(3, ("Gearchiveerd op", dutch_time(archive.archived_at).0));
        dossier
            .facts
            .insert(4, ("Leesbaar voor", archive.scope.to_owned()));
        dossier.sections.push(learning_section(archive.learning));
    }
    dossier
}

/// The escalations as a table; in an archive's document without who escalated.
fn escalations(context: &Context) -> Section {
    let named = context.archive.is_none();
    let mut header = vec!["Naar", "Wanneer", "Door", "Vraag", "Antwoord"];
    if !named {
        header.remove(2);
    }
    let rows = context
        .escalations
        .iter()
        .map(|e| {
            let mut row = vec![
                level_dutch(e.to_level).to_owned(),
                dutch_time(e.escalated_at).0,
                clean(&e.escalated_by),
                clean(&e.question),
                e.answer
                    .as_deref()
                    .map_or_else(|| "Nog niet beantwoord".to_owned(), clean),
            ];
            if !named {
                row.remove(2);
            }
            row
        })
        .collect();
    Section {
        heading: "Opschalingen".into(),
        blocks: vec![Block::Table {
            caption: "Opschalingen",
            header,
            rows,
            amounts: vec![],
        }],
    }
}

/// The leeropbrengst, as the canvas was closed with it.
fn learning_section(learning: Option<&Learning>) -> Section {
    let Some(l) = learning else {
        return Section {
            heading: "Leeropbrengst".into(),
            blocks: vec![Block::Note(
                "Dit canvas is zonder leeropbrengst gesloten.".into(),
            )],
        };
    };
    let join = |names: Vec<String>| {
        if names.is_empty() {
            EMPTY.to_owned()
        } else {
            names.join(", ")
        }
    };
    let mut bottleneck = l.bottleneck.dutch().to_owned();
    if let Some(r) = l.regulation.as_deref().and_then(|id| {
        crate::canvas::regulations::catalogue()
            .iter()
            .find(|r| r.id == id)
    }) {
        bottleneck.push_str(&format!(": {} {}", r.law, r.article));
    }
    Section {
        heading: "Leeropbrengst".into(),
        blocks: vec![
            Block::Facts(vec![
                ("Soort systeemknelpunt".to_owned(), bottleneck),
                ("Leerorde".to_owned(), format!("{}e orde", l.order)),
                (
                    "Signaal voor".to_owned(),
                    join(l.signal_names().into_iter().map(str::to_owned).collect()),
                ),
                (
                    "Doorbraakbudget".to_owned(),
                    if l.budget_used {
                        "gebruikt"
                    } else {
                        "niet gebruikt"
                    }
                    .to_owned(),
                ),
                ("Labels".to_owned(), join(l.tag_names())),
            ]),
            Block::Field {
                label: "Het systeemknelpunt",
                text: clean(&l.bottleneck_text),
            },
            Block::Field {
                label: "Toelichting bij de leerorde",
                text: clean(&l.order_note),
            },
            Block::Field {
                label: "Waarom werkte de reguliere weg niet?",
                text: clean(&l.budget_why),
            },
            Block::Field {
                label: "Het effect voor het huishouden",
                text: clean(&l.effect),
            },
        ],
    }
}

fn years(n: i64) -> String {
    if n == 1 {
        "1 jaar".into()
    } else {
        format!("{n} jaar")
    }
}

/// Text as a document can hold it: control characters (which XML cannot carry and a PDF would
/// draw as boxes) become spaces, except line breaks and tabs.
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// The text's paragraphs: one per line, empty lines dropped; a dash for no text at all.
pub fn paragraphs(text: &str) -> Vec<&str> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect();
    if lines.is_empty() { vec![EMPTY] } else { lines }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_spaces_and_line_breaks_stay() {
        assert_eq!(clean("a\u{0}b\u{1b}c\nd\te"), "a b c\nd\te");
    }

    #[test]
    fn paragraphs_are_the_written_lines() {
        assert_eq!(paragraphs("een\n\n  \ntwee  \n"), vec!["een", "twee"]);
        assert_eq!(paragraphs("  \n"), vec![EMPTY]);
    }
}
