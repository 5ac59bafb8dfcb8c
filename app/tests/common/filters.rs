//! Plausible filter values and whole filters, for the harnesses of the search syntax and the
//! URL parameters: most near a bound, so the properties reach the checks behind the parsing.

use crate::common::text;
use app::model::{Criteria, EventFilter, EventResult, IpRange};
use chrono::{DateTime, Utc};
use proptest::collection::vec;
use proptest::prelude::*;
use std::net::{Ipv4Addr, Ipv6Addr};

/// `/prefix` or nothing; prefixes run past the largest valid one.
fn prefix() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        (0u16..=140).prop_map(|p| format!("/{p}")),
        text().prop_map(|t| format!("/{t}")),
    ]
}

/// An IP address or CIDR block as typed: mostly valid, some not.
pub fn ip_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => (any::<u32>(), prefix()).prop_map(|(a, p)| format!("{}{p}", Ipv4Addr::from(a))),
        3 => (any::<u128>(), prefix()).prop_map(|(a, p)| format!("{}{p}", Ipv6Addr::from(a))),
        1 => text(),
    ]
}

/// A valid IP range.
pub fn ip_range() -> impl Strategy<Value = IpRange> {
    prop_oneof![
        (any::<u32>(), 0u8..=32).prop_map(|(a, p)| format!("{}/{p}", Ipv4Addr::from(a))),
        (any::<u128>(), 0u8..=128).prop_map(|(a, p)| format!("{}/{p}", Ipv6Addr::from(a))),
    ]
    .prop_filter_map("a valid range", |text| IpRange::parse(&text).ok())
}

/// A calendar date `YYYY-MM-DD`, its parts sometimes out of range, its year sometimes past
/// four digits.
fn calendar_date() -> impl Strategy<Value = String> {
    let year = prop_oneof![1965i32..1972, 2024i32..2026, 9998i32..10002, any::<i32>()];
    (year, 0u32..=13, 0u32..=32).prop_map(|(y, m, d)| {
        if (0..10_000).contains(&y) {
            format!("{y:04}-{m:02}-{d:02}")
        } else {
            format!("{y:+}-{m:02}-{d:02}")
        }
    })
}

/// A date or time as typed: `YYYY-MM-DD` or RFC 3339 with out-of-range parts, fractions,
/// offsets, lower-case or space separators and leap seconds, many of them valid; or anything.
pub fn date_text() -> impl Strategy<Value = String> {
    let fraction = prop_oneof![
        Just(String::new()),
        (0u64..10_000_000_000).prop_map(|n| format!(".{n}")),
    ];
    let offset = prop_oneof![
        Just("Z".to_owned()),
        Just("z".to_owned()),
        (-1500i32..=1500).prop_map(|m| {
            let sign = if m < 0 { '-' } else { '+' };
            format!("{sign}{:02}:{:02}", m.abs() / 60, m.abs() % 60)
        }),
    ];
    let separator = prop_oneof![4 => Just('T'), 1 => Just('t'), 1 => Just(' ')];
    let clock = (0u32..=24, 0u32..=60, 0u32..=61);
    let time = (calendar_date(), separator, clock, fraction, offset)
        .prop_map(|(d, t, (h, m, s), f, o)| format!("{d}{t}{h:02}:{m:02}:{s:02}{f}{o}"));
    prop_oneof![2 => calendar_date(), 3 => time, 1 => text()]
}

/// `success`, `failure` or something else.
pub fn result_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("success".to_owned()),
        Just("failure".to_owned()),
        text()
    ]
}

/// An instant between 1970 and 10000: a midnight, a whole second, or any nanosecond.
pub fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    const LAST_SECOND: i64 = 253_402_300_799; // 9999-12-31T23:59:59Z
    prop_oneof![
        (0..=LAST_SECOND / 86_400 + 1).prop_map(|day| (day * 86_400, 0u32)),
        (0..=LAST_SECOND).prop_map(|s| (s, 0u32)),
        (0..=LAST_SECOND, 0u32..1_000_000_000),
    ]
    .prop_filter_map("a representable instant", |(s, n)| {
        DateTime::from_timestamp(s, n)
    })
}

/// Text that starts like a value (not blank, not a quote), most of the time.
pub fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => ("[^\\s\"]", text()).prop_map(|(first, rest)| first + &rest),
        1 => text(),
    ]
}

fn values() -> impl Strategy<Value = Vec<String>> {
    vec(word(), 0..3)
}

fn criteria() -> impl Strategy<Value = Criteria> {
    let texts = (values(), values(), values(), values(), values(), values());
    let results = vec(
        prop_oneof![Just(EventResult::Success), Just(EventResult::Failure)],
        0..3,
    );
    (texts, vec(ip_range(), 0..3), results).prop_map(
        |((actors, actions, categories, target_types, target_ids, environments), ips, results)| {
            Criteria {
                actors,
                actions,
                categories,
                target_types,
                target_ids,
                ips,
                results,
                environments,
            }
        },
    )
}

/// A filter with a few values in some fields, each almost any text: some are not valid (NUL,
/// empty values) and some cannot be written in the search syntax at all.
pub fn filter() -> impl Strategy<Value = EventFilter> {
    let bounds = (
        proptest::option::of(instant()),
        proptest::option::of(instant()),
    );
    (bounds, criteria(), criteria(), proptest::option::of(word())).prop_map(
        |((from, until), include, exclude, q)| EventFilter {
            from,
            until,
            include,
            exclude,
            q,
            through_seq: None,
        },
    )
}
