//! The workflow of one canvas: changing its status, the escalation ladder (escalate, pick up,
//! answer) and booking on the doorbraakbudget. Each is one transaction with its audit line and
//! notifications; afterwards the open pages hear of it, and a ladder move or archiving closes the
//! connections whose access it changed.

use std::collections::HashMap;

use super::{Refusal, ServiceError};
use crate::{
    access::policy::{self, AccountId, ArchiveScope, EscalationLevel, Permitted},
    audit::Event,
    auth::Viewer,
    canvas::status::CanvasStatus,
    events::{AccessChange, Event as BusEvent, WorkflowChange},
    ids::{EntryId, EscalationId},
    state::AppState,
    store::{
        AuditEntry, StoreError, Transaction, now_millis,
        workflow::{EntryOutcome, EscalationAnswer, EscalationRow, NewEscalation, NewLedgerEntry},
    },
    workflow::{
        ladder::{self, LadderError, Outcome, level_dutch},
        learning::{self, Learning},
        ledger::LedgerError,
        lifecycle::{self, TransitionError},
    },
};

/// The message for any change to an archived canvas.
pub const ARCHIVED: &str = "Dit canvas is gearchiveerd: het is lesmateriaal en kan niet meer \
                            worden gewijzigd of geboekt.";

/// The message when a compare-and-set finds that someone else was first.
pub const CONFLICT: &str = "Iemand anders heeft dit intussen gewijzigd. Bekijk de nieuwe stand \
                            en probeer het zo nodig opnieuw.";

const BOOKERS_ONLY: &str =
    "Alleen de aanjager en de projectleider van het team boeken op het doorbraakbudget.";

/// What a status change takes along: the leeropbrengst when closing (as parsed from the form,
/// or why it is not one), and when archiving the reasons that override the anonymity check's
/// findings (by key) and who may read the archived canvas.
#[derive(Debug, Default)]
pub struct StatusExtras {
    pub learning: Option<Result<Learning, String>>,
    pub overrides: HashMap<String, String>,
    pub scope: Option<ArchiveScope>,
}

/// Someone acting on the workflow of a canvas they may read.
pub struct OnCanvas<'a> {
    pub state: &'a AppState,
    pub actor: &'a Viewer,
    pub canvas: &'a Permitted,
}

fn conflict() -> ServiceError {
    ServiceError::refused(Refusal::Conflict, CONFLICT)
}

