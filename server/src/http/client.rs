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

/// Where the request came from: the peer address (or, behind a trusted proxy, the last
/// `X-Forwarded-For` entry, the one that proxy appended: entries to its left are whatever the
/// client sent) and the user agent, trimmed, cut to what an event may hold, `None` when blank.
pub fn client_info(headers: &HeaderMap, extensions: &Extensions, trust_proxy: bool) -> ClientInfo {
    let forwarded = trust_proxy
        .then(|| headers.get_all("x-forwarded-for").iter().next_back())
        .flatten()
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .and_then(|v| v.trim().parse::<IpAddr>().ok());
    let peer = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let user_agent = headers
        .get(USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| v.chars().take(MAX_TEXT_LEN / 4).collect());
    ClientInfo {
        ip: forwarded.or(peer).map(|ip| ip.to_string()),
        user_agent,
    }
}

/// Whether a browser request may act with the session cookie: it must come from the web app's
/// own pages. A `Sec-Fetch-Site` of `cross-site` or `same-site` (a sibling subdomain is another
/// site to us) is refused; requests without `Origin` (scripts, same-origin GETs, typed URLs)
/// pass; a present `Origin` must name the host the request was sent to.
pub fn same_origin(headers: &HeaderMap) -> bool {
    if headers
        .get("sec-fetch-site")
        .is_some_and(|v| matches!(v.as_bytes(), b"cross-site" | b"same-site"))
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
        for site in ["cross-site", "same-site"] {
            assert!(!same_origin(&headers(&[
                ("host", "logs.acme.com"),
                ("sec-fetch-site", site)
            ])));
        }
        for site in ["same-origin", "none"] {
            assert!(same_origin(&headers(&[
                ("host", "logs.acme.com"),
                ("sec-fetch-site", site)
            ])));
        }
    }

    #[test]
    fn behind_a_trusted_proxy_the_address_it_appended_names_the_client() {
        let mut extensions = Extensions::new();
        extensions.insert(ConnectInfo(SocketAddr::from(([10, 0, 0, 9], 4000))));
        let spoofed = headers(&[
            ("x-forwarded-for", "6.6.6.6, 203.0.113.7"),
            ("user-agent", "curl/8"),
        ]);
        assert_eq!(
            client_info(&spoofed, &extensions, false).ip.as_deref(),
            Some("10.0.0.9"),
            "without --trust-proxy the header is ignored"
        );
        let behind_proxy = client_info(&spoofed, &extensions, true);
        assert_eq!(
            behind_proxy.ip.as_deref(),
            Some("203.0.113.7"),
            "the client's own entry (leftmost) is not believed"
        );
        assert_eq!(behind_proxy.user_agent.as_deref(), Some("curl/8"));
        let mut appended_as_a_second_header = spoofed.clone();
        appended_as_a_second_header
            .append("x-forwarded-for", HeaderValue::from_static("198.51.100.2"));
        assert_eq!(
            client_info(&appended_as_a_second_header, &extensions, true)
                .ip
                .as_deref(),
            Some("198.51.100.2")
        );
        let garbage = headers(&[("x-forwarded-for", "203.0.113.7, unknown")]);
        assert_eq!(
            client_info(&garbage, &extensions, true).ip.as_deref(),
            Some("10.0.0.9"),
            "an entry the proxy did not write as an address falls back to the peer"
        );
    }

    #[test]
    fn a_blank_user_agent_is_none_and_a_long_one_is_trimmed_then_cut() {
        let extensions = Extensions::new();
        for blank in ["", "   "] {
            let info = client_info(&headers(&[("user-agent", blank)]), &extensions, false);
            assert_eq!(info.user_agent, None, "{blank:?}");
        }
        let long = format!("  {}", "x".repeat(MAX_TEXT_LEN));
        let info = client_info(&headers(&[("user-agent", &long)]), &extensions, false);
        assert_eq!(info.user_agent, Some("x".repeat(MAX_TEXT_LEN / 4)));
    }

    #[test]
    fn a_cookie_is_found_by_name_among_several() {
        assert_eq!(
            cookie(
                &headers(&[("cookie", "a=1; auditrail_device=xyz")]),
                "auditrail_device"
            ),
            Some("xyz".into())
        );
        assert_eq!(cookie(&headers(&[("cookie", "a=1; b=")]), "b"), None);
    }
}
