//! Fuzz harness of the ingest decoder and validator (`parse_ingest_body`,
//! `NewEvent::validate`): any body, bytes or JSON, decodes to events or to a 400, never a panic;
//! each decoded event is valid or names the field that is not; a valid event gets its message
//! and category, and its own JSON decodes again.

mod common;

use app::catalog::{category_for, render_message};
use app::model::{parse_ingest_body, NewEvent};
use chrono::{DateTime, Duration, Utc};
use common::{long_text, text};
use proptest::collection::{btree_map, vec};
use proptest::option::{of, weighted};
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{json, Map, Value};

/// Any JSON scalar, numbers at the edges of every type included.
fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        text().prop_map(Value::from),
    ]
}

/// Any JSON value, a few levels deep.
fn value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(5, 48, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Value::Array),
            btree_map(text(), inner, 0..6).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// `suited`, and now and then any JSON value in its place.
fn or_any(suited: impl Strategy<Value = Value> + 'static) -> BoxedStrategy<Value> {
    prop_oneof![30 => suited, 1 => value()].boxed()
}

/// An action or category key: catalogued, well-formed, or not.
fn action() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        3 => select(
            &[
                "user.invited",
                "user.login",
                "SECRET_READ",
                "export.created",
                "a"
            ][..]
        )
        .prop_map(str::to_owned),
        3 => "[A-Za-z0-9_.:-]{1,130}",
        1 => text(),
    ];
    or_any(key.prop_map(Value::from))
}

/// A time as sent: RFC 3339 around 1970 and now, far ahead, or not a time.
fn occurred_at() -> impl Strategy<Value = Value> {
    let now = Utc::now().timestamp();
    let seconds = prop_oneof![
        1 => -100i64..100,
        3 => now - 1000..now + 1000,
        1 => -8_000_000_000_000i64..8_000_000_000_000,
    ];
    let instant = (seconds, 0u32..2_000_000_000, -1440i32..=1440).prop_filter_map(
        "a representable instant",
        |(s, n, offset)| {
            let offset = chrono::FixedOffset::east_opt(offset * 60)?;
            Some(
                DateTime::from_timestamp(s, n)?
                    .with_timezone(&offset)
                    .to_rfc3339(),
            )
        },
    );
    or_any(prop_oneof![4 => instant, 1 => text()].prop_map(Value::from))
}

/// Free text of an event: mostly short, plain or not, some past the 1 KiB bound.
fn event_text() -> impl Strategy<Value = Value> {
    let plain = "[A-Za-z0-9@._ -]{1,24}";
    or_any(prop_oneof![4 => plain, 4 => text(), 1 => long_text()].prop_map(Value::from))
}

/// A map holding the entries that are present.
fn object(entries: Vec<(&str, Option<Value>)>) -> Value {
    let map: Map<String, Value> = entries
        .into_iter()
        .filter_map(|(k, v)| Some((k.to_owned(), v?)))
        .collect();
    Value::Object(map)
}

fn actor() -> BoxedStrategy<Value> {
    let kind = prop_oneof![
        9 => select(&["user", "api_key", "service_account", "system"][..]),
        1 => Just("robot"),
    ];
    let id = prop_oneof![Just(Value::from("auditrail")), event_text()];
    (
        kind,
        id,
        of(event_text()),
        of(event_text()),
        weighted(0.05, value()),
    )
        .prop_map(|(kind, id, email, name, extra)| {
            object(vec![
                ("type", Some(Value::from(kind))),
                ("id", Some(id)),
                ("email", email),
                ("name", name),
                ("colour", extra),
            ])
        })
        .boxed()
}

fn target() -> BoxedStrategy<Value> {
    (event_text(), event_text(), of(event_text()))
        .prop_map(|(kind, id, name)| {
            object(vec![("type", Some(kind)), ("id", Some(id)), ("name", name)])
        })
        .boxed()
}

fn context() -> BoxedStrategy<Value> {
    let ip = prop_oneof![
        any::<std::net::IpAddr>().prop_map(|ip| Value::from(ip.to_string())),
        event_text(),
    ];
    (of(ip), of(event_text()), of(event_text()), of(event_text()))
        .prop_map(|(ip, user_agent, environment, request_id)| {
            object(vec![
                ("ip", ip),
                ("user_agent", user_agent),
                ("environment", environment),
                ("request_id", request_id),
            ])
        })
        .boxed()
}

fn change() -> BoxedStrategy<Value> {
    (event_text(), of(value()), of(value()))
        .prop_map(|(field, before, after)| {
            object(vec![
                ("field", Some(field)),
                ("before", before),
                ("after", after),
            ])
        })
        .boxed()
}

