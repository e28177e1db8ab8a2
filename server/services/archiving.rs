//! Archiving a canvas as learning material (issue 13): the full anonymity check over everything
//! the archive keeps, which blocks archiving until each finding is taken out of the canvas or
//! overridden with a reason (every override in the audit log), and data minimisation: what the
//! learning purpose does not need goes in the same transaction as the status change.
//!
//! Kept: the canvas's final content (its update log folded into one snapshot), its label and
//! status history, the leeropbrengst, the escalations with their questions, answers and frozen
//! copies, the ledger, the overleggen's besluiten and actiepunten. Removed: the comments, the
//! versions made by hand or after an overleg (an escalation's version stays: it is the
//! escalation's own frozen copy), and the history of edits in the log.

use std::collections::{HashMap, HashSet};

use sha2::{Digest, Sha256};

use super::ServiceError;
use crate::{
    anonymity::{self, Kind},
    canvas::schema::CanvasContent,
    state::AppState,
    store::meeting_records::ActionScope,
};

/// One piece of personal data the archive would keep: where (in Dutch), what kind, the words
/// themselves (shown only to who may archive, on the canvas page), and a key that names it in
/// the override form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveFinding {
    pub place: String,
    pub kind: Kind,
    pub text: String,
    pub key: String,
}

/// The texts of the canvas itself, each with where it is (in Dutch): its steps, agencies,
/// regulations, rendement lines and actions.
pub fn canvas_texts(content: &CanvasContent) -> Vec<(String, String)> {
    let s = &content.steps;
    let mut out: Vec<(String, String)> = vec![
        ("Stap 1: situatieschets".into(), s.situation.clone()),
        ("Stap 2: toekomstperspectief".into(), s.future.clone()),
        ("Stap 3: overzicht".into(), s.overview.text.clone()),
        ("Stap 4: doorbraak".into(), s.breakthrough.text.clone()),
        (
            "Stap 4: vraag over het systeemprobleem".into(),
            s.breakthrough.system_problem.clone(),
        ),
        (
            "Stap 5: betrokkenheid".into(),
            s.value_triangle.involvement.clone(),
        ),
        (
            "Stap 5: legitimiteit".into(),
            s.value_triangle.legitimacy.text.clone(),
        ),
    ];
    for a in &s.overview.agencies {
        out.push(("Stap 3: betrokken instantie".into(), a.name.clone()));
    }
    for r in &s.value_triangle.legitimacy.regulations {
        out.push((
            "Stap 5: regeling".into(),
            format!("{} {} {}", r.law, r.article, r.room),
        ));
    }
    for l in &s.value_triangle.return_lines {
        out.push((
            "Stap 5: rendement".into(),
            format!("{} {}", l.description, l.payer),
        ));
    }
    for a in &s.action_plan {
        out.push(("Stap 6: actieplan".into(), format!("{} {}", a.what, a.who)));
    }
    out
}

/// The texts the archive keeps, each with where it is: the canvas, its escalations' questions and
/// answers, the ledger's purposes and reasons, the timeline's notes, the leeropbrengst, and the
/// besluiten and actiepunten of overleggen.
async fn kept_texts(
    state: &AppState,
    canvas: &crate::canvas::CanvasId,
    content: &CanvasContent,
) -> Result<Vec<(String, String)>, ServiceError> {
    let mut out = canvas_texts(content);
    for e in state.workflow.escalations(canvas).await? {
        out.push(("Opschaling: vraag".into(), e.question.clone()));
        if let Some(answer) = &e.answer {
            out.push(("Opschaling: antwoord".into(), answer.clone()));
        }
    }
    for entry in state.workflow.canvas_ledger(canvas).await? {
        out.push((
            "Doorbraakbudget".into(),
            format!("{}\n{}", entry.purpose, entry.why_not_regular),
        ));
    }
    for change in state.workflow.status_history(canvas).await? {
        if !change.note.is_empty() {
            out.push(("Tijdlijn: toelichting".into(), change.note.clone()));
        }
    }
    if let Some(l) = state.workflow.learning(canvas).await? {
        for text in [&l.bottleneck_text, &l.order_note, &l.budget_why, &l.effect] {
            out.push(("Leeropbrengst".into(), text.clone()));
        }
    }
    for decision in state.database.decisions_on(canvas).await? {
        out.push(("Overleg: besluit".into(), decision));
    }
    for action in state
        .database
        .actions(ActionScope::OfCanvas(canvas.clone()))
        .await?
    {
        out.push(("Overleg: actiepunt".into(), action.what.clone()));
    }
    Ok(out)
}

