//! Facts about the request itself: the client's address and browser, its cookies, and whether
//! it comes from the web app's own origin.

use app::model::{ClientInfo, MAX_TEXT_LEN};
use axum::extract::ConnectInfo;
use axum::http::header::{COOKIE, HOST, ORIGIN, USER_AGENT};
use axum::http::{Extensions, HeaderMap};
use std::net::{IpAddr, SocketAddr};

/// The value of the cookie `name`, if the request carries a non-empty one.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, value)| *key == name && !value.is_empty())
        .map(|(_, value)| value.to_owned())
}

/// Where the request came from: the peer address (or, behind a trusted proxy, the first
/// `X-Forwarded-For` address) and the user agent, cut to what an event may hold.
pub fn client_info(headers: &HeaderMap, extensions: &Extensions, trust_proxy: bool) -> ClientInfo {
    let forwarded = trust_proxy
        .then(|| headers.get("x-forwarded-for")?.to_str().ok())
        .flatten()
        .and_then(|v| v.split(',').next())
        .and_then(|v| v.trim().parse::<IpAddr>().ok());
    let peer = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let user_agent = headers
        .get(USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.chars().take(MAX_TEXT_LEN / 4).collect());
    ClientInfo {
        ip: forwarded.or(peer).map(|ip| ip.to_string()),
        user_agent,
    }
}

/// Whether a browser request may act with the session cookie: it must not come from another
/// site. Requests without `Origin` (scripts, same-origin GETs) pass; a present `Origin` must
/// name the host the request was sent to.
pub fn same_origin(headers: &HeaderMap) -> bool {
    if headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes() == b"cross-site")
    {
        return false;
    }
    let Some(origin) = headers.get(ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers.get(HOST).and_then(|v| v.to_str().ok());
    let origin_host = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn only_requests_from_the_same_host_pass_the_origin_check() {
        assert!(same_origin(&headers(&[("host", "logs.acme.com")])));
        assert!(same_origin(&headers(&[
            ("host", "logs.acme.com"),
            ("origin", "https://logs.acme.com")
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "logs.acme.com"),
            ("origin", "https://evil.example")
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "logs.acme.com"),
            ("origin", "null")
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "logs.acme.com"),
            ("sec-fetch-site", "cross-site")
        ])));
    }

    #[test]
    fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
        let mut extensions = Extensions::new();
        extensions.insert(ConnectInfo(SocketAddr::from(([10, 0, 0, 9], 4000))));
        let h = headers(&[
            ("x-forwarded-for", "203.0.113.7, 10.0.0.1"),
            ("user-agent", "curl/8"),
        ]);
        assert_eq!(
            client_info(&h, &extensions, false).ip.as_deref(),
            Some("10.0.0.9")
        );
        let behind_proxy = client_info(&h, &extensions, true);
        assert_eq!(behind_proxy.ip.as_deref(), Some("203.0.113.7"));
        assert_eq!(behind_proxy.user_agent.as_deref(), Some("curl/8"));
        assert_eq!(
            cookie(
                &headers(&[("cookie", "a=1; auditrail_device=xyz")]),
                "auditrail_device"
            ),
            Some("xyz".into())
        );
    }
}
