//! The learning archive's search (issue 13): indexing an archived canvas (in the archiving
//! transaction, and at start for one archived without an entry), and searching every archived
//! canvas the person may read, by Dutch stems and filters, with highlighted snippets. Members
//! may include their own team's live canvases, matched with the same stems.
//!
//! The index finds candidates; the policy decides for each whether this person may read it
//! (`policy::canvas_access`), so search never shows more than opening the canvas would.

use super::{Refusal, ServiceError, archiving};
use crate::{
    access::policy::{self, Account, ArchiveScope},
    canvas::{CanvasId, schema::CanvasContent, status::CanvasStatus},
    search::{self, Piece},
    state::AppState,
    store::archive_index::{ArchiveDocument, ArchiveQuery},
    workflow::learning,
};

/// Hits per page.
pub const PAGE_SIZE: usize = 20;

/// One hit: an archived canvas (or a live one of the own team, without `archived_at`).
#[derive(Debug, Clone)]
pub struct Hit {
    pub id: CanvasId,
    pub label: String,
    pub snippet: Vec<Piece>,
    pub archived_at: Option<i64>,
    pub team: String,
    pub gemeente: String,
}

#[derive(Debug, Clone, Default)]
pub struct Results {
    /// Archived canvases found, over all pages.
    pub total: usize,
    /// This page's archived hits.
    pub hits: Vec<Hit>,
    /// The own team's live canvases that match (when asked for), all of them.
    pub live: Vec<Hit>,
    /// 1-based.
    pub page: usize,
    pub pages: usize,
}

