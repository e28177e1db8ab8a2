//! The layers around the handlers, outermost first: who is asking ([`authenticate`]), errors as
//! pages for browsers ([`error_pages`]), the cross-site checks ([`guard::cross_site`]) on every
//! route, and, on the protected router only, [`guard::require_account`]. [`csp`] sets the
//! Content Security Policy with this response's nonce.

pub mod authenticate;
pub mod csp;
pub mod error_pages;
pub mod guard;
