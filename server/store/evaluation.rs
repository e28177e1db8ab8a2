//! What the lerend-evalueren dashboard counts, as rows for a set of teams and a period: the
//! canvases started, the closings with their leeropbrengst, the escalations, the doorbraakbudget.
//! The counting itself is the dashboard's (`services::evaluation`); these are the facts.

use async_trait::async_trait;

use super::StoreError;
use crate::{ids::TeamId, workflow::learning::Rendement};

/// A canvas closed in the period (its last closing there), with its leeropbrengst.
#[derive(Debug, Clone)]
pub struct ClosingRow {
    /// doorbraak_gerealiseerd or afgesloten_zonder_doorbraak.
    pub outcome: String,
    pub closed_at: i64,
    /// (kind, code) of the leeropbrengst's tags.
    pub tags: Vec<(String, String)>,
    /// The leeropbrengst's bottleneck kind, regulation and leerorde; `None` for a canvas closed
    /// before the leeropbrengst existed.
    pub bottleneck: Option<String>,
    pub regulation: Option<String>,
    pub order: Option<i64>,
    pub rendement: Option<Rendement>,
}

/// An escalation made in the period.
#[derive(Debug, Clone)]
pub struct EscalationFact {
    pub to_level: String,
    pub outcome: Option<String>,
    pub escalated_at: i64,
    pub answered_at: Option<i64>,
}

/// A booking on the doorbraakbudget.
#[derive(Debug, Clone)]
pub struct BookingFact {
    pub year: i32,
    /// committed or spent.
    pub kind: String,
    pub cents: i64,
    /// The canvas's leefgebieden (codes).
    pub life_areas: Vec<String>,
    /// Whether the canvas was last closed without a doorbraak: its money was leergeld.
    pub without_breakthrough: bool,
}

#[derive(Debug, Clone, Default)]
pub struct EvaluationRows {
    /// The status codes of the canvases started in the period, as they stand now.
    pub started: Vec<String>,
    pub closings: Vec<ClosingRow>,
    pub escalations: Vec<EscalationFact>,
}

#[async_trait]
pub trait Evaluation: Send + Sync + 'static {
    /// The facts of `teams` in [from, until).
    async fn evaluation_rows(
        &self,
        teams: &[TeamId],
        from: i64,
        until: i64,
    ) -> Result<EvaluationRows, StoreError>;

    /// The budget of `teams` for `years` (summed per year) and every booking of those years.
    async fn budget_facts(
        &self,
        teams: &[TeamId],
        years: &[i32],
    ) -> Result<(Vec<(i32, i64)>, Vec<BookingFact>), StoreError>;
}
