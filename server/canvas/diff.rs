//! What changed between two states of a canvas, per field: the text of each step word by word
//! (the `similar` crate), the instanties, regelingen, rendement and actieplan lines added,
//! removed and changed (with their amounts), and the leefgebieden and domains switched on or off.

use serde::Serialize;
use similar::{ChangeTag, TextDiff};

use super::schema::{self, Action, Agency, CanvasContent, Regulation, ReturnLine};
use crate::format::euro;

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Difference {
    /// The text fields that changed, in the order of the steps.
    pub texts: Vec<TextChange>,
    pub lines: Vec<LineChange>,
    pub toggles: Vec<ToggleChange>,
}

impl Difference {
    pub fn is_empty(&self) -> bool {
        self.texts.is_empty() && self.lines.is_empty() && self.toggles.is_empty()
    }
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct TextChange {
    /// The Yjs root of the field (`situation`, …).
    pub field: &'static str,
    /// Its Dutch name.
    pub label: &'static str,
    pub parts: Vec<Part>,
}

#[derive(Debug, Serialize, PartialEq, Eq, Clone, Copy)]
#[serde(rename_all = "lowercase")]
pub enum PartKind {
    Gelijk,
    Ingevoegd,
    Verwijderd,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Part {
    pub kind: PartKind,
    pub text: String,
}

#[derive(Debug, Serialize, PartialEq, Eq, Clone, Copy)]
#[serde(rename_all = "lowercase")]
pub enum LineChangeKind {
    Toegevoegd,
    Verwijderd,
    Gewijzigd,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct LineChange {
    /// `instanties`, `regelingen`, `rendement` or `actieplan`.
    pub list: &'static str,
    pub change: LineChangeKind,
    /// The line as it was and as it is, in words (amounts in euro).
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct ToggleChange {
    /// `leefgebieden` or `beleidsdomeinen`.
    pub list: &'static str,
    pub name: &'static str,
    pub on: bool,
}

/// From `before` to `after`.
pub fn between(before: &CanvasContent, after: &CanvasContent) -> Difference {
    let (a, b) = (&before.steps, &after.steps);
    let fields: [(&'static str, &'static str, &str, &str); 7] = [
        ("situation", "1. Situatieschets", &a.situation, &b.situation),
        ("future", "2. Toekomstperspectief", &a.future, &b.future),
        (
            "overview",
            "3. Overzicht",
            &a.overview.text,
            &b.overview.text,
        ),
        (
            "breakthrough",
            "4. Doorbraak",
            &a.breakthrough.text,
            &b.breakthrough.text,
        ),
        (
            "systemProblem",
            "4. Vraag over het systeemprobleem",
            &a.breakthrough.system_problem,
            &b.breakthrough.system_problem,
        ),
        (
            "involvement",
            "5. Betrokkenheid",
            &a.value_triangle.involvement,
            &b.value_triangle.involvement,
        ),
        (
            "legitimacy",
            "5. Legitimiteit",
            &a.value_triangle.legitimacy.text,
            &b.value_triangle.legitimacy.text,
        ),
    ];
    let texts = fields
        .into_iter()
        .filter(|(_, _, old, new)| old != new)
        .map(|(field, label, old, new)| TextChange {
            field,
            label,
            parts: words(old, new),
        })
        .collect();
    let mut lines = Vec::new();
    unkeyed(
        &mut lines,
        "instanties",
        &a.overview.agencies,
        &b.overview.agencies,
        agency,
    );
    unkeyed(
        &mut lines,
        "regelingen",
        &a.value_triangle.legitimacy.regulations,
        &b.value_triangle.legitimacy.regulations,
        regulation,
    );
    keyed(
        &mut lines,
        "rendement",
        &a.value_triangle.return_lines,
        &b.value_triangle.return_lines,
        |l| &l.id,
        return_line,
    );
    keyed(
        &mut lines,
        "actieplan",
        &a.action_plan,
        &b.action_plan,
        |l| &l.id,
        action,
    );
    let mut toggles = Vec::new();
    for (list, catalogue, old, new) in [
        (
            "leefgebieden",
            &schema::LIFE_AREAS[..],
            &before.life_areas,
            &after.life_areas,
        ),
        (
            "beleidsdomeinen",
            &schema::POLICY_DOMAINS[..],
            &before.policy_domains,
            &after.policy_domains,
        ),
    ] {
        for (code, name) in catalogue {
            let (was, is) = (old.contains(code), new.contains(code));
            if was != is {
                toggles.push(ToggleChange { list, name, on: is });
            }
        }
    }
    Difference {
        texts,
        lines,
        toggles,
    }
}

/// Word by word, runs of the same kind joined.
fn words(old: &str, new: &str) -> Vec<Part> {
    let diff = TextDiff::from_words(old, new);
    let mut parts: Vec<Part> = Vec::new();
    for change in diff.iter_all_changes() {
        let kind = match change.tag() {
            ChangeTag::Equal => PartKind::Gelijk,
            ChangeTag::Insert => PartKind::Ingevoegd,
            ChangeTag::Delete => PartKind::Verwijderd,
        };
        match parts.last_mut() {
            Some(last) if last.kind == kind => last.text.push_str(change.value()),
            _ => parts.push(Part {
                kind,
                text: change.value().to_owned(),
            }),
        }
    }
    parts
}

/// Lines with an id: added, removed, or changed in place.
fn keyed<T>(
    out: &mut Vec<LineChange>,
    list: &'static str,
    old: &[T],
    new: &[T],
    id: impl Fn(&T) -> &String,
    words: impl Fn(&T) -> String,
) {
    for line in old {
        match new.iter().find(|n| id(n) == id(line)) {
            None => out.push(LineChange {
                list,
                change: LineChangeKind::Verwijderd,
                before: Some(words(line)),
                after: None,
            }),
            Some(now) if words(now) != words(line) => out.push(LineChange {
                list,
                change: LineChangeKind::Gewijzigd,
                before: Some(words(line)),
                after: Some(words(now)),
            }),
            Some(_) => {}
        }
    }
    for line in new.iter().filter(|n| !old.iter().any(|o| id(o) == id(n))) {
        out.push(LineChange {
            list,
            change: LineChangeKind::Toegevoegd,
            before: None,
            after: Some(words(line)),
        });
    }
}

/// Lines without an id, compared as what they say: each one more or less of the same counts.
fn unkeyed<T>(
    out: &mut Vec<LineChange>,
    list: &'static str,
    old: &[T],
    new: &[T],
    words: impl Fn(&T) -> String,
) {
    let mut remaining: Vec<String> = new.iter().map(&words).collect();
    for line in old.iter().map(&words) {
        if let Some(at) = remaining.iter().position(|n| *n == line) {
            remaining.remove(at);
        } else {
            out.push(LineChange {
                list,
                change: LineChangeKind::Verwijderd,
                before: Some(line),
                after: None,
            });
        }
    }
    let mut gone: Vec<String> = old.iter().map(&words).collect();
    for line in new.iter().map(&words) {
        if let Some(at) = gone.iter().position(|o| *o == line) {
            gone.remove(at);
        } else {
            out.push(LineChange {
                list,
                change: LineChangeKind::Toegevoegd,
                before: None,
                after: Some(line),
            });
        }
    }
}

fn or_dash(text: &str) -> &str {
    if text.trim().is_empty() { "—" } else { text }
}

fn agency(a: &Agency) -> String {
    match a.cost_per_year_cents {
        Some(cents) => format!("{}: {} per jaar", or_dash(&a.name), euro(cents)),
        None => or_dash(&a.name).to_owned(),
    }
}

fn regulation(r: &Regulation) -> String {
    let mut text = format!("{} {}", r.law, r.article).trim().to_owned();
    if !r.room.is_empty() {
        text = format!("{text}: {}", r.room);
    }
    or_dash(&text).to_owned()
}

fn return_line(l: &ReturnLine) -> String {
    format!(
        "{}: {}, {} {}{}",
        l.kind.map_or("—", |k| k.dutch()),
        or_dash(&l.description),
        l.amount_cents.map_or("—".to_owned(), euro),
        l.recurrence.map_or("—", |r| r.dutch()),
        if l.payer.is_empty() {
            String::new()
        } else {
            format!(", betaald door {}", l.payer)
        }
    )
}

fn action(a: &Action) -> String {
    format!(
        "{} (wie: {}, wanneer: {}, {})",
        or_dash(&a.what),
        or_dash(&a.who),
        or_dash(&a.due),
        a.status.map_or("—", |s| s.dutch())
    )
}

#[cfg(test)]
mod tests {
    use yrs::{Doc, Transact, Update, updates::decoder::Decode};

    use super::*;
    use crate::{canvas::schema, demo};

    fn demo_content() -> CanvasContent {
        let doc = Doc::new();
        let roots = schema::Roots::define(&doc);
        let update = Update::decode_v1(&demo::scooter_case()).expect("demo");
        doc.transact_mut().apply_update(update).expect("apply");
        schema::read(&doc, &roots)
    }

    #[test]
    fn the_same_canvas_has_no_difference() {
        assert!(between(&demo_content(), &demo_content()).is_empty());
    }

    #[test]
    fn text_word_by_word_lines_with_amounts_and_switches() {
        let before = demo_content();
        let mut after = demo_content();
        after.steps.situation = after.steps.situation.replacen("zoon", "dochter", 1);
        after.steps.value_triangle.return_lines[0].amount_cents = Some(123_456);
        let removed = after.steps.action_plan.remove(0);
        after.life_areas.push("financial_security");
        let diff = between(&before, &after);

        assert_eq!(diff.texts.len(), 1);
        let parts = &diff.texts[0].parts;
        assert_eq!(diff.texts[0].field, "situation");
        assert!(
            parts
                .iter()
                .any(|p| p.kind == PartKind::Verwijderd && p.text == "zoon"),
            "{parts:?}"
        );
        assert!(
            parts
                .iter()
                .any(|p| p.kind == PartKind::Ingevoegd && p.text == "dochter"),
            "{parts:?}"
        );
        let rebuilt: String = parts
            .iter()
            .filter(|p| p.kind != PartKind::Verwijderd)
            .map(|p| p.text.as_str())
            .collect();
        assert_eq!(
            rebuilt, after.steps.situation,
            "equal and inserted parts give the new text"
        );

        let changed = diff
            .lines
            .iter()
            .find(|l| l.list == "rendement")
            .expect("rendement");
        assert_eq!(changed.change, LineChangeKind::Gewijzigd);
        assert!(
            changed
                .after
                .as_deref()
                .is_some_and(|a| a.contains("€ 1.234,56")),
            "{changed:?}"
        );
        let gone = diff
            .lines
            .iter()
            .find(|l| l.list == "actieplan")
            .expect("actieplan");
        assert_eq!(gone.change, LineChangeKind::Verwijderd);
        assert!(
            gone.before
                .as_deref()
                .is_some_and(|b| b.contains(&removed.what))
        );
        assert!(diff.toggles.contains(&ToggleChange {
            list: "leefgebieden",
            name: "Financiële zekerheid",
            on: true
        }));
    }
}