impl OnCanvas<'_> {
    fn id(&self) -> &str {
        self.canvas.id.as_str()
    }

    /// Nothing changes on an archived canvas; asked before the change's own rules (and before
    /// the form's fields are read).
    pub fn refuse_if_archived(&self) -> Result<(), ServiceError> {
        if self.canvas.facts.archived {
            return Err(ServiceError::refused(Refusal::Conflict, ARCHIVED));
        }
        Ok(())
    }

    /// A status change by hand, as the lifecycle allows, compare-and-set on the status the
    /// person saw: of two changes at once, one wins and the other is told. Who may is asked
    /// first. Closing takes the leeropbrengst along (`extras.learning`: as parsed from the form,
    /// or the reason it is not one), stored in the same transaction; without it closing is
    /// refused. Archiving waits for the anonymity check (each finding overridden in
    /// `extras.overrides`, audited), stores who may learn from the canvas (`extras.scope`, the
    /// province by default) and removes what the archive does not keep, in the same transaction.
    pub async fn change_status(
        &self,
        from: CanvasStatus,
        to: CanvasStatus,
        note: &str,
        extras: StatusExtras,
    ) -> Result<(), ServiceError> {
        let StatusExtras {
            learning,
            overrides,
            scope,
        } = extras;
        self.refuse_if_archived()?;
        let (actor, canvas) = (self.actor, self.canvas);
        if let Err(error) = lifecycle::check(&actor.policy, &canvas.facts, canvas.access, from, to)
        {
            let refusal = match error {
                TransitionError::Role(_) => Refusal::Forbidden,
                _ => Refusal::Invalid,
            };
            return Err(ServiceError::refused(refusal, error));
        }
        let learning = match learning.filter(|_| learning::needed_for(to)) {
            Some(Ok(mut learning)) => {
                // The rendement as the canvas's calculator shows it now, for the dashboard.
                let content = self.state.sync.content(&self.canvas.id).await?;
                learning.rendement = crate::canvas::rendement::totals(&content).into();
                Some(learning)
            }
            Some(Err(reason)) => return Err(ServiceError::refused(Refusal::Invalid, reason)),
            None if learning::needed_for(to) => {
                return Err(ServiceError::refused(
                    Refusal::Invalid,
                    "Een canvas wordt afgesloten met de leeropbrengst: vul die eerst in.",
                ));
            }
            None => None,
        };
        // Archiving keeps this canvas as learning material: only once it is anonymous, or each
        // finding is overridden with a reason.
        let archiving = to == CanvasStatus::Gearchiveerd;
        let findings = if archiving {
            super::archiving::findings(self.state, &self.canvas.id).await?
        } else {
            Vec::new()
        };
        if let Some(reason) = super::archiving::unresolved(&findings, &overrides) {
            return Err(ServiceError::refused(Refusal::Invalid, reason));
        }
        // Its entry in the archive's search index, made before the transaction (it reads the
        // room) and written in it.
        // Who may learn from it: the province unless the aanjager chose otherwise.
        let scope = scope.unwrap_or(ArchiveScope::Province);
        let entry = if archiving {
            let at = now_millis();
            let entry = super::archive_search::entry_for_archiving(
                self.state,
                &self.canvas.id,
                from,
                scope,
                at,
            );
            Some(entry.await?)
        } else {
            None
        };
        let note = crate::text::paragraphs(note)
            .map_err(|error| ServiceError::refused(Refusal::Invalid, error))?;
        let note: String = note.chars().take(500).collect();
        let tx = self.state.database.begin().await?;
        let changed = tx
            .change_status(
                &self.canvas.id,
                from,
                to,
                actor.account.id,
                &note,
                now_millis(),
            )
            .await?;
        if !changed {
            return Err(conflict());
        }
        if let Some(learning) = &learning {
            tx.save_learning(&self.canvas.id, learning, actor.account.id, now_millis())
                .await?;
        }
        if archiving {
            for finding in &findings {
                // Which kind, where, and why: never the words themselves.
                let reason = overrides.get(&finding.key).cloned().unwrap_or_default();
                let entry = AuditEntry {
                    account_id: Some(actor.account.id),
                    team_id: Some(self.canvas.facts.team),
                    canvas_id: Some(self.id().to_owned()),
                    detail: format!("{} in {}: {reason}", finding.kind.code(), finding.place),
                    ..AuditEntry::default()
                };
                tx.append_audit(&Event::AnonymityOverridden.entry(entry))
                    .await?;
            }
            // What the exports of the archive may keep of what the rule finds.
            let digests: Vec<String> = findings
                .iter()
                .map(|f| super::archiving::override_digest(f.kind, &f.text))
                .collect();
            tx.save_overrides(&self.canvas.id, &digests).await?;
            tx.set_archive_scope(&self.canvas.id, scope).await?;
            if let Some(entry) = &entry {
                tx.index_archive(entry).await?;
            }
            // Data minimisation: what the learning purpose does not need goes now.
            tx.delete_comments(&self.canvas.id).await?;
            tx.delete_versions_but_escalations(&self.canvas.id).await?;
        }
        let detail = format!("{} → {}", from.code(), to.code());
        // Archived is read-only from this moment: every open connection and stream on the
        // canvas ends and comes back with the access the policy now gives (read).
        let closes = (to == CanvasStatus::Gearchiveerd).then(|| self.reconnect(Vec::new()));
        self.finish(tx, Event::StatusChanged, detail, closes)
            .await?;
        if archiving && let Err(error) = super::archiving::fold_log(self.state, &canvas.id).await {
            // The archive stands; its log stays unfolded (same content, with its history).
            tracing::warn!(canvas = %canvas.id, ?error, "folding an archived canvas's log failed");
        }
        Ok(())
    }

    /// Puts the canvas a rung higher on the ladder with `question`, frozen as it is now, and
    /// notifies whoever works at that rung.
    pub async fn escalate(&self, to: EscalationLevel, question: &str) -> Result<(), ServiceError> {
        self.refuse_if_archived()?;
        let (actor, canvas) = (self.actor, self.canvas);
        let status = self
            .state
            .workflow
            .canvas_status(&self.canvas.id)
            .await?
            .ok_or_else(|| ServiceError::refused(Refusal::NotFound, "Niet gevonden"))?;
        let question =
            ladder::may_escalate(&actor.policy, &canvas.facts, canvas.access, status, to)
                .and_then(|()| ladder::text(question, LadderError::QuestionRequired))
                .map_err(|error| {
                    let refusal = match error {
                        LadderError::NotTheTeam => Refusal::Forbidden,
                        LadderError::AlreadyEscalated => Refusal::Conflict,
                        _ => Refusal::Invalid,
                    };
                    ServiceError::refused(refusal, error)
                })?;
        let step = self.step(canvas.facts.level, to, question).await?;
        let tx = self.state.database.begin().await?;
        if tx.escalate(&step).await?.is_none() {
            return Err(conflict());
        }
        let what = format!("Nieuwe opschaling naar {}", level_dutch(to));
        self.notify(tx.as_ref(), to, &what).await?;
        let outsiders = self.reconnect(self.team(tx.as_ref()).await?);
        let detail = format!("naar {}", to.code());
        self.finish(tx, Event::Escalated, detail, Some(outsiders))
            .await
    }

    /// Takes up an open escalation at the actor's own rung.
    pub async fn pick_up(&self, escalation: EscalationId) -> Result<(), ServiceError> {
        self.refuse_if_archived()?;
        let open = self.open_step(escalation).await?;
        if !ladder::may_handle(&self.actor.policy, &self.canvas.facts, open.to_level) {
            let error = LadderError::NotYourRung(ladder::who_handles(open.to_level));
            return Err(ServiceError::refused(Refusal::Forbidden, error));
        }
        let tx = self.state.database.begin().await?;
        if !tx.pick_up(escalation, self.actor.account.id).await? {
            return Err(conflict());
        }
        self.finish(tx, Event::EscalationPickedUp, "opgepakt".into(), None)
            .await
    }

    /// Answers an open escalation; with [`Outcome::VerderOpgeschaald`] the answer is also the
    /// next step up, to `further` with `further_question`.
    pub async fn answer(
        &self,
        escalation: EscalationId,
        answer: &str,
        outcome: Option<Outcome>,
        further: Option<EscalationLevel>,
        further_question: &str,
    ) -> Result<(), ServiceError> {
        self.refuse_if_archived()?;
        let open = self.open_step(escalation).await?;
        let outcome =
            outcome.ok_or_else(|| ServiceError::refused(Refusal::Invalid, "Kies een uitkomst."))?;
        let further = further.filter(|_| outcome == Outcome::VerderOpgeschaald);
        let facts = &self.canvas.facts;
        let checked =
            ladder::may_answer(&self.actor.policy, facts, open.to_level, outcome, further)
                .and_then(|()| ladder::text(answer, LadderError::AnswerRequired))
                .and_then(|answer| {
                    let question = match further {
                        Some(_) => Some(ladder::text(
                            further_question,
                            LadderError::QuestionRequired,
                        )?),
                        None => None,
                    };
                    Ok((answer, question))
                });
        let (answer, further_question) = checked.map_err(|error| {
            let refusal = match error {
                LadderError::NotYourRung(_) => Refusal::Forbidden,
                _ => Refusal::Invalid,
            };
            ServiceError::refused(refusal, error)
        })?;
        let further_step = match (further, further_question) {
            (Some(to), Some(question)) => Some(self.step(open.to_level, to, question).await?),
            _ => None,
        };
        let recorded = EscalationAnswer {
            escalation,
            canvas: self.canvas.id.clone(),
            by: self.actor.account.id,
            answer,
            outcome,
            further: further_step,
            at: now_millis(),
        };
        let tx = self.state.database.begin().await?;
        if !tx.answer(&recorded).await? {
            return Err(conflict());
        }
        let what = format!("Antwoord ontvangen ({})", outcome.dutch().to_lowercase());
        self.notify(tx.as_ref(), EscalationLevel::Team, &what)
            .await?;
        if let Some(to) = further {
            let what = format!("Nieuwe opschaling naar {}", level_dutch(to));
            self.notify(tx.as_ref(), to, &what).await?;
        }
        let outsiders = self.reconnect(self.team(tx.as_ref()).await?);
        let detail = outcome.code().into();
        self.finish(tx, Event::EscalationAnswered, detail, Some(outsiders))
            .await
    }

    /// Whether the actor may book on this canvas's budget at all; asked before the form's
    /// fields, so that someone who may not book learns that first.
    pub fn may_book(&self) -> Result<(), ServiceError> {
        self.refuse_if_archived()?;
        let (actor, canvas) = (self.actor, self.canvas);
        if policy::may_book(&actor.policy, &canvas.facts, canvas.access) {
            Ok(())
        } else {
            Err(ServiceError::refused(Refusal::Forbidden, BOOKERS_ONLY))
        }
    }

    /// Books `entry` (or a correction) on the doorbraakbudget; the budget check and the insert
    /// are one statement (see [`crate::store::Workflow::add_entry`]).
    pub async fn book(&self, entry: &NewLedgerEntry) -> Result<EntryId, ServiceError> {
        self.may_book()?;
        let tx = self.state.database.begin().await?;
        let refusal = match tx.add_entry(entry).await? {
            EntryOutcome::Added(id) => {
                let amount = crate::format::euro(entry.amount_cents);
                let detail = format!("boeking {id}: {} {amount}", entry.kind.code());
                self.finish(tx, Event::BudgetBooked, detail, None).await?;
                return Ok(id);
            }
            EntryOutcome::OverBudget(remaining) => LedgerError::OverBudget(remaining),
            EntryOutcome::OverCorrection(left) => LedgerError::OverCorrection(left),
            EntryOutcome::NoSuchEntry => LedgerError::NoSuchEntry,
            EntryOutcome::NoBudget => LedgerError::NoBudget(entry.year),
            EntryOutcome::Archived => {
                return Err(ServiceError::refused(Refusal::Conflict, ARCHIVED));
            }
        };
        Err(ServiceError::refused(Refusal::Conflict, refusal))
    }

    /// A step up from `from` to `to`, frozen as the canvas is now (encoded before any
    /// transaction begins).
    async fn step(
        &self,
        from: EscalationLevel,
        to: EscalationLevel,
        question: String,
    ) -> Result<NewEscalation, ServiceError> {
        Ok(NewEscalation {
            canvas: self.canvas.id.clone(),
            from_level: from,
            to_level: to,
            question,
            by: self.actor.account.id,
            at: now_millis(),
            snapshot: self.state.sync.snapshot(&self.canvas.id).await?,
        })
    }

    /// The escalation `id` of this canvas if it is still open.
    async fn open_step(&self, id: EscalationId) -> Result<EscalationRow, ServiceError> {
        self.state
            .workflow
            .escalations(&self.canvas.id)
            .await?
            .into_iter()
            .find(|e| e.id == id && e.is_open())
            .ok_or_else(|| ServiceError::refused(Refusal::Conflict, LadderError::NothingOpen))
    }

    /// The team's members, whose access does not depend on the ladder.
    async fn team(&self, tx: &dyn Transaction) -> Result<Vec<AccountId>, StoreError> {
        let members = tx.members(self.canvas.facts.team).await?;
        Ok(members.iter().map(|m| m.account_id).collect())
    }

    /// Notifies the people working at `level` for this canvas: never the person acting, and
    /// never someone who may not see the canvas (such as another case's inbrenger). The policy
    /// decides, on each candidate's whole account.
    async fn notify(
        &self,
        tx: &dyn Transaction,
        level: EscalationLevel,
        what: &str,
    ) -> Result<(), StoreError> {
        let facts = &self.canvas.facts;
        // Who might hear of it: the team for its own levels, everyone above them.
        let candidates = match level {
            EscalationLevel::Team | EscalationLevel::Directie => {
                let mut rows = Vec::new();
                for member in tx.members(facts.team).await? {
                    if let Some(row) = tx.account_by_id(member.account_id).await? {
                        rows.push(row);
                    }
                }
                rows
            }
            EscalationLevel::Coach | EscalationLevel::Pmm => tx.list_accounts().await?,
        };
        let mut accounts: Vec<AccountId> = Vec::new();
        for row in candidates {
            if row.id == self.actor.account.id {
                continue;
            }
            let account = tx.policy_account(&row).await?;
            if policy::hears_of(&account, facts, level) {
                accounts.push(row.id);
            }
        }
        // Labels are anonymous by design, so a notification may name the canvas.
        let label = tx.canvas_label(&self.canvas.id).await?.unwrap_or_default();
        let link = format!("/canvases/{}#workflow", self.id());
        tx.notify(&accounts, &format!("{what}: {label}"), &link)
            .await
    }

    /// Records the change in the audit log and commits; then closes the connections whose
    /// access changed (`closes`) and tells the open pages, with the facts after the change (a
    /// ladder move changes who may read the canvas).
    async fn finish(
        &self,
        tx: Box<dyn Transaction>,
        event: Event,
        detail: String,
        closes: Option<AccessChange>,
    ) -> Result<(), ServiceError> {
        let entry = AuditEntry {
            account_id: Some(self.actor.account.id),
            team_id: Some(self.canvas.facts.team),
            canvas_id: Some(self.id().to_owned()),
            detail,
            ..AuditEntry::default()
        };
        tx.append_audit(&event.entry(entry)).await?;
        let facts = tx
            .canvas_facts(&self.canvas.id)
            .await?
            .unwrap_or_else(|| self.canvas.facts.clone());
        tx.commit().await?;
        if let Some(change) = closes {
            self.state.events.publish(BusEvent::AccessChanged(change));
        }
        self.state
            .events
            .publish(BusEvent::WorkflowChanged(WorkflowChange {
                canvas: self.canvas.id.clone(),
                facts,
            }));
        Ok(())
    }

    /// Closes the connections to this canvas of everyone but `keep`. After a ladder move `keep`
    /// is the team, so the outsiders (coaches, PMM), whose access depends on the level,
    /// reconnect at once with the access the new level gives them: editing, reading, or none.
    fn reconnect(&self, keep: Vec<AccountId>) -> AccessChange {
        AccessChange::Canvas {
            canvas: self.canvas.id.clone(),
            keep,
        }
    }
}
