//! The directory: who is who and who may sign in. Kept apart from [`super::Canvases`] (the canvas
//! documents) because the two change for different reasons; one database implements both.

use super::{
    accounts::Accounts, audit_log::AuditLog, invitations::Invitations, organisation::Organisation,
};

/// Accounts, the organisation, one-time links and the audit log together: what authentication
/// and administration ask.
pub trait Directory: Accounts + Organisation + Invitations + AuditLog {}

impl<T: Accounts + Organisation + Invitations + AuditLog> Directory for T {}
