//! The content security policy, with a fresh nonce per response for style elements.
//!
//! No inline script is allowed at all. Styles may come from our own files and from `<style>`
//! elements that carry this response's nonce: CodeMirror injects its base styles that way, and the
//! page hands the nonce to it in `<meta name="csp-nonce">`. Style changes made by script through
//! the CSSOM (`element.style`) need no nonce.

use axum::{
    extract::Request,
    http::{HeaderValue, header},
    middleware::Next,
    response::Response,
};

/// This response's nonce; handlers that render pages put it into the layout.
#[derive(Debug, Clone)]
pub struct CspNonce(pub String);

impl CspNonce {
    fn fresh() -> Self {
        // 122 random bits from the operating system's generator, hex-encoded.
        Self(uuid::Uuid::new_v4().simple().to_string())
    }
}

/// Middleware: makes a nonce available to the handler and sets the policy on the response.
pub async fn content_security_policy(mut request: Request, next: Next) -> Response {
    let nonce = CspNonce::fresh();
    request.extensions_mut().insert(nonce.clone());
    let mut response = next.run(request).await;
    let policy = format!(
        "default-src 'self'; script-src 'self'; style-src 'self' 'nonce-{}'; img-src 'self' data:; \
         connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        nonce.0
    );
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}
