//! Which addresses a log stream may connect to. A stream sends the organization's events
//! wherever an admin points it, so an admin could otherwise make the server reach what only
//! it can reach (SSRF): cloud metadata, the database, internal services. Link-local (metadata),
//! multicast, broadcast and unspecified addresses are always refused; loopback and private
//! ranges unless the operator allows them (`--allow-private-destinations`, for a SIEM on the
//! internal network or a local receiver). Every address a name resolves to is checked when
//! connecting, so a name that later resolves elsewhere (DNS rebinding) is caught too.

use app::model::Destination;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::Url;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Which addresses destinations may have.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DestinationPolicy {
    /// Loopback and private addresses (and plain `http://`) are allowed.
    pub allow_private: bool,
}

impl DestinationPolicy {
    /// Why `ip` may not be connected to, if it may not.
    pub fn refusal(self, ip: IpAddr) -> Option<String> {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        let kind = if let Some(kind) = never_reached(ip) {
            kind
        } else if !self.allow_private {
            internal(ip)?
        } else {
            return None;
        };
        Some(format!(
            "the destination's address {ip} is {kind}: log streams do not connect to it{}",
            if self.allow_private || kind == LINK_LOCAL || kind == SPECIAL {
                ""
            } else {
                " (the operator can allow private destinations)"
            }
        ))
    }

    /// Checks a destination as configured: an `https://` URL (plain `http://` only where
    /// private destinations are allowed) without credentials in it, or a syslog host, whose
    /// literal address or `localhost` name is not refused.
    pub fn check(self, destination: &Destination) -> Result<(), String> {
        match destination {
            Destination::Webhook { url }
            | Destination::SplunkHec { url, .. }
            | Destination::Datadog { url, .. } => self.check_url(url).map(|_| ()),
            Destination::Syslog { host, .. } => self.check_host(host),
        }
    }

    /// The URL, parsed, if it may be posted to.
    pub fn check_url(self, url: &str) -> Result<Url, String> {
        let parsed = Url::parse(url).map_err(|e| format!("the URL is not valid: {e}"))?;
        match parsed.scheme() {
            "https" => {}
            "http" if self.allow_private => {}
            "http" => return Err("the URL must use https://".into()),
            other => return Err(format!("the URL must use https://, not {other}://")),
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err("the URL must not hold a user name or password".into());
        }
        let host = parsed
            .host_str()
            .ok_or_else(|| "the URL has no host".to_owned())?;
        self.check_host(host.trim_start_matches('[').trim_end_matches(']'))?;
        Ok(parsed)
    }

    /// Refuses a literal address that may not be reached, and `localhost`.
    fn check_host(self, host: &str) -> Result<(), String> {
        if host.is_empty() {
            return Err("the destination has no host".into());
        }
        if let Ok(ip) = host.parse::<IpAddr>() {
            return self.refusal(ip).map_or(Ok(()), Err);
        }
        let name = host.trim_end_matches('.').to_ascii_lowercase();
        if (name == "localhost" || name.ends_with(".localhost")) && !self.allow_private {
            return Err(format!(
                "the destination's address {host} is a loopback address: log streams do not \
                 connect to it (the operator can allow private destinations)"
            ));
        }
        Ok(())
    }

    /// The addresses `host` resolves to that may be reached; an error when there are none.
    pub async fn resolve(self, host: &str, port: u16) -> Result<Vec<SocketAddr>, String> {
        self.check_host(host)?;
        let found = tokio::net::lookup_host((host, port))
            .await
            .map_err(|e| format!("cannot resolve {host}: {e}"))?;
        let mut refusal = None;
        let allowed: Vec<SocketAddr> = found
            .filter(|address| match self.refusal(address.ip()) {
                Some(why) => {
                    refusal = Some(why);
                    false
                }
                None => true,
            })
            .collect();
        if allowed.is_empty() {
            return Err(refusal.unwrap_or_else(|| format!("{host} resolves to no address")));
        }
        Ok(allowed)
    }
}

const LINK_LOCAL: &str = "a link-local address (such as cloud metadata)";
const SPECIAL: &str = "an unspecified, multicast or broadcast address";

/// What no destination may be, whatever the operator allows.
fn never_reached(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) if v4.is_link_local() => Some(LINK_LOCAL),
        IpAddr::V6(v6) if (v6.segments()[0] & 0xffc0) == 0xfe80 => Some(LINK_LOCAL),
        IpAddr::V4(v4) if v4.is_unspecified() || v4.is_multicast() || v4.is_broadcast() => {
            Some(SPECIAL)
        }
        IpAddr::V6(v6) if v6.is_unspecified() || v6.is_multicast() => Some(SPECIAL),
        _ => None,
    }
}

