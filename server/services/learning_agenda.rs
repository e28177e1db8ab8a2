//! The leeragenda (issue 13): per local project (a team) the leerpunten and veranderacties a
//! lerend-evalueren session sets, with an owner from the team, a due date and a status, linked
//! to the team's archived canvases that show them, tracked until done. Who keeps it is
//! `workspace::may_keep_learning_agenda`; its text is learning material, so the anonymity rule
//! applies to it as to the leeropbrengst.

use std::collections::HashMap;

use super::{Refusal, ServiceError};
use crate::{
    access::{policy::Account, workspace},
    anonymity,
    canvas::{CanvasId, status::CanvasStatus},
    ids::{AccountId, TeamId},
    state::AppState,
    store::{
        MemberRow,
        learning_agenda::{AgendaPointRow, NewAgendaPoint},
        now_millis,
    },
    text,
};

/// The statuses of a point, with their Dutch names.
pub const STATUSES: [(&str, &str); 3] = [("open", "Open"), ("bezig", "Bezig"), ("klaar", "Klaar")];

/// The kinds of point.
pub const KINDS: [(&str, &str); 2] = [("leerpunt", "Leerpunt"), ("veranderactie", "Veranderactie")];

/// What the dashboard shows of a team's leeragenda.
#[derive(Debug, Clone)]
pub struct AgendaView {
    pub team: TeamId,
    pub points: Vec<AgendaPointRow>,
    /// Whether the viewer adds and moves points.
    pub may_keep: bool,
    /// Who may own a point: the team's members.
    pub members: Vec<MemberRow>,
    /// The team's archived canvases (id, label), to link a point to.
    pub archived: Vec<(String, String)>,
}

pub async fn view(
    state: &AppState,
    viewer: &Account,
    team: TeamId,
) -> Result<AgendaView, ServiceError> {
    let archived = state
        .canvases
        .list_canvases()
        .await?
        .into_iter()
        .filter(|c| {
            c.access.as_ref().is_some_and(|f| f.team == team)
                && c.status == CanvasStatus::Gearchiveerd.code()
        })
        .map(|c| (c.id, c.label))
        .collect();
    Ok(AgendaView {
        team,
        points: state.database.agenda_points(team).await?,
        may_keep: workspace::may_keep_learning_agenda(viewer, team),
        members: state.directory.members(team).await?,
        archived,
    })
}

fn invalid(message: impl ToString) -> ServiceError {
    ServiceError::refused(Refusal::Invalid, message)
}

/// Adds a point from the form: `soort`, `tekst`, `eigenaar` (account id), `datum`
/// (`jjjj-mm-dd`) and `canvas_{id}` for each linked canvas.
pub async fn add(
    state: &AppState,
    viewer: &Account,
    team: TeamId,
    form: &HashMap<String, String>,
) -> Result<i64, ServiceError> {
    if !workspace::may_keep_learning_agenda(viewer, team) {
        return Err(ServiceError::refused(
            Refusal::Forbidden,
            "De leeragenda houdt het team zelf bij.",
        ));
    }
    let field = |name: &str| form.get(name).map(|v| v.trim()).unwrap_or_default();
    let kind = KINDS
        .iter()
        .find(|(code, _)| *code == field("soort"))
        .map(|(code, _)| *code)
        .ok_or_else(|| invalid("Kies of het een leerpunt of een veranderactie is."))?;
    let body = text::paragraphs(field("tekst")).map_err(invalid)?;
    if body.is_empty() {
        return Err(invalid("Schrijf op wat het team wil leren of veranderen."));
    }
    if body.chars().count() > 1_000 {
        return Err(invalid("Houd het kort: hoogstens 1.000 tekens."));
    }
    if let Some(f) = anonymity::scan(&body, "").first() {
        return Err(invalid(format!(
            "De leeragenda moet anoniem zijn. {} Haal het weg of schrijf het algemener.",
            f.kind.dutch()
        )));
    }
    let members = state.directory.members(team).await?;
    let owner = field("eigenaar")
        .parse::<i64>()
        .ok()
        .map(AccountId)
        .filter(|id| members.iter().any(|m| m.account_id == *id))
        .ok_or_else(|| invalid("Kies een eigenaar uit het team."))?;
    let due = field("datum");
    if crate::format::from_dutch_local(due, "00:00").is_none() {
        return Err(invalid("Geef een streefdatum als jjjj-mm-dd."));
    }
    let archived = view(state, viewer, team).await?.archived;
    let mut canvases = Vec::new();
    for key in form.keys() {
        let Some(id) = key.strip_prefix("canvas_") else {
            continue;
        };
        if !archived.iter().any(|(a, _)| a == id) {
            return Err(invalid(
                "Koppel alleen gearchiveerde canvassen van het team.",
            ));
        }
        canvases.push(
            id.parse::<CanvasId>()
                .map_err(|_| invalid("Onbekend canvas."))?,
        );
    }
    let Some(by) = viewer.id else {
        return Err(ServiceError::refused(Refusal::Forbidden, "Log eerst in."));
    };
    Ok(state
        .database
        .add_agenda_point(&NewAgendaPoint {
            team,
            kind,
            text: body,
            owner,
            due: due.to_owned(),
            canvases,
            by,
            at: now_millis(),
        })
        .await?)
}

/// Moves a point to `status`; returns its team.
pub async fn set_status(
    state: &AppState,
    viewer: &Account,
    id: i64,
    status: &str,
) -> Result<TeamId, ServiceError> {
    let not_found = || {
        ServiceError::refused(
            Refusal::NotFound,
            "Dit punt van de leeragenda bestaat niet.",
        )
    };
    let point = state
        .database
        .agenda_point(id)
        .await?
        .ok_or_else(not_found)?;
    if !workspace::may_keep_learning_agenda(viewer, point.team) {
        return Err(not_found());
    }
    let status = STATUSES
        .iter()
        .find(|(code, _)| *code == status)
        .map(|(code, _)| *code)
        .ok_or_else(|| invalid("Kies open, bezig of klaar."))?;
    state
        .database
        .set_agenda_status(id, status, now_millis())
        .await?;
    Ok(point.team)
}
