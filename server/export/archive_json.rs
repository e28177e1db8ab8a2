//! An archived canvas as JSON, for other systems and for keeping: the schema
//! `doorbraak.archief/1`, documented in `docs/archive-export.md` with its JSON Schema beside it
//! (`docs/archive-export.schema.json`, which a test holds this to). `content` is the canvas as
//! `GET /api/canvases/{id}` returns it; the rest is the archive's own.

use serde_json::{Value, json};

use super::dossier::Context;
use crate::canvas::{CanvasId, rendement, schema::CanvasContent, status::CanvasStatus};

/// Names the layout; a change that breaks a reader gets a new number.
pub const SCHEMA: &str = "doorbraak.archief/1";

/// The archive's facts beside the canvas.
pub struct Facts<'a> {
    pub id: &'a CanvasId,
    pub outcome: CanvasStatus,
    /// The code of the scope.
    pub scope: &'a str,
    /// Unix milliseconds.
    pub closed_at: Option<i64>,
}

/// The document; every string in it passed through `clean` (the anonymity rule's redaction).
pub fn build(
    content: &CanvasContent,
    context: &Context,
    facts: &Facts,
    clean: impl Fn(&str) -> String,
) -> Value {
    let totals = rendement::totals(content);
    let payback_months = match totals.payback {
        rendement::Payback::Direct => Some(0),
        rendement::Payback::Never => None,
        rendement::Payback::Months(m) => Some(m),
    };
    let archive = context.archive.as_ref();
    let learning = archive.and_then(|a| a.learning).map(|l| {
        json!({
            "bottleneck": l.bottleneck.code(),
            "regulation": l.regulation,
            "bottleneck_text": l.bottleneck_text,
            "order": l.order,
            "order_note": l.order_note,
            "signals": l.signals,
            "budget_used": l.budget_used,
            "budget_why": l.budget_why,
            "effect": l.effect,
            "tags": l.tags.iter().map(|(kind, code)| json!({"kind": kind, "code": code})).collect::<Vec<_>>(),
        })
    });
    let escalations: Vec<Value> = context
        .escalations
        .iter()
        .map(|e| {
            json!({
                "level": e.to_level.code(),
                "escalated_at": e.escalated_at,
                "question": e.question,
                "answer": e.answer,
                "answered_at": e.answered_at,
                "outcome": e.outcome.map(|o| o.code()),
            })
        })
        .collect();
    let mut document = json!({
        "schema": SCHEMA,
        "id": facts.id.as_str(),
        "label": content.label,
        "team": context.team,
        "gemeente": context.gemeente,
        "outcome": facts.outcome.code(),
        "scope": facts.scope,
        "closed_at": facts.closed_at,
        "archived_at": archive.map(|a| a.archived_at),
        "content": content,
        "rendement": {
            "horizon_years": totals.horizon_years,
            "current_cents": totals.current,
            "inaction_cents": totals.inaction,
            "solution_cents": totals.solution,
            "net_cents": totals.net,
            "payback_months": payback_months,
        },
        "leeropbrengst": learning,
        "escalations": escalations,
    });
    clean_strings(&mut document, &clean);
    document
}

/// Every string in `value` (keys stay) passed through `clean`.
fn clean_strings(value: &mut Value, clean: &impl Fn(&str) -> String) {
    match value {
        Value::String(s) => *s = clean(s),
        Value::Array(items) => items.iter_mut().for_each(|v| clean_strings(v, clean)),
        Value::Object(map) => map.values_mut().for_each(|v| clean_strings(v, clean)),
        _ => {}
    }
}