fn key(place: &str, kind: Kind, text: &str) -> String {
    let digest = Sha256::digest(format!("{place}\u{0}{kind:?}\u{0}{text}").as_bytes());
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// How an overridden finding is remembered: a digest of its kind and words, wherever they are
/// (the words stay in the canvas only).
pub fn override_digest(kind: Kind, found: &str) -> String {
    let digest = Sha256::digest(format!("{}\u{0}{found}", kind.code()).as_bytes());
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// What an export of the archived `canvas` may hold of what the anonymity rule finds: exactly
/// the findings overridden when it was archived. `clean` takes out everything else.
pub struct Overrides {
    digests: HashSet<String>,
    label: String,
}

impl Overrides {
    pub async fn of(
        state: &AppState,
        canvas: &crate::canvas::CanvasId,
        label: &str,
    ) -> Result<Self, ServiceError> {
        Ok(Overrides {
            digests: state
                .workflow
                .overrides(canvas)
                .await?
                .into_iter()
                .collect(),
            label: label.to_owned(),
        })
    }

    /// `text` with every finding that was not overridden replaced by "[verwijderd]".
    pub fn clean(&self, text: &str) -> String {
        anonymity::redact(text, &self.label, |kind, found| {
            self.digests.contains(&override_digest(kind, found))
        })
    }
}

/// Everything personal the archive of `canvas` would keep, in the order of the canvas.
pub async fn findings(
    state: &AppState,
    canvas: &crate::canvas::CanvasId,
) -> Result<Vec<ArchiveFinding>, ServiceError> {
    let content = state.sync.content(canvas).await?;
    let label = content.label.clone();
    let mut out = Vec::new();
    for (place, text) in kept_texts(state, canvas, &content).await? {
        let chars: Vec<char> = text.chars().collect();
        for f in anonymity::scan(&text, &label) {
            let found: String = chars[f.start..f.end].iter().collect();
            let key = key(&place, f.kind, &found);
            if !out.iter().any(|o: &ArchiveFinding| o.key == key) {
                out.push(ArchiveFinding {
                    place: place.clone(),
                    kind: f.kind,
                    text: found,
                    key,
                });
            }
        }
    }
    Ok(out)
}

/// Folds the archived canvas's update log into one snapshot: the archive keeps the final content,
/// not how it came about. The log is read before the room's snapshot is taken, so the snapshot
/// covers every logged update it replaces (a later one stays in the log, and applying it again
/// changes nothing). A failure leaves the log, which holds the same content.
pub async fn fold_log(
    state: &AppState,
    canvas: &crate::canvas::CanvasId,
) -> Result<(), ServiceError> {
    let Some(stored) = state.canvases.load_canvas(canvas).await? else {
        return Ok(());
    };
    let Some(upto) = stored.updates.last().map(|(seq, _)| *seq) else {
        return Ok(());
    };
    let snapshot = state.sync.snapshot(canvas).await?;
    state.canvases.compact(canvas, &snapshot, upto).await?;
    Ok(())
}

/// The overrides a form gives: `reden_{key}` with the reason, per finding.
pub fn overrides(form: &HashMap<String, String>) -> HashMap<String, String> {
    form.iter()
        .filter_map(|(k, v)| {
            let key = k.strip_prefix("reden_")?;
            let reason = v.trim();
            (!reason.is_empty()).then(|| (key.to_owned(), reason.chars().take(300).collect()))
        })
        .collect()
}

/// Why archiving is refused with these overrides, if it is: a finding without a reason.
pub fn unresolved(
    findings: &[ArchiveFinding],
    overrides: &HashMap<String, String>,
) -> Option<String> {
    let open = findings
        .iter()
        .filter(|f| !overrides.contains_key(&f.key))
        .count();
    (open > 0).then(|| {
        format!(
            "Archiveren kan pas als het canvas anoniem is: {open} {} nog geen reden. Haal ze uit het \
             canvas of geef bij elk aan waarom het geen persoonsgegeven is.",
            if open == 1 {
                "mogelijk persoonsgegeven heeft"
            } else {
                "mogelijke persoonsgegevens hebben"
            }
        )
    })
}
