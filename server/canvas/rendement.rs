//! The rendement totals of a canvas, as the calculator on the canvas page shows them
//! (`web/src/rendement.js`), for the printable summary of an escalation.
//!
//! Over the team's horizon: huidige maatschappelijke kosten (lines of that kind plus the
//! instanties' yearly costs), the costs of doing nothing, and the solution's costs. Doormodderen
//! is current plus inaction; doorbreken is the solution; the net result is their difference.

use super::schema::{CanvasContent, Recurrence, ReturnKind};

/// Totals in cents over `horizon_years`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    pub horizon_years: i64,
    pub current: i64,
    pub inaction: i64,
    pub solution: i64,
    pub doormodderen: i64,
    pub doorbreken: i64,
    /// Doormodderen minus doorbreken: what the solution saves.
    pub net: i64,
    /// Lines left out because their kind, amount or recurrence is missing.
    pub incomplete: usize,
}

pub fn totals(content: &CanvasContent) -> Totals {
    let triangle = &content.steps.value_triangle;
    let years = if [1, 3, 5].contains(&triangle.horizon_years) {
        triangle.horizon_years
    } else {
        1
    };
    let mut totals = Totals {
        horizon_years: years,
        ..Totals::default()
    };
    for line in &triangle.return_lines {
        let (Some(kind), Some(cents), Some(recurrence)) =
            (line.kind, line.amount_cents, line.recurrence)
        else {
            totals.incomplete += 1;
            continue;
        };
        let over_horizon = match recurrence {
            Recurrence::Once => cents,
            Recurrence::Monthly => cents.saturating_mul(12).saturating_mul(years),
            Recurrence::Yearly => cents.saturating_mul(years),
        };
        let sum = match kind {
            ReturnKind::Current => &mut totals.current,
            ReturnKind::Inaction => &mut totals.inaction,
            ReturnKind::Solution => &mut totals.solution,
        };
        *sum = sum.saturating_add(over_horizon);
    }
    let agencies: i64 = content
        .steps
        .overview
        .agencies
        .iter()
        .filter_map(|a| a.cost_per_year_cents)
        .fold(0, i64::saturating_add);
    totals.current = totals
        .current
        .saturating_add(agencies.saturating_mul(years));
    totals.doormodderen = totals.current.saturating_add(totals.inaction);
    totals.doorbreken = totals.solution;
    totals.net = totals.doormodderen.saturating_sub(totals.doorbreken);
    totals
}

#[cfg(test)]
mod tests {
    use yrs::{Doc, Transact, Update, updates::decoder::Decode};

    use super::*;
    use crate::{canvas::schema, demo};

    #[test]
    fn the_demo_case_adds_up() {
        let doc = Doc::new();
        let roots = schema::Roots::define(&doc);
        let update = Update::decode_v1(&demo::scooter_case()).expect("demo");
        doc.transact_mut().apply_update(update).expect("apply");
        let totals = totals(&schema::read(&doc, &roots));
        assert_eq!(totals.incomplete, 0);
        assert_eq!(totals.doormodderen, totals.current + totals.inaction);
        assert_eq!(totals.net, totals.doormodderen - totals.solution);
        assert!(totals.net > 0, "the scooter saves money: {totals:?}");
    }
}