/// What only the server's own networks reach: loopback, private, shared and reserved ranges.
fn internal(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) if v4.is_loopback() => Some("a loopback address"),
        IpAddr::V4(v4) if v4.is_private() || is_shared(v4) || v4.octets()[0] == 0 => {
            Some("a private address")
        }
        IpAddr::V6(v6) if v6.is_loopback() => Some("a loopback address"),
        IpAddr::V6(v6) if is_unique_local(v6) => Some("a private address"),
        _ => None,
    }
}

/// 100.64.0.0/10, carrier-grade NAT.
fn is_shared(v4: Ipv4Addr) -> bool {
    let [a, b, ..] = v4.octets();
    a == 100 && (b & 0xc0) == 64
}

/// fc00::/7.
fn is_unique_local(v6: Ipv6Addr) -> bool {
    (v6.segments()[0] & 0xfe00) == 0xfc00
}

/// Resolves names for the HTTP client, keeping only the addresses the policy allows.
pub struct Resolver(pub DestinationPolicy);

impl Resolve for Resolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.0;
        Box::pin(async move {
            let addresses = policy
                .resolve(name.as_str(), 0)
                .await
                .map_err(|why| -> Box<dyn std::error::Error + Send + Sync> { why.into() })?;
            let addresses: Addrs = Box::new(addresses.into_iter());
            Ok(addresses)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRICT: DestinationPolicy = DestinationPolicy {
        allow_private: false,
    };
    const LENIENT: DestinationPolicy = DestinationPolicy {
        allow_private: true,
    };

    fn webhook(url: &str) -> Destination {
        Destination::Webhook { url: url.into() }
    }

    #[test]
    fn internal_addresses_are_refused_unless_allowed() {
        for url in [
            "https://127.0.0.1/hook",
            "https://10.0.0.1/hook",
            "https://192.168.1.20:8088/",
            "https://172.16.0.1/",
            "https://100.64.0.1/",
            "https://[::1]/hook",
            "https://[fd00::1]/hook",
            "https://[::ffff:127.0.0.1]/hook",
            "https://localhost:8080/hook",
            "https://0.0.0.1/",
        ] {
            let refused = STRICT.check(&webhook(url)).unwrap_err();
            assert!(refused.contains("address"), "{url}: {refused}");
            assert_eq!(LENIENT.check(&webhook(url)), Ok(()), "{url}");
        }
    }

    #[test]
    fn metadata_and_special_addresses_are_always_refused() {
        for url in [
            "https://169.254.169.254/latest/meta-data/",
            "https://[fe80::1]/",
            "https://0.0.0.0/",
            "https://224.0.0.1/",
            "https://255.255.255.255/",
            "https://[::ffff:169.254.169.254]/",
        ] {
            for policy in [STRICT, LENIENT] {
                let refused = policy.check(&webhook(url)).unwrap_err();
                assert!(refused.contains("address"), "{url}: {refused}");
            }
        }
        let syslog = Destination::Syslog {
            host: "169.254.169.254".into(),
            port: 514,
            tls: false,
        };
        assert!(LENIENT.check(&syslog).is_err());
    }

    #[test]
    fn public_https_urls_pass_and_other_forms_do_not() {
        assert_eq!(
            STRICT.check(&webhook("https://siem.example.com/hook")),
            Ok(())
        );
        assert_eq!(STRICT.check(&webhook("https://93.184.216.34/")), Ok(()));
        for url in [
            "http://siem.example.com/hook",
            "ftp://siem.example.com/",
            "https://user:pass@siem.example.com/",
            "not a url",
        ] {
            assert!(STRICT.check(&webhook(url)).is_err(), "{url}");
        }
        assert_eq!(LENIENT.check(&webhook("http://127.0.0.1:9/hook")), Ok(()));
    }

    #[tokio::test]
    async fn names_resolving_to_internal_addresses_are_refused_when_connecting() {
        let refused = STRICT.resolve("127.0.0.1", 80).await.unwrap_err();
        assert!(refused.contains("loopback"), "{refused}");
        assert_eq!(
            LENIENT.resolve("127.0.0.1", 80).await.unwrap(),
            vec!["127.0.0.1:80".parse().unwrap()]
        );
    }
}
