//! Retention (issue 13): a closed canvas that is not archived within the retention period
//! (`WorkflowSettings::retention_days`, about six months) is deleted with the casework it holds,
//! after warnings to the team's aanjagers 30 and 7 days before (in-app, once each). Each purge is
//! one transaction with its audit line (the canvas's id only), after which every connection to
//! it closes. What stays, and why the ledger stays whole: `store::Retention::purge_canvas`.
//!
//! [`sweep`] takes the moment to judge by, so it runs on a schedule with the clock and in tests
//! with any moment.

use super::ServiceError;
use crate::{
    audit::Event,
    events::{AccessChange, Event as BusEvent},
    state::AppState,
    store::AuditEntry,
};

const DAY: i64 = 86_400_000;

/// The warnings before a purge, in days.
pub const WARNINGS: [i64; 2] = [30, 7];

/// What a sweep did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Swept {
    pub warned: usize,
    pub purged: usize,
}

/// Warns about and purges, as of `now`, the closed canvases that are not archived.
pub async fn sweep(state: &AppState, now: i64) -> Result<Swept, ServiceError> {
    let keep = i64::try_from(state.settings.retention_days)
        .unwrap_or(i64::MAX / DAY)
        .saturating_mul(DAY);
    let mut done = Swept::default();
    for closed in state.database.closed_unarchived().await? {
        let deadline = closed.closed_at.saturating_add(keep);
        if now >= deadline {
            let tx = state.database.begin().await?;
            if !tx.purge_canvas(&closed.canvas, now).await? {
                continue;
            }
            let entry = AuditEntry {
                team_id: Some(closed.team),
                canvas_id: Some(closed.canvas.as_str().to_owned()),
                detail: format!(
                    "na {} dagen gesloten en niet gearchiveerd",
                    state.settings.retention_days
                ),
                ..AuditEntry::default()
            };
            tx.append_audit(&Event::CanvasPurged.entry(entry)).await?;
            tx.commit().await?;
            // Nobody may see it any more: every open connection and stream ends.
            state
                .events
                .publish(BusEvent::AccessChanged(AccessChange::Canvas {
                    canvas: closed.canvas.clone(),
                    keep: Vec::new(),
                }));
            done.purged += 1;
            continue;
        }
        // The nearest warning that is due and was not sent yet (one per sweep).
        let days_left = (deadline - now + DAY - 1) / DAY;
        let Some(days) = WARNINGS.iter().rev().copied().find(|d| days_left <= *d) else {
            continue;
        };
        if !state
            .database
            .record_retention_warning(&closed.canvas, days, now)
            .await?
        {
            continue;
        }
        let aanjagers: Vec<_> = state
            .directory
            .members(closed.team)
            .await?
            .into_iter()
            .filter(|m| crate::access::workspace::hears_of_retention(m.role))
            .map(|m| m.account_id)
            .collect();
        let text = format!(
            "{} is afgesloten maar niet gearchiveerd en wordt over {days_left} {} verwijderd, met \
             alles wat erin staat. Archiveer het als lesmateriaal als het team het wil bewaren.",
            closed.label,
            if days_left == 1 { "dag" } else { "dagen" }
        );
        state
            .database
            .notify(
                &aanjagers,
                &text,
                &format!("/canvases/{}#workflow", closed.canvas),
            )
            .await?;
        done.warned += 1;
    }
    Ok(done)
}
