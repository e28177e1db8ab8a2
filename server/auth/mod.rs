//! Who is asking: sign-in, sessions, personal access tokens, one-time links. Nothing here
//! decides what someone may do (that is [`crate::access`]) or touches connections.
//!
//! - [`secret`]: random secrets and the hashes under which they are stored.
//! - [`sign_in`]: checking a password with lockout, without revealing whether an account exists.
//! - [`session`]: the session cookie.
//! - [`viewer`]: the signed-in account behind a cookie, a token or a ticket.
//! - [`origin`]: HTTPS behind a proxy, same-origin requests and safe return paths.
//! - [`links`]: one-time links for invitations and password resets.
//!
//! What a signed-in account may do with a canvas is [`crate::access::policy`]'s business.

pub mod links;
pub mod origin;
pub mod secret;
pub mod session;
pub mod sign_in;
pub mod viewer;

pub use viewer::{Via, Viewer};
