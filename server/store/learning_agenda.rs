//! The leeragenda of a local project (a team): leerpunten and veranderacties with an owner, a
//! due date and a status, each linked to the archived canvases that show it.

use async_trait::async_trait;

use super::StoreError;
use crate::{
    canvas::CanvasId,
    ids::{AccountId, TeamId},
};

#[derive(Debug, Clone)]
pub struct NewAgendaPoint {
    pub team: TeamId,
    /// leerpunt or veranderactie.
    pub kind: &'static str,
    pub text: String,
    pub owner: AccountId,
    /// `jjjj-mm-dd`.
    pub due: String,
    pub canvases: Vec<CanvasId>,
    pub by: AccountId,
    pub at: i64,
}

#[derive(Debug, Clone)]
pub struct AgendaPointRow {
    pub id: i64,
    pub team: TeamId,
    pub kind: String,
    pub text: String,
    pub owner: String,
    pub due: String,
    /// open, bezig or klaar.
    pub status: String,
    /// (id, label) of the linked canvases.
    pub canvases: Vec<(String, String)>,
}

#[async_trait]
pub trait LearningAgenda: Send + Sync + 'static {
    async fn add_agenda_point(&self, point: &NewAgendaPoint) -> Result<i64, StoreError>;

    /// The team's points: open and bezig first (by due date), then klaar.
    async fn agenda_points(&self, team: TeamId) -> Result<Vec<AgendaPointRow>, StoreError>;

    async fn agenda_point(&self, id: i64) -> Result<Option<AgendaPointRow>, StoreError>;

    /// Sets the status; `false` when there is no such point.
    async fn set_agenda_status(&self, id: i64, status: &str, at: i64) -> Result<bool, StoreError>;
}
