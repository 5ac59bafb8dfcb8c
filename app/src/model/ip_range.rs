//! An IP filter value: one address or a CIDR block, IPv4 or IPv6, as an inclusive range of
//! 16-byte addresses (IPv4 mapped into IPv6) so a database can compare it as bytes.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::IpAddr;

/// An address or a CIDR block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct IpRange {
    network: IpAddr,
    prefix: u8,
}

/// The 16-byte form of an address (IPv4 as `::ffff:a.b.c.d`), the stored form of `context.ip`.
pub fn ip_bytes(ip: IpAddr) -> [u8; 16] {
    match ip {
        IpAddr::V4(v4) => v4.to_ipv6_mapped().octets(),
        IpAddr::V6(v6) => v6.octets(),
    }
}

impl IpRange {
    /// Parses `10.0.0.1`, `10.0.0.0/8`, `2001:db8::/32`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let network: IpAddr = addr
            .trim()
            .parse()
            .map_err(|_| format!("'{text}' is not an IP address or CIDR block"))?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("'{text}': the prefix length must be 0 to {max}"))?,
        };
        Ok(Self { network, prefix })
    }

    /// The first and last 16-byte addresses of the block.
    pub fn bounds(&self) -> ([u8; 16], [u8; 16]) {
        let bits = u128::from_be_bytes(ip_bytes(self.network));
        let host_bits = u32::from(if self.network.is_ipv4() {
            32 - self.prefix
        } else {
            128 - self.prefix
        });
        let mask = if host_bits == 128 {
            u128::MAX
        } else {
            (1u128 << host_bits) - 1
        };
        ((bits & !mask).to_be_bytes(), (bits | mask).to_be_bytes())
    }

    /// Whether `ip` lies in the block.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let (first, last) = self.bounds();
        let b = ip_bytes(ip);
        first <= b && b <= last
    }
}

impl fmt::Display for IpRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let max = if self.network.is_ipv4() { 32 } else { 128 };
        if self.prefix == max {
            write!(f, "{}", self.network)
        } else {
            write!(f, "{}/{}", self.network, self.prefix)
        }
    }
}

impl From<IpRange> for String {
    fn from(r: IpRange) -> Self {
        r.to_string()
    }
}

impl TryFrom<String> for IpRange {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        Self::parse(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn cidr_blocks_contain_their_addresses_in_v4_and_v6() {
        let r = IpRange::parse("10.0.0.0/8").unwrap();
        assert!(r.contains(ip("10.255.1.2")));
        assert!(!r.contains(ip("11.0.0.1")));
        assert!(!r.contains(ip("2001:db8::1")));
        let one = IpRange::parse("203.0.113.10").unwrap();
        assert!(one.contains(ip("203.0.113.10")) && !one.contains(ip("203.0.113.11")));
        let v6 = IpRange::parse("2001:db8::/32").unwrap();
        assert!(v6.contains(ip("2001:db8:85a3::8a2e:370:7334")));
        assert!(!v6.contains(ip("2001:db9::1")));
        assert!(IpRange::parse("0.0.0.0/0").unwrap().contains(ip("8.8.8.8")));
        assert!(IpRange::parse("::/0").unwrap().contains(ip("::1")));
    }

    #[test]
    fn bad_addresses_and_prefixes_are_refused_and_good_ones_round_trip() {
        for bad in ["10.0.0", "10.0.0.0/33", "::/129", "x", "10.0.0.0/-1"] {
            assert!(IpRange::parse(bad).is_err(), "{bad}");
        }
        for good in ["10.0.0.0/8", "203.0.113.10", "2001:db8::/32"] {
            assert_eq!(IpRange::parse(good).unwrap().to_string(), good);
        }
    }
}
