//! The client's address, for the audit log and login throttling.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

use crate::state::AppState;

/// The address a request came from: the socket peer, or — when Korps is configured to
/// trust its reverse proxy — the last `X-Forwarded-For` entry, the one that proxy added
/// (earlier entries come from the client and can be forged).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<IpAddr>);

impl ClientAddr {
    /// The client's network as throttling and rate limits count it: an IPv4 address
    /// alone, an IPv6 address's /64 (one subscriber gets a whole /64 and can pick any
    /// address in it). As an address with the host bits cleared, so it stores as `inet`.
    pub fn network(&self) -> Option<IpAddr> {
        self.0.map(network_of)
    }
}

/// See [`ClientAddr::network`]. An IPv4-mapped IPv6 address counts as IPv4.
pub fn network_of(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let bits = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(Ipv6Addr::from(bits))
            }
        },
    }
}

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(client_addr(parts, state.config.trust_proxy)))
    }
}

pub fn client_addr(parts: &Parts, trust_proxy: bool) -> Option<IpAddr> {
    if trust_proxy {
        // The last entry of the last header line: a proxy may append a line of its own.
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .next_back()
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.rsplit(',').next())
            .and_then(|last| last.trim().parse().ok());
        if forwarded.is_some() {
            return forwarded;
        }
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv6_client_counts_as_its_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff:1:2:3".parse().unwrap();
        assert_eq!(network_of(a), network_of(b));
        assert_eq!(network_of(a), "2001:db8:1:2::".parse::<IpAddr>().unwrap());
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_ne!(network_of(a), network_of(other));
    }

    #[test]
    fn ipv4_addresses_count_alone() {
        let a: IpAddr = "192.0.2.7".parse().unwrap();
        assert_eq!(network_of(a), a);
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(network_of(mapped), a);
        assert_ne!(network_of("192.0.2.8".parse().unwrap()), a);
    }
}
