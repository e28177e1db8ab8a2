//! The periodic re-check of this process's open connections and event streams: each one whose
//! credential no longer works, or whose canvas the account may no longer read or no longer reads
//! with the access and role it was let in with, is closed. Its client reconnects with whatever
//! it may do now.
//!
//! Access changes close connections at once, through the event bus. This is the net beneath
//! that: a change whose event never arrived closes what it concerns within one interval. On
//! PostgreSQL that covers a process killed between a use case's commit and the notification to
//! the others, and changes written by another tool; on either backend, a guest window or token
//! that simply ran out.

use std::collections::{BTreeMap, HashMap};

use crate::{
    access::policy,
    auth::session,
    canvas::CanvasId,
    ids::{AccountId, Credential},
    state::AppState,
    store::{AccountRow, StoreError, now_millis},
    sync::participants::{OpenEntry, Standing},
};

/// What a connection to `canvas` gets: `None` if the account may not read it.
pub fn standing(account: &policy::Account, canvas: &policy::Canvas) -> Option<Standing> {
    let access = policy::canvas_access(account, canvas);
    if !access.may_read() {
        return None;
    }
    Some(Standing {
        read_only: !access.may_edit(),
        role: policy::role_on_canvas(account, canvas).unwrap_or("Lezer"),
    })
}

/// What the re-check found of one credential.
enum Credentials {
    /// It still works, for this account.
    Work(Box<AccountRow>),
    /// The session expired by inactivity.
    Expired,
    /// An ended session, a revoked or expired token, or its account is gone. (A session past
    /// its longest lifetime counts as expired: the client says so.)
    Gone,
}

/// Re-checks every open connection; returns how many it closed. A credential or canvas whose
/// lookup fails is left open (and logged): the next round checks it again.
pub async fn recheck_open(state: &AppState) -> usize {
    let participants = &state.sync.participants;
    let mut by_credential: BTreeMap<Credential, Vec<OpenEntry>> = BTreeMap::new();
    for entry in participants.open() {
        by_credential
            .entry(entry.holder.credential.clone())
            .or_default()
            .push(entry);
    }
    let mut canvases: HashMap<CanvasId, Option<policy::Canvas>> = HashMap::new();
    // An account with several sessions or tokens is looked up once per round.
    let mut policies: HashMap<AccountId, policy::Account> = HashMap::new();
    let mut closed = 0;
    for (credential, entries) in by_credential {
        let account = match credentials(state, &credential, &entries[0]).await {
            Ok(Credentials::Work(account)) => account,
            Ok(Credentials::Expired) => {
                closed += participants.close_expired(&credential);
                continue;
            }
            Ok(Credentials::Gone) => {
                closed += participants.close_credential(&credential);
                continue;
            }
            Err(error) => {
                tracing::warn!(%error, "could not re-check a credential of open connections");
                continue;
            }
        };
        let policy = match policies.get(&account.id) {
            Some(policy) => policy.clone(),
            None => match state.directory.policy_account(&account).await {
                Ok(policy) => {
                    policies.insert(account.id, policy.clone());
                    policy
                }
                Err(error) => {
                    tracing::warn!(%error, account_id = %account.id, "could not re-check the access of open connections");
                    continue;
                }
            },
        };
        let digest = policy.digest();
        for entry in entries {
            let Some(canvas) = &entry.holder.canvas else {
                // A stream over many canvases (the coach dashboard's, an overleg's) filters its
                // events by the access it opened with: it ends once that access changed.
                if entry.grants.is_some_and(|then| then != digest)
                    && participants.close_conn(entry.conn)
                {
                    closed += 1;
                }
                continue;
            };
            let facts = match canvases.get(canvas) {
                Some(facts) => facts.clone(),
                None => match state.canvases.canvas_facts(canvas).await {
                    Ok(facts) => {
                        canvases.insert(canvas.clone(), facts.clone());
                        facts
                    }
                    Err(error) => {
                        tracing::warn!(%error, canvas_id = %canvas, "could not re-check a canvas of open connections");
                        continue;
                    }
                },
            };
            let now = facts.as_ref().and_then(|facts| standing(&policy, facts));
            let keep = match (now, entry.standing) {
                (None, _) => false,
                // Not let in yet (its check is running), or a stream: reading is what it needs.
                (Some(_), None) => true,
                (Some(now), Some(then)) => now == then,
            };
            if !keep && participants.close_conn(entry.conn) {
                closed += 1;
            }
        }
    }
    closed
}

/// Whether `credential`, held by the account of `entry`, still works.
async fn credentials(
    state: &AppState,
    credential: &Credential,
    entry: &OpenEntry,
) -> Result<Credentials, StoreError> {
    let account_id = entry.holder.account_id;
    match credential {
        Credential::Session(id_hash) => {
            let Some(session) = state.directory.session(id_hash).await? else {
                return Ok(Credentials::Gone);
            };
            let idle = state.auth.session_idle();
            return Ok(
                if session::expired(session.created_at, session.last_seen_at, now_millis(), idle) {
                    Credentials::Expired
                } else {
                    Credentials::Work(Box::new(session.account))
                },
            );
        }
        Credential::Token(id) => {
            let now = now_millis();
            let works = state
                .directory
                .list_tokens(account_id)
                .await?
                .iter()
                .any(|token| {
                    token.id == *id && token.revoked_at.is_none() && token.expires_at > now
                });
            if !works {
                return Ok(Credentials::Gone);
            }
        }
    }
    Ok(match state.directory.account_by_id(account_id).await? {
        Some(account) => Credentials::Work(Box::new(account)),
        None => Credentials::Gone,
    })
}
