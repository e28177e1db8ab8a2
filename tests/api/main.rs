//! Integration tests against the real server on port 0, each with a fresh SQLite database.
//! One test binary, so the crate is linked once.

mod helpers;

mod access;
mod administration;
mod anonymity;
mod archive_export;
mod archive_search;
mod awareness;
mod bad_input;
mod canvases;
mod cli;
mod demo;
mod dossier;
mod durability;
mod evaluation;
mod flow_control;
mod layers;
mod learning;
mod logs;
mod meeting_room;
mod meetings;
mod pages;
mod postgres;
mod races;
mod recheck;
mod redaction;
mod retention;
mod sessions;
mod store;
mod sync;
mod tokens;
mod versions;
mod workflow;
