//! The verslag of an overleg: its content as stored (JSON) and as a document for the dossier
//! (print view, PDF, DOCX, laid out like the canvas's dossier).
//!
//! It holds the date, who was present (in the room, remote, guests) and per agenda item the
//! canvas's label (or the topic), the besluit and the actiepunten. Never any other canvas text:
//! nothing here reads a canvas document.

use serde::{Deserialize, Serialize};

use super::dossier::{Block, Dossier, EMPTY, Section};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Minutes {
    pub team: String,
    /// "woensdag 3 maart 2027"-like, and "14:00–15:30".
    pub date: String,
    pub time: String,
    pub place: String,
    pub chair: String,
    pub in_room: Vec<String>,
    pub remote: Vec<String>,
    pub guests: Vec<String>,
    pub items: Vec<MinutesItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinutesItem {
    /// The canvas's label or the topic.
    pub title: String,
    pub decision: String,
    pub actions: Vec<MinutesAction>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinutesAction {
    pub what: String,
    pub who: String,
    pub due: String,
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        EMPTY.to_owned()
    } else {
        names.join(", ")
    }
}

/// The verslag as a document; `fixed` says when and by whom it was fixed, if it was.
pub fn document(minutes: &Minutes, fixed: Option<String>) -> Dossier {
    let mut facts = vec![
        ("Team", minutes.team.clone()),
        ("Datum", minutes.date.clone()),
        ("Tijd", minutes.time.clone()),
        ("Plaats", minutes.place.clone()),
        ("Voorzitter", minutes.chair.clone()),
        ("Aanwezig in de zaal", list(&minutes.in_room)),
        ("Aanwezig op afstand", list(&minutes.remote)),
        ("Gasten", list(&minutes.guests)),
    ];
    facts.push((
        "Status",
        fixed.unwrap_or_else(|| "Concept: nog niet vastgesteld".to_owned()),
    ));
    let sections = minutes
        .items
        .iter()
        .enumerate()
        .map(|(n, item)| {
            let mut blocks = vec![Block::Field {
                label: "Besluit",
                text: if item.decision.is_empty() {
                    EMPTY.to_owned()
                } else {
                    item.decision.clone()
                },
            }];
            if item.actions.is_empty() {
                blocks.push(Block::Note("Geen actiepunten.".to_owned()));
            } else {
                blocks.push(Block::Table {
                    caption: "Actiepunten",
                    header: vec!["Wat", "Wie", "Klaar op"],
                    rows: item
                        .actions
                        .iter()
                        .map(|a| vec![a.what.clone(), a.who.clone(), a.due.clone()])
                        .collect(),
                    amounts: Vec::new(),
                });
            }
            Section {
                heading: format!("{}. {}", n + 1, item.title),
                blocks,
            }
        })
        .collect();
    Dossier {
        title: format!("Verslag doorbraakoverleg {}", minutes.date),
        facts,
        sections,
    }
}
