//! The address of the client behind a request: the peer's, or, when the peer is one of the
//! `--trusted-proxies`, the one that proxy put in `X-Forwarded-For`.
//!
//! `X-Forwarded-For` is read from the right: each trusted proxy appends the address it saw, so
//! the rightmost address that is not itself a trusted proxy is the client. Anything further left
//! was written by the client and is ignored. From a peer that is not trusted the header counts
//! for nothing, so nobody can pose as another address by sending it.

use std::net::{IpAddr, SocketAddr};

use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::{HeaderMap, request::Parts},
};
use ipnet::IpNet;

use crate::{error::AppError, state::AppState};

/// The real client address of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(peer)| peer.ip())
            .ok_or(AppError::NotFound)?;
        Ok(Self(client_ip(
            peer,
            &parts.headers,
            &state.auth.trusted_proxies,
        )))
    }
}

/// The client address of a request from `peer` with `headers`.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(&canonical(*ip)));
    if !is_trusted(&peer) {
        return peer;
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    let mut client = peer;
    for hop in forwarded.iter().rev() {
        let Ok(ip) = hop.parse::<IpAddr>() else {
            // A malformed hop: stop at the last address a trusted proxy vouched for.
            break;
        };
        client = canonical(ip);
        if !is_trusted(&client) {
            break;
        }
    }
    client
}

/// IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`) as the IPv4 address they are.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(forwarded: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", forwarded.parse().expect("header"));
        headers
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("ip")
    }

    #[test]
    fn the_header_counts_only_from_trusted_proxies() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().expect("net")];
        let spoofed = headers("198.51.100.7");
        assert_eq!(
            client_ip(ip("203.0.113.5"), &spoofed, &trusted),
            ip("203.0.113.5")
        );
        assert_eq!(
            client_ip(ip("10.0.0.2"), &spoofed, &trusted),
            ip("198.51.100.7")
        );
        // The client's own forged entry sits left of what the proxies appended.
        let chain = headers("6.6.6.6, 198.51.100.7, 10.0.0.3");
        assert_eq!(
            client_ip(ip("10.0.0.2"), &chain, &trusted),
            ip("198.51.100.7")
        );
        assert_eq!(
            client_ip(ip("10.0.0.2"), &headers("kapot"), &trusted),
            ip("10.0.0.2")
        );
        assert_eq!(
            client_ip(ip("10.0.0.2"), &HeaderMap::new(), &trusted),
            ip("10.0.0.2")
        );
        assert_eq!(
            client_ip(ip("::ffff:10.0.0.2"), &spoofed, &trusted),
            ip("198.51.100.7")
        );
        assert_eq!(
            client_ip(ip("10.0.0.2"), &spoofed, &[]),
            ip("10.0.0.2"),
            "none trusted"
        );
    }
}
