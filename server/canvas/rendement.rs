//! The rendement totals of a canvas, as the calculator on the canvas page shows them
//! (`web/src/rendement.js`), for the printable summary of an escalation.
//!
//! Over the team's horizon: huidige maatschappelijke kosten (lines of that kind plus the
//! instanties' yearly costs), the costs of doing nothing, and the solution's costs. Doormodderen
//! is current plus inaction; doorbreken is the solution; the net result is their difference.

use super::schema::{CanvasContent, Recurrence, ReturnKind};
use crate::format::euro;

/// The net result in words, as the calculator says it: "€ 1.000,00 besparing", "€ 1.000,00
/// meerkosten" or "€ 0,00 (geen verschil)".
pub fn net_dutch(net: i64) -> String {
    match net {
        0 => format!("{} (geen verschil)", euro(0)),
        n if n > 0 => format!("{} besparing", euro(n)),
        n => format!("{} meerkosten", euro(n.saturating_neg())),
    }
}

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
    /// How soon the solution pays for itself.
    pub payback: Payback,
}

/// The payback time, as `web/src/rendement.js` computes it: the one-off investment (one-off
/// solution costs minus one-off current and inaction costs) over the monthly saving (recurring
/// current and inaction costs, instanties included, minus recurring solution costs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Payback {
    /// Nothing to earn back.
    #[default]
    Direct,
    /// No saving to earn it back with.
    Never,
    Months(i64),
}

impl Payback {
    fn of(invest: i64, saving_per_year: i64) -> Self {
        if invest <= 0 {
            return Payback::Direct;
        }
        if saving_per_year <= 0 {
            return Payback::Never;
        }
        // ceil(12 × invest / saving per year), on yearly amounts so that no cent is rounded.
        let months = (12 * i128::from(invest) + i128::from(saving_per_year) - 1)
            / i128::from(saving_per_year);
        Payback::Months(i64::try_from(months).unwrap_or(i64::MAX))
    }

    /// In Dutch, as the calculator says it: "Direct terugverdiend", "14 maanden", "30 maanden
    /// (≈ 2,5 jaar)".
    pub fn dutch(self) -> String {
        match self {
            Payback::Direct => "Direct terugverdiend".into(),
            Payback::Never => "Wordt niet terugverdiend".into(),
            Payback::Months(1) => "1 maand".into(),
            Payback::Months(months) if months <= 24 => format!("{months} maanden"),
            Payback::Months(months) => {
                let tenths = (months.saturating_mul(10) + 6) / 12;
                let years = if tenths % 10 == 0 {
                    (tenths / 10).to_string()
                } else {
                    format!("{},{}", tenths / 10, tenths % 10)
                };
                format!("{months} maanden (≈ {years} jaar)")
            }
        }
    }
}

/// An amount the calculator counts, as `toCents` in `web/src/rendement.js` takes it: a whole,
/// non-negative number of cents that JavaScript holds exactly. Anything else (a negative amount
/// a crafted client wrote, say) counts for nothing, on the page and here alike.
fn counted(cents: Option<i64>) -> Option<i64> {
    const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;
    cents.filter(|c| (0..=MAX_SAFE_INTEGER).contains(c))
}