/// The text the index keeps of an archived canvas: its label, its content, its escalations'
/// questions and answers and its leeropbrengst. Not the ledger nor the history: a reader from the
/// archive does not see those either.
async fn document(
    state: &AppState,
    canvas: &CanvasId,
    content: &CanvasContent,
) -> Result<ArchiveDocument, ServiceError> {
    let mut parts = vec![content.label.clone()];
    parts.extend(archiving::canvas_texts(content).into_iter().map(|(_, t)| t));
    for e in state.workflow.escalations(canvas).await? {
        parts.push(e.question.clone());
        parts.extend(e.answer.clone());
    }
    let mut tag_names = String::new();
    let learning = state.workflow.learning(canvas).await?;
    let (order, budget_used) = learning
        .as_ref()
        .map_or((None, None), |l| (Some(l.order), Some(l.budget_used)));
    if let Some(l) = learning {
        for text in [l.bottleneck_text, l.order_note, l.budget_why, l.effect] {
            parts.push(text);
        }
        let choices = learning::tag_choices();
        for (kind, code) in &l.tags {
            if let Some((_, _, name)) = choices.iter().find(|(k, c, _)| k == kind && c == code) {
                tag_names.push(' ');
                tag_names.push_str(name);
            }
        }
    }
    // NUL characters (which a Yjs text can hold) go: PostgreSQL's text cannot carry them.
    let body = parts
        .into_iter()
        .map(|p| p.replace('\0', " ").trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    // The outcome is the status it was closed with: where it came from when archived.
    let history = state.workflow.status_history(canvas).await?;
    let archived = history
        .iter()
        .rev()
        .find(|c| c.to == CanvasStatus::Gearchiveerd.code());
    let outcome = archived
        .and_then(|c| c.from.parse::<CanvasStatus>().ok())
        .filter(|s| learning::needed_for(*s))
        .unwrap_or(CanvasStatus::AfgeslotenZonderDoorbraak);
    let facts = state
        .canvases
        .canvas_facts(canvas)
        .await?
        .ok_or_else(|| ServiceError::refused(Refusal::NotFound, "Dit canvas bestaat niet."))?;
    Ok(ArchiveDocument {
        canvas: canvas.clone(),
        facts,
        order,
        budget_used,
        stems: search::stems(&format!("{body}\n{tag_names}")),
        body,
        outcome,
        archived_at: archived.map_or_else(crate::store::now_millis, |c| c.at),
    })
}

/// The entry of `canvas` as it is about to be archived now for `scope` (the status change is in
/// the same transaction, so neither its history nor its facts show it yet).
pub async fn entry_for_archiving(
    state: &AppState,
    canvas: &CanvasId,
    closed_as: CanvasStatus,
    scope: ArchiveScope,
    at: i64,
) -> Result<ArchiveDocument, ServiceError> {
    let content = state.sync.content(canvas).await?;
    let mut doc = document(state, canvas, &content).await?;
    doc.outcome = closed_as;
    doc.archived_at = at;
    doc.facts.archived = true;
    doc.facts.archive_scope = Some(scope);
    Ok(doc)
}

/// Indexes every archived canvas that has no entry yet (archived before the index existed, or
/// seeded); returns how many. One that fails is skipped and tried again at the next start.
pub async fn index_missing(state: &AppState) -> Result<usize, ServiceError> {
    let mut done = 0;
    for canvas in state.database.unindexed_archives().await? {
        let result = async {
            let content = state.sync.content(&canvas).await?;
            let doc = document(state, &canvas, &content).await?;
            state.database.index_archive(&doc).await?;
            Ok::<_, ServiceError>(())
        }
        .await;
        match result {
            Ok(()) => done += 1,
            Err(error) => tracing::warn!(%canvas, ?error, "indexing an archived canvas failed"),
        }
    }
    Ok(done)
}

/// What someone asks of the archive.
#[derive(Debug, Clone, Default)]
pub struct Search {
    pub text: String,
    pub query: ArchiveQuery,
    /// 1-based.
    pub page: usize,
    /// Include the own team's live canvases.
    pub include_live: bool,
}

/// The archived canvases matching `ask` that `viewer` may read, in the search's order.
async fn readable(
    state: &AppState,
    viewer: &Account,
    ask: &Search,
    stems: &[String],
) -> Result<Vec<CanvasId>, ServiceError> {
    let query = ArchiveQuery {
        stems: stems.to_vec(),
        ..ask.query.clone()
    };
    Ok(state
        .database
        .search_archive(&query)
        .await?
        .into_iter()
        .filter(|c| policy::canvas_access(viewer, &c.facts).may_read())
        .map(|c| c.facts.id)
        .collect())
}

/// The hits of `canvases`, with their snippets for `stems`.
async fn hits(
    state: &AppState,
    canvases: &[CanvasId],
    stems: &[String],
) -> Result<Vec<Hit>, ServiceError> {
    Ok(state
        .database
        .archive_hits(canvases)
        .await?
        .into_iter()
        .map(|row| Hit {
            snippet: search::snippet(&row.body, stems),
            id: row.canvas,
            label: row.label,
            archived_at: Some(row.archived_at),
            team: row.team,
            gemeente: row.gemeente,
        })
        .collect())
}

/// Searches the archive as `viewer`, one page: only canvases the policy lets them read.
pub async fn search(
    state: &AppState,
    viewer: &Account,
    ask: &Search,
) -> Result<Results, ServiceError> {
    let stems = search::query_stems(&ask.text);
    let readable = readable(state, viewer, ask, &stems).await?;
    let total = readable.len();
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let page = ask.page.clamp(1, pages);
    let shown: Vec<CanvasId> = readable
        .into_iter()
        .skip((page - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .collect();
    let hits = hits(state, &shown, &stems).await?;
    let live = if ask.include_live && !stems.is_empty() {
        live_hits(state, viewer, &stems).await?
    } else {
        Vec::new()
    };
    Ok(Results {
        total,
        hits,
        live,
        page,
        pages,
    })
}

/// Every archived hit of the search, not one page (the CSV export).
pub async fn search_all(
    state: &AppState,
    viewer: &Account,
    ask: &Search,
) -> Result<Vec<Hit>, ServiceError> {
    let stems = search::query_stems(&ask.text);
    let readable = readable(state, viewer, ask, &stems).await?;
    hits(state, &readable, &stems).await
}

/// The viewer's own teams' canvases that are not archived and hold every stem of the query.
async fn live_hits(
    state: &AppState,
    viewer: &Account,
    stems: &[String],
) -> Result<Vec<Hit>, ServiceError> {
    let mut out = Vec::new();
    for summary in state.canvases.list_canvases().await? {
        let Some(facts) = summary.access.as_ref() else {
            continue;
        };
        if facts.archived
            || !viewer.is_member(facts.team)
            || !policy::canvas_access(viewer, facts).may_read()
        {
            continue;
        }
        let content = state.sync.content(&facts.id).await?;
        let mut text = vec![content.label.clone()];
        text.extend(
            archiving::canvas_texts(&content)
                .into_iter()
                .map(|(_, t)| t),
        );
        let text = text.join("\n");
        let have = search::stems(&text);
        let have: Vec<&str> = have.split(' ').collect();
        if stems.iter().all(|s| have.contains(&s.as_str())) {
            out.push(Hit {
                id: facts.id.clone(),
                label: summary.label.clone(),
                snippet: search::snippet(&text, stems),
                archived_at: None,
                team: summary.team.clone(),
                gemeente: String::new(),
            });
        }
    }
    Ok(out)
}
