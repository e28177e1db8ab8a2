//! Who may do what: the access rules of the roles in a doorbraakteam, and the building blocks of
//! sign-in (password hashing, slowing down and locking repeated failures).
//!
//! Pure rules without I/O, tested cell by cell. [`crate::auth`] finds out who is asking and
//! `http::permitted` applies [`policy`] to every canvas request.

pub mod lockout;
pub mod password;
pub mod policy;
pub mod workspace;
