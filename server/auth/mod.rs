//! Who is asking: sign-in, sessions, personal access tokens, CSRF and Origin checks.
//!
//! - [`secret`]: random secrets and the hashes under which they are stored.
//! - [`sign_in`]: checking a password with lockout, without revealing whether an account exists.
//! - [`session`]: the session cookie.
//! - [`viewer`]: the signed-in account of a request, resolved once by middleware.
//! - [`guard`]: the middleware that answers 401 to strangers and refuses cross-site requests.
//! - [`links`]: one-time links for invitations and password resets.
//!
//! What a signed-in account may do with a canvas is [`crate::access::policy`]'s business.

pub mod guard;
pub mod links;
pub mod secret;
pub mod session;
pub mod sign_in;
pub mod viewer;

pub use viewer::{Via, Viewer};
