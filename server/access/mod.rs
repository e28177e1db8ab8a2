//! Who may do what: the access rules of the roles in a doorbraakteam, and the building blocks of
//! sign-in (password hashing, slowing down and locking repeated failures).
//!
//! This is the groundwork of accounts and access control: the rules are complete and tested cell
//! by cell, but the server does not enforce them yet (no accounts exist yet to enforce them on).

pub mod lockout;
pub mod password;
pub mod policy;