/// An event as an application could post it: every field, often well-formed, sometimes not,
/// sometimes missing, sometimes with a field the wire does not know.
fn event() -> BoxedStrategy<Value> {
    let who = (action(), of(action()), of(occurred_at()), or_any(actor()));
    let what = (
        of(prop_oneof![9 => vec(target(), 0..4), 1 => vec(target(), 60..70)].prop_map(Value::from)),
        of(or_any(context())),
        of(or_any(
            select(&["success", "failure", "success", "failure", "maybe"][..])
                .prop_map(Value::from),
        )),
    );
    let more = (
        of(or_any(
            btree_map(text(), value(), 0..6).prop_map(|m| json!(m)),
        )),
        of(or_any(vec(change(), 0..4).prop_map(Value::from))),
        of(event_text()),
        weighted(0.05, value()),
    );
    (who, what, more)
        .prop_map(
            |((action, category, occurred_at, actor), (targets, context, result), more)| {
                let (details, changes, idempotency_key, unknown) = more;
                object(vec![
                    ("action", Some(action)),
                    ("category", category),
                    ("occurred_at", occurred_at),
                    ("actor", Some(actor)),
                    ("targets", targets),
                    ("context", context),
                    ("result", result),
                    ("details", details),
                    ("changes", changes),
                    ("idempotency_key", idempotency_key),
                    ("unknown", unknown),
                ])
            },
        )
        .boxed()
}

/// A body: one event, a batch, a batch with a stray key, or a value of the wrong shape.
fn body_json() -> BoxedStrategy<Value> {
    prop_oneof![
        4 => event(),
        3 => vec(event(), 0..3).prop_map(|events| json!({"events": events})),
        1 => (vec(event(), 0..2), text()).prop_map(|(events, key)| json!({"events": events, key: 1})),
        1 => value(),
    ]
    .boxed()
}

/// JSON nested `depth` levels deep, in an array or in an event's details.
fn deep(depth: usize, in_details: bool) -> Vec<u8> {
    let nested = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
    let body = if in_details {
        format!(r#"{{"action":"a","actor":{{"type":"user","id":"u"}},"details":{{"x":{nested}}}}}"#)
    } else {
        nested
    };
    body.into_bytes()
}

/// A body's bytes: a plausible body as is or damaged, deep nesting, or any bytes at all.
fn body() -> impl Strategy<Value = Vec<u8>> {
    let damaged = (
        body_json(),
        any::<prop::sample::Index>(),
        any::<u8>(),
        0u8..8,
    )
        .prop_map(|(json, at, byte, how)| {
            let mut bytes = serde_json::to_vec(&json).unwrap_or_default();
            let at = at.index(bytes.len() + 1);
            match how {
                0 => bytes.truncate(at),
                1 => bytes.insert(at, byte),
                _ => {}
            }
            bytes
        });
    prop_oneof![
        8 => damaged,
        1 => (1usize..5000, any::<bool>()).prop_map(|(depth, details)| deep(depth, details)),
        1 => vec(any::<u8>(), 0..256),
        1 => text().prop_map(String::into_bytes),
    ]
}

/// The property: events or a 400; each event valid or naming its fault; a valid one renders
/// and decodes again from its own JSON.
fn decodes_or_refuses(body: &[u8]) -> Result<(), TestCaseError> {
    let now = Utc::now();
    let events = match parse_ingest_body(body) {
        Ok(events) => events,
        Err(error) => {
            prop_assert_eq!(error.status(), 400, "{:?}", error);
            return Ok(());
        }
    };
    for event in &events {
        if let Err(error) = event.validate(now) {
            prop_assert!(!error.field.is_empty() && !error.reason.is_empty());
            continue;
        }
        render_message(&event.action, &event.actor, &event.targets, &event.details);
        category_for(&event.action, event.category.as_deref());
        let json = serde_json::to_vec(event).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let again: Result<Vec<NewEvent>, _> = parse_ingest_body(&json);
        prop_assert!(again.is_ok(), "{:?}", again);
        let again = again.unwrap_or_default();
        prop_assert_eq!(again.len(), 1);
        prop_assert_eq!(again[0].validate(now + Duration::seconds(1)), Ok(()));
    }
    Ok(())
}

proptest! {
    #![proptest_config(common::config("fuzz_new_event"))]

    #[test]
    fn any_body_decodes_to_events_or_to_a_400(body in body()) {
        decodes_or_refuses(&body)?;
    }
}
