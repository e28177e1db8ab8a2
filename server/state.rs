//! The state every handler can draw from: one cloneable value of `Arc`s, with `FromRef`
//! sub-states so that a handler asks only for the part it uses. It sits below the handlers
//! and imports none of them.

use std::sync::Arc;

use axum::extract::FromRef;

use crate::{
    audit::Audit,
    auth::sign_in::Attempts,
    config::{AuthSettings, Limits, WorkflowSettings},
    events::{EventBus, LocalBus, postgres::PostgresBus},
    ids::NodeId,
    metrics::Metrics,
    store::{Canvases, Database, Directory, Meetings, Versions, Workflow},
    sync::SyncService,
    tasks::Tasks,
};

/// The state every handler can draw from; handlers ask only for the part they use.
#[derive(Clone, FromRef)]
pub struct AppState {
    /// The whole database, for the transactions of the use cases ([`crate::services`]).
    pub database: Arc<dyn Database>,
    pub canvases: Arc<dyn Canvases>,
    pub directory: Arc<dyn Directory>,
    pub workflow: Arc<dyn Workflow>,
    pub meetings: Arc<dyn Meetings>,
    pub versions: Arc<dyn Versions>,
    pub events: Arc<dyn EventBus>,
    pub sync: Arc<SyncService>,
    pub metrics: Arc<Metrics>,
    pub audit: Arc<Audit>,
    pub auth: Arc<AuthSettings>,
    pub settings: Arc<WorkflowSettings>,
    /// The shutdown signal and every background task of the process.
    pub tasks: Tasks,
    /// Sign-in attempts in progress and the slots for password work, of this process.
    pub attempts: Arc<Attempts>,
    /// Slots for laying out documents (PDF, DOCX): more wait their turn, so downloads cannot
    /// take every core.
    pub documents: Arc<tokio::sync::Semaphore>,
}

/// Documents laid out at once.
const DOCUMENT_SLOTS: usize = 2;

impl AppState {
    /// Builds the state and starts the background tasks (the persister, and on PostgreSQL the
    /// event bus's listener, listening when this returns); needs a Tokio runtime.
    pub async fn new(
        database: Arc<dyn Database>,
        limits: Limits,
        auth: AuthSettings,
        settings: WorkflowSettings,
    ) -> Self {
        let canvases: Arc<dyn Canvases> = database.clone();
        let workflow: Arc<dyn Workflow> = database.clone();
        let meetings: Arc<dyn Meetings> = database.clone();
        let versions: Arc<dyn Versions> = database.clone();
        let directory: Arc<dyn Directory> = database.clone();
        let metrics = Arc::new(Metrics::default());
        let tasks = Tasks::default();
        let node = NodeId::random();
        // Several processes may share a PostgreSQL database: their events travel through it.
        let events: Arc<dyn EventBus> = match database.postgres() {
            Some(pool) => Arc::new(PostgresBus::start(pool, node, tasks.stopping.clone()).await),
            None => Arc::new(LocalBus::default()),
        };
        let sync = Arc::new(SyncService::new(
            canvases.clone(),
            metrics.clone(),
            limits,
            events.clone(),
            tasks.clone(),
            node,
        ));
        Self {
            database,
            canvases,
            audit: Arc::new(Audit::new(directory.clone())),
            directory,
            workflow,
            meetings,
            versions,
            events,
            sync,
            metrics,
            auth: Arc::new(auth),
            settings: Arc::new(settings),
            attempts: Arc::new(Attempts::default()),
            documents: Arc::new(tokio::sync::Semaphore::new(DOCUMENT_SLOTS)),
            tasks,
        }
    }
}