/// "1 regel zonder … is niet meegeteld." or "3 regels zonder … zijn niet meegeteld."
pub fn incomplete_dutch(n: usize) -> String {
    if n == 1 {
        "1 regel zonder soort, bedrag of frequentie is niet meegeteld.".into()
    } else {
        format!("{n} regels zonder soort, bedrag of frequentie zijn niet meegeteld.")
    }
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
    // One-off amounts and recurring amounts per year, per kind: current, inaction, solution.
    let mut once = [0i64; 3];
    let mut per_year = [0i64; 3];
    for line in &triangle.return_lines {
        let (Some(kind), Some(cents), Some(recurrence)) =
            (line.kind, counted(line.amount_cents), line.recurrence)
        else {
            totals.incomplete += 1;
            continue;
        };
        let over_horizon = match recurrence {
            Recurrence::Once => cents,
            Recurrence::Monthly => cents.saturating_mul(12).saturating_mul(years),
            Recurrence::Yearly => cents.saturating_mul(years),
        };
        let (sum, slot) = match kind {
            ReturnKind::Current => (&mut totals.current, 0),
            ReturnKind::Inaction => (&mut totals.inaction, 1),
            ReturnKind::Solution => (&mut totals.solution, 2),
        };
        *sum = sum.saturating_add(over_horizon);
        match recurrence {
            Recurrence::Once => once[slot] = once[slot].saturating_add(cents),
            Recurrence::Monthly => {
                per_year[slot] = per_year[slot].saturating_add(cents.saturating_mul(12))
            }
            Recurrence::Yearly => per_year[slot] = per_year[slot].saturating_add(cents),
        }
    }
    let agencies: i64 = content
        .steps
        .overview
        .agencies
        .iter()
        .filter_map(|a| counted(a.cost_per_year_cents))
        .fold(0, i64::saturating_add);
    totals.current = totals
        .current
        .saturating_add(agencies.saturating_mul(years));
    totals.doormodderen = totals.current.saturating_add(totals.inaction);
    totals.doorbreken = totals.solution;
    totals.net = totals.doormodderen.saturating_sub(totals.doorbreken);
    per_year[0] = per_year[0].saturating_add(agencies);
    totals.payback = Payback::of(
        once[2].saturating_sub(once[0]).saturating_sub(once[1]),
        per_year[0]
            .saturating_add(per_year[1])
            .saturating_sub(per_year[2]),
    );
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

    /// The cases `web/test/rendement.test.mjs` checks the page's calculator against, from the same
    /// file: the summary and the dossier say what the page says.
    #[test]
    fn the_shared_cases_give_what_the_calculator_gives() {
        use crate::canvas::schema::{
            Agency, Breakthrough, Legitimacy, Overview, ReturnLine, Steps, ValueTriangle,
        };
        let cases: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/fixtures/rendement-cases.json"))
                .expect("fixture");
        let cases = cases.as_array().expect("cases");
        assert!(cases.len() >= 6);
        let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
        for case in cases {
            let kind = |v: &serde_json::Value| match v.as_str() {
                Some("current") => Some(ReturnKind::Current),
                Some("inaction") => Some(ReturnKind::Inaction),
                Some("solution") => Some(ReturnKind::Solution),
                _ => None,
            };
            let recurrence = |v: &serde_json::Value| match v.as_str() {
                Some("once") => Some(Recurrence::Once),
                Some("monthly") => Some(Recurrence::Monthly),
                Some("yearly") => Some(Recurrence::Yearly),
                _ => None,
            };
            let lines = case["lines"].as_array().expect("lines");
            let agencies = case["agencies"].as_array().expect("agencies");
            let content = CanvasContent {
                label: String::new(),
                schema_version: None,
                life_areas: vec![],
                policy_domains: vec![],
                steps: Steps {
                    situation: String::new(),
                    future: String::new(),
                    overview: Overview {
                        text: String::new(),
                        agencies: agencies
                            .iter()
                            .map(|a| Agency {
                                name: String::new(),
                                cost_per_year_cents: a["costPerYearCents"].as_i64(),
                            })
                            .collect(),
                    },
                    breakthrough: Breakthrough {
                        text: String::new(),
                        system_problem: String::new(),
                    },
                    value_triangle: ValueTriangle {
                        involvement: String::new(),
                        legitimacy: Legitimacy {
                            text: String::new(),
                            regulations: vec![],
                        },
                        return_lines: lines
                            .iter()
                            .map(|l| ReturnLine {
                                id: String::new(),
                                kind: kind(&l["kind"]),
                                description: String::new(),
                                amount_cents: l["amountCents"].as_i64(),
                                recurrence: recurrence(&l["recurrence"]),
                                payer: String::new(),
                            })
                            .collect(),
                        horizon_years: case["horizonYears"].as_i64().unwrap_or(1),
                    },
                    action_plan: vec![],
                },
            };
            let totals = totals(&content);
            let expect = &case["expect"];
            let name = text(&case["name"]);
            assert_eq!(
                Some(totals.horizon_years),
                expect["horizonYears"].as_i64(),
                "{name}"
            );
            assert_eq!(
                Some(totals.doormodderen),
                expect["doormodderen"].as_i64(),
                "{name}"
            );
            assert_eq!(
                Some(totals.doorbreken),
                expect["doorbreken"].as_i64(),
                "{name}"
            );
            assert_eq!(Some(totals.net), expect["net"].as_i64(), "{name}");
            assert_eq!(
                Some(totals.incomplete as i64),
                expect["incomplete"].as_i64(),
                "{name}"
            );
            assert_eq!(net_dutch(totals.net), text(&expect["netText"]), "{name}");
            assert_eq!(totals.payback.dutch(), text(&expect["payback"]), "{name}");
        }
    }

    #[test]
    fn payback_reads_as_the_calculator_says_it() {
        assert_eq!(Payback::of(0, 100), Payback::Direct);
        assert_eq!(Payback::of(100, 0), Payback::Never);
        assert_eq!(Payback::of(1_200, 1_200), Payback::Months(12));
        assert_eq!(Payback::of(1_201, 1_200), Payback::Months(13), "rounded up");
        assert_eq!(Payback::Months(1).dutch(), "1 maand");
        assert_eq!(Payback::Months(14).dutch(), "14 maanden");
        assert_eq!(Payback::Months(30).dutch(), "30 maanden (≈ 2,5 jaar)");
        assert_eq!(Payback::Months(36).dutch(), "36 maanden (≈ 3 jaar)");
        assert_eq!(Payback::Direct.dutch(), "Direct terugverdiend");
    }
}
