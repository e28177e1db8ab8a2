//! Doorbraak: the workspace of Dutch *doorbraakteams*.
//!
//! Each maatwerkcanvas is a Yjs CRDT document that a whole team co-edits live. The crate is laid
//! out by concern:
//!
//! - [`access`]: the access policy of the roles, password hashing and sign-in lockout.
//! - [`auth`]: sign-in, sessions, tokens, one-time links, and the middleware that refuses
//!   strangers and cross-site requests.
//! - [`accounts`]: creating accounts and personal access tokens.
//! - [`audit`]: the append-only audit log.
//! - [`config`]: command line and environment (clap).
//! - [`state`]: the shared state handlers draw from (a leaf below every handler).
//! - [`app`]: the router and `serve` on an already bound listener.
//! - [`http`]: HTTP handlers, one module per resource, each with its own `router()`.
//! - [`canvas`]: the domain of one canvas: its id, its anonymous label and the document schema.
//! - [`sync`]: the y-websocket protocol (sans-IO codec and awareness), the per-canvas room actor,
//!   the group-committing persister and the WebSocket transport.
//! - [`store`]: durable storage, one interface per aggregate (canvases, accounts, organisation,
//!   invitations, audit log, workflow) and transactions over all of them; on SQLite or
//!   PostgreSQL, with `store::copy` to move an installation from the one to the other.
//! - [`services`]: the use cases, each one transaction with its audit line and its events.
//! - [`tasks`]: the one shutdown signal and tracker of every background task.
//! - [`export`]: tables as CSV (for Dutch Excel) and XLSX.
//! - [`views`]: the server-rendered pages (maud), enhanced by the bundle in `web/dist`.
//! - [`workflow`]: the lifecycle, the escalation ladder and the doorbraakbudget, as rules.
//! - [`ids`]: typed identifiers (account, team, escalation, …) and the `Credential` of a request.
//! - [`listener`]: the accept loop, with the header-read timeout that slow clients cannot outwait.
//! - [`logging`]: the log filter that keeps libraries' payload tracing off.
//! - [`metrics`]: counters and histograms rendered in the Prometheus text format.
//! - [`demo`]: the demo teams, accounts, canvases, escalations and budget (`--demo`).
//! - [`error`]: the HTTP error type that turns failures into Dutch messages.
//! - [`events`]: the event bus (access, workflow, presence and document changes) and its
//!   in-process implementation.
//! - [`format`]: Dutch notation of money and dates, a leaf every layer may use.
//! - [`text`]: what single-line text people type may hold (no control or bidirectional
//!   characters).

pub mod access;
pub mod accounts;
pub mod anonymity;
pub mod app;
pub mod audit;
pub mod auth;
pub mod canvas;
pub mod config;
pub mod demo;
pub mod error;
pub mod events;
pub mod export;
pub mod format;
pub mod http;
pub mod ids;
pub mod listener;
pub mod logging;
pub mod metrics;
pub mod search;
pub mod services;
pub mod state;
pub mod store;
pub mod sync;
pub mod tasks;
pub mod text;
pub mod views;
pub mod workflow;

pub use app::{app, serve};
pub use state::AppState;
