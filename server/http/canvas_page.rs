//! The canvas page with its workflow panel, as the viewer may use it: shown by the page route
//! and again, with the reason, when a workflow action is refused.

use crate::{
    access::{policy, workspace},
    auth::Viewer,
    error::AppError,
    format::dutch_date,
    http::{middleware::csp::CspNonce, permitted::Permitted},
    state::AppState,
    store::{meeting_records::ActionScope, meetings::MeetingStatus, now_millis},
    views::{self, SignedIn, canvas::CanvasView, workflow::Panel},
    workflow::{ladder, lifecycle},
};

/// The canvas page with its workflow panel; `error` is shown in the panel.
pub async fn canvas_page(
    state: &AppState,
    viewer: &SignedIn,
    canvas: &Permitted,
    error: Option<String>,
    nonce: &CspNonce,
) -> Result<maud::Markup, AppError> {
    let content = state.sync.content(&canvas.id).await?;
    let panel = panel(state, viewer, canvas, error).await?;
    // The overleg this canvas is in now: the page follows its chair, or is the chair's (the
    // voorzitter the overleg was planned with; whoever else may run it follows like the rest).
    let running = panel.on_agenda.iter().find(|(_, _, running)| *running);
    let meeting = match running {
        Some((id, _, _)) => state
            .meetings
            .meeting(*id)
            .await?
            .map(|m| (m.id, m.schedule.chair == viewer.account.id)),
        None => None,
    };
    let view = CanvasView {
        meeting,
        history: panel.reads_history,
        id: &canvas.id,
        content: &content,
        read_only: !canvas.access.may_edit(),
        live: true,
        banner: None,
        workflow: Some(views::workflow::panel(&panel)),
        may_rename: !canvas.facts.archived && policy::may_rename(&viewer.policy, &canvas.facts),
        status: Some(panel.status),
    };
    Ok(views::canvas::page(viewer, &view, &nonce.0))
}

/// Whether one of the moves offered closes the canvas (and so asks for the leeropbrengst).
fn transitions_close(transitions: &[crate::canvas::status::CanvasStatus]) -> bool {
    transitions
        .iter()
        .any(|to| crate::workflow::learning::needed_for(*to))
}

/// The closing form, prefilled from the canvas: its leefgebieden, domains and regulations as
/// tags, and the doorbraakbudget's use (with why the regular route failed) from its ledger.
async fn closing_form(
    state: &AppState,
    id: &crate::canvas::CanvasId,
    ledger: &[crate::store::workflow::LedgerRow],
) -> Result<views::workflow::ClosingForm, AppError> {
    let content = state.sync.content(id).await?;
    let regulations = &content.steps.value_triangle.legitimacy.regulations;
    let tags = crate::workflow::learning::tag_choices()
        .into_iter()
        .map(|(kind, code, name)| {
            let on = match kind {
                "leefgebied" => content.life_areas.contains(&code.as_str()),
                "domein" => content.policy_domains.contains(&code.as_str()),
                _ => crate::canvas::regulations::catalogue()
                    .iter()
                    .find(|r| r.id == code)
                    .is_some_and(|r| {
                        regulations
                            .iter()
                            .any(|l| l.law == r.law && l.article == r.article)
                    }),
            };
            (kind, code, name, on)
        })
        .collect();
    let mut reasons: Vec<&str> = ledger
        .iter()
        .map(|e| e.why_not_regular.trim())
        .filter(|w| !w.is_empty())
        .collect();
    reasons.dedup();
    Ok(views::workflow::ClosingForm {
        tags,
        budget_used: !ledger.is_empty(),
        budget_why: reasons.join("\n"),
    })
}

/// The panel as the viewer may use it.
pub async fn panel(
    state: &AppState,
    viewer: &Viewer,
    canvas: &Permitted,
    error: Option<String>,
) -> Result<Panel, AppError> {
    let id = &canvas.id;
    let status = state
        .workflow
        .canvas_status(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (account, facts, access) = (&viewer.policy, &canvas.facts, canvas.access);
    let transitions: Vec<_> = lifecycle::next(status)
        .filter(|to| lifecycle::check(account, facts, access, status, *to).is_ok())
        .collect();
    let blocked = lifecycle::next(status)
        .filter_map(|to| lifecycle::why_not(account, facts, access, status, to))
        .collect();
    let escalations = state.workflow.escalations(id).await?;
    // The ledger (amounts, who approved) is the team's; a reader from the archive gets none.
    let ledger = if policy::reads_as_learner(account, facts) {
        Vec::new()
    } else {
        state.workflow.canvas_ledger(id).await?
    };
    let may_close = transitions_close(&transitions);
    let closing = if may_close {
        Some(closing_form(state, id, &ledger).await?)
    } else {
        None
    };
    let archive_findings =
        if transitions.contains(&crate::canvas::status::CanvasStatus::Gearchiveerd) {
            Some(crate::services::archiving::findings(state, id).await?)
        } else {
            None
        };
    let escalate_to = ladder::above(facts.level)
        .into_iter()
        .filter(|to| ladder::may_escalate(account, facts, access, status, *to).is_ok())
        .collect();
    let to_handle = escalations
        .iter()
        .find(|e| e.is_open() && ladder::may_handle(account, facts, e.to_level))
        .cloned();
    let may_book = policy::may_book(&viewer.policy, &canvas.facts, canvas.access);
    // Only who may book needs the names to choose an approver from.
    let team_members = if may_book {
        crate::services::budget::approvers(state.directory.as_ref(), canvas.facts.team).await?
    } else {
        Vec::new()
    };
    let now = now_millis();
    Ok(Panel {
        canvas_id: id.as_str().to_owned(),
        csrf: viewer.csrf().to_owned(),
        status,
        history: state.workflow.status_history(id).await?,
        transitions,
        blocked,
        escalations,
        escalate_to,
        to_handle,
        ledger,
        learning: state.workflow.learning(id).await?,
        reads_history: policy::history_access(account, facts).may_read(),
        closing,
        archive_findings,
        may_book,
        team_members,
        today: dutch_date(now),
        signal_days: state.settings.escalation_signal_days,
        now,
        error,
        on_agenda: state
            .meetings
            .meetings_with_canvas(id)
            .await?
            .into_iter()
            .filter(|m| workspace::may_see_meeting(&viewer.policy, m.team, m.id))
            .map(|m| {
                (
                    m.id,
                    m.schedule.starts_at,
                    m.status == MeetingStatus::Running,
                )
            })
            .collect(),
        comments: state.database.comments(id).await?,
        may_comment: access.may_read() && !facts.archived,
        actions: state
            .database
            .actions(ActionScope::OpenOfCanvas(id.clone()))
            .await?
            .into_iter()
            .map(|a| {
                let may = workspace::may_finish_action(account, a.team, a.owner);
                (a, may)
            })
            .collect(),
    })
}
