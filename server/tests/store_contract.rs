//! The storage contract: every behaviour the services rely on, run against SQLite and
//! PostgreSQL alike (one function per behaviour, instantiated for both by `contract!`).

mod common;

use app::model::{
    Actor, ActorType, AuditEvent, Criteria, Cursor, EventContext, EventFilter, EventResult,
    IpRange, NewEvent, Permission, Plan, PurgeRecord, Target,
};
use chrono::{DateTime, Duration, Utc};
use common::database::TestDatabase;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use server::chain;
use server::proof::merkle::{self, Hash};
use server::store::{
    event_leaf, indexer, open, EventDraft, EventStore, IdentityStore, IndexBacklog, Organization,
    ProofStore, RetentionStore, StoreError, StoredCheckpoint,
};
use std::sync::Arc;

/// Whether the indexer runs beside a behaviour: every answer must be the same either way.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Indexing {
    /// Nothing is indexed: every read answers from the log's tail.
    Stopped,
    /// An indexer runs in small chunks, so reads meet the index at every position.
    Running,
}

tokio::task_local! {
    static INDEXING: Indexing;
}

/// The stores a behaviour works on.
struct Stores {
    identity: IdentityStore,
    events: Arc<dyn EventStore>,
    proofs: Arc<dyn ProofStore>,
    retention: Arc<dyn RetentionStore>,
}

async fn stores(url: &str) -> Stores {
    let stores = open(url).await.expect("open stores");
    stores
        .events
        .migrate()
        .await
        .expect("migrating twice is harmless");
    if INDEXING.get() == Indexing::Running {
        let events = stores.events.clone();
        tokio::spawn(async move {
            loop {
                indexer::index_pending(&*events, &IndexBacklog::default(), 50)
                    .await
                    .expect("index");
                tokio::time::sleep(std::time::Duration::from_millis(2)).await;
            }
        });
    }
    Stores {
        identity: stores.identity,
        events: stores.events,
        proofs: stores.proofs,
        retention: stores.retention,
    }
}

fn draft(
    action: &str,
    actor_email: &str,
    at: DateTime<Utc>,
    key: Option<&str>,
    content: &str,
) -> EventDraft {
    EventDraft {
        event: AuditEvent {
            id: uuid::Uuid::now_v7().to_string(),
            seq: 0,
            action: action.into(),
            category: action.split('.').next().unwrap().into(),
            occurred_at: at,
            received_at: at,
            actor: Actor {
                kind: ActorType::User,
                id: format!("id-{actor_email}"),
                email: Some(actor_email.into()),
                name: None,
            },
            targets: vec![],
            context: EventContext::default(),
            result: EventResult::Success,
            details: serde_json::Map::new(),
            changes: vec![],
            message: format!("{actor_email} did {action}"),
            idempotency_key: key.map(str::to_owned),
            source: None,
            prev_hash: String::new(),
            hash: String::new(),
        },
        content_hash: key.map(|_| content.into()),
    }
}

/// A time in the current month (lands in a monthly partition on PostgreSQL).
fn recent(seconds_ago: i64) -> DateTime<Utc> {
    (Utc::now() - Duration::seconds(seconds_ago)).trunc_subsecs_micros()
}

trait Micros {
    fn trunc_subsecs_micros(self) -> Self;
}

impl Micros for DateTime<Utc> {
    fn trunc_subsecs_micros(self) -> Self {
        chrono::SubsecRound::trunc_subsecs(self, 6)
    }
}

/// Every event of an organization, oldest `seq` first.
async fn all_by_seq(store: &dyn EventStore, org_id: i64) -> Vec<AuditEvent> {
    let mut events = store
        .list_events(org_id, &EventFilter::default(), None, 100_000)
        .await
        .unwrap();
    events.sort_by_key(|e| e.seq);
    events
}

fn assert_chain_intact(events: &[AuditEvent]) {
    let mut prev = chain::GENESIS.to_owned();
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e.seq, i as i64 + 1, "seq has a gap or a repeat");
        assert_eq!(
            e.prev_hash, prev,
            "event {} does not link to its predecessor",
            e.seq
        );
        assert_eq!(chain::link_hash(&prev, e), e.hash, "event {} hash", e.seq);
        prev.clone_from(&e.hash);
    }
}

async fn identity_records_round_trip_and_names_are_unique(url: &str) {
    let identity = stores(url).await.identity;
    let store = &identity;
    let org = create_org(store, "acme").await;
    assert_eq!(
        store.organization_by_slug("acme").await.unwrap(),
        Some(org.clone())
    );
    let mut tx = store.begin().await.unwrap();
    assert!(matches!(
        tx.create_organization("acme", "Again", Plan::Free, 7).await,
        Err(StoreError::Duplicate(_))
    ));
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    let role = tx
        .create_role(org.id, "auditor", &[Permission::AuditLogsRead], false)
        .await
        .unwrap();
    let user = tx.create_user("Ana@Acme.com", "Ana", "hash").await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        store.role_by_name(org.id, "auditor").await.unwrap(),
        Some(role.clone())
    );
    assert!(store
        .role_by_name(org.id, "nobody")
        .await
        .unwrap()
        .is_none());
    let mut tx = store.begin().await.unwrap();
    assert!(matches!(
        tx.create_user("ana@acme.com", "Dup", "h").await,
        Err(StoreError::Duplicate(_))
    ));
    drop(tx);
    assert_eq!(
        store
            .user_by_email("ANA@acme.com")
            .await
            .unwrap()
            .unwrap()
            .id,
        user.id
    );
    let session = server::store::NewSession {
        token_hash: "t1",
        user_id: user.id,
        org_id: org.id,
        expires_at: Utc::now() + Duration::hours(1),
    };
    let mut tx = store.begin().await.unwrap();
    tx.add_member(org.id, user.id, role.id).await.unwrap();
    tx.create_session(&session).await.unwrap();
    tx.commit().await.unwrap();
    let members = store.memberships(user.id).await.unwrap();
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].role.permissions, [Permission::AuditLogsRead]);
    let found = store
        .session_member("t1", Utc::now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.organization.slug, "acme");
    assert!(
        store
            .session_member("t1", Utc::now() + Duration::hours(2))
            .await
            .unwrap()
            .is_none(),
        "expired"
    );
    let mut tx = store.begin().await.unwrap();
    tx.delete_session("t1").await.unwrap();
    let key = tx
        .create_api_key(
            org.id,
            "ci",
            &[Permission::EventsWrite],
            "secret-hash",
            "abcd",
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(store
        .session_member("t1", Utc::now())
        .await
        .unwrap()
        .is_none());
    let (found, found_org) = store
        .api_key_by_secret_hash("secret-hash")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (found.id, found.scopes, found_org.id),
        (key.id, vec![Permission::EventsWrite], org.id)
    );
    assert!(store
        .api_key_by_secret_hash("other")
        .await
        .unwrap()
        .is_none());
}

/// Creates an organization (pro plan, 90 days) named by its slug.
async fn create_org(identity: &IdentityStore, slug: &str) -> Organization {
    let mut tx = identity.begin().await.unwrap();
    let org = tx
        .create_organization(slug, slug, Plan::Pro, 90)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    org
}

async fn appends_number_and_chain_events_per_organization(url: &str) {
    let Stores {
        identity,
        events: store,
        ..
    } = stores(url).await;
    let a = create_org(&identity, "a").await;
    let b = create_org(&identity, "b").await;
    for round in 0..3 {
        let batch = (0..50)
            .map(|i| draft("user.login", "x@a.com", recent(i + round * 100), None, "c"))
            .collect();
        let stored = store.append_events(a.id, batch).await.unwrap();
        assert_eq!(stored.len(), 50);
        assert_eq!(stored[0].seq, round * 50 + 1);
    }
    let other = store
        .append_events(b.id, vec![draft("x.y", "y@b.com", recent(1), None, "c")])
        .await
        .unwrap();
    assert_eq!(other[0].seq, 1, "each organization counts from 1");
    assert_eq!(other[0].prev_hash, chain::GENESIS);
    let events = all_by_seq(&*store, a.id).await;
    assert_chain_intact(&events);
    // The log in `seq` order, whichever way a chunk is read.
    for (after, until, limit) in [
        (0, 150, 1000),
        (10, 120, 25),
        (149, 150, 10),
        (150, 150, 10),
    ] {
        let expected: Vec<&AuditEvent> = events
            .iter()
            .filter(|e| e.seq > after && e.seq <= until.min(after + i64::from(limit)))
            .collect();
        let links = store.chain_links(a.id, after, until, limit).await.unwrap();
        let stored = store
            .stored_events(a.id, after, until, limit)
            .await
            .unwrap();
        assert_eq!(
            links.iter().map(|l| (l.seq, &l.hash)).collect::<Vec<_>>(),
            expected
                .iter()
                .map(|e| (e.seq, &e.hash))
                .collect::<Vec<_>>()
        );
        assert_eq!(
            stored,
            links.iter().map(|l| l.data.clone()).collect::<Vec<_>>()
        );
    }
    assert!(store
        .event_by_id(b.id, &other[0].id)
        .await
        .unwrap()
        .is_some());
    assert!(
        store
            .event_by_id(a.id, &other[0].id)
            .await
            .unwrap()
            .is_none(),
        "organizations are isolated"
    );
}

async fn idempotency_keys_replay_or_conflict_atomically(url: &str) {
    let Stores {
        identity,
        events: store,
        ..
    } = stores(url).await;
    let org = create_org(&identity, "a").await;
    let first = store
        .append_events(
            org.id,
            vec![draft("a.b", "x@a.com", recent(5), Some("k1"), "h1")],
        )
        .await
        .unwrap();
    let replay = store
        .append_events(
            org.id,
            vec![
                draft("a.b", "x@a.com", recent(5), Some("k1"), "h1"),
                draft("a.c", "x@a.com", recent(4), None, "h"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(replay[0], first[0], "a retry yields the original");
    assert_eq!(replay[1].seq, 2);
    let conflict = store
        .append_events(
            org.id,
            vec![
                draft("a.d", "x@a.com", recent(3), None, "h"),
                draft("a.b", "x@a.com", recent(5), Some("k1"), "other"),
            ],
        )
        .await;
    assert!(
        matches!(conflict, Err(StoreError::IdempotencyConflict { index: 1 })),
        "{conflict:?}"
    );
    let twice = store
        .append_events(
            org.id,
            vec![
                draft("a.e", "x@a.com", recent(2), Some("k2"), "h2"),
                draft("a.e", "x@a.com", recent(2), Some("k2"), "h2"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(
        twice[0], twice[1],
        "a key repeated inside one batch stores one event"
    );
    let all = all_by_seq(&*store, org.id).await;
    assert_eq!(all.len(), 3, "the conflicting batch wrote nothing");
    assert_chain_intact(&all);
}

async fn lists_newest_first_by_keyset_with_every_filter(url: &str) {
    let Stores {
        identity,
        events: store,
        ..
    } = stores(url).await;
    let org = create_org(&identity, "a").await;
    let base = recent(10_000);
    let at = |s: i64| base + Duration::seconds(s);
    let old: DateTime<Utc> = "2021-03-04T05:06:07Z".parse().unwrap();
    let batch = vec![
        draft("user.login", "Alice@a.com", at(1), None, "c"),
        draft("user.login", "bob@a.com", at(2), None, "c"),
        draft("secret.read", "alice@a.com", at(3), None, "c"),
        draft("secret.read", "carol@a.com", at(3), None, "c"),
        draft("role.created", "bob@a.com", old, None, "c"),
    ];
    store.append_events(org.id, batch).await.unwrap();
    let count = |filter: EventFilter| {
        let store = store.clone();
        async move {
            let n = store.count_events(org.id, &filter).await.unwrap();
            let listed = store
                .list_events(org.id, &filter, None, 1000)
                .await
                .unwrap();
            assert_eq!(listed.len() as u64, n, "{filter:?}");
            n
        }
    };
    let f = EventFilter::default;
    let with = |edit: fn(&mut Criteria)| {
        let mut filter = f();
        edit(&mut filter.include);
        filter
    };
    assert_eq!(count(f()).await, 5);
    assert_eq!(
        count(with(|c| c.actions = vec!["secret.read".into()])).await,
        2
    );
    assert_eq!(
        count(with(|c| c.actions = vec!["user.*".into()])).await,
        2,
        "prefix pattern"
    );
    assert_eq!(
        count(with(|c| c.categories = vec!["user".into(), "role".into()])).await,
        3
    );
    assert_eq!(
        count(with(|c| c.actors = vec!["ALICE@a.com".into()])).await,
        2,
        "actor email matches case-insensitively"
    );
    assert_eq!(
        count(with(|c| c.actors = vec!["id-carol@a.com".into()])).await,
        1,
        "actor id matches"
    );
    let not_bob = EventFilter {
        exclude: Criteria {
            actors: vec!["bob@a.com".into()],
            ..Criteria::default()
        },
        ..f()
    };
    assert_eq!(count(not_bob).await, 3);
    assert_eq!(
        count(EventFilter {
            from: Some(at(2)),
            ..f()
        })
        .await,
        3
    );
    assert_eq!(
        count(EventFilter {
            until: Some(at(2)),
            ..f()
        })
        .await,
        2
    );
    assert_eq!(
        count(EventFilter {
            through_seq: Some(2),
            ..f()
        })
        .await,
        2
    );
    let mut seen = Vec::new();
    let mut cursor: Option<Cursor> = None;
    loop {
        let page = store
            .list_events(org.id, &f(), cursor.as_ref(), 2)
            .await
            .unwrap();
        if page.is_empty() {
            break;
        }
        cursor = page.last().map(Cursor::after);
        seen.extend(page);
    }
    let keys: Vec<_> = seen.iter().map(|e| (e.occurred_at, e.id.clone())).collect();
    let mut sorted = keys.clone();
    sorted.sort_by(|x, y| y.cmp(x));
    assert_eq!(
        keys, sorted,
        "newest first, ties broken by id, across pages"
    );
    assert_eq!(
        seen.last().unwrap().occurred_at,
        old,
        "old events are stored and found too"
    );
}

async fn concurrent_writers_keep_seq_gap_free_and_the_chain_intact(url: &str) {
    // Two stores are two connection pools, as two server processes would have.
    let Stores {
        identity,
        events: first,
        ..
    } = stores(url).await;
    let second = open(url).await.unwrap().events;
    let org = create_org(&identity, "a").await;
    let write = |store: Arc<dyn EventStore>, tag: &'static str| {
        tokio::spawn(async move {
            for round in 0..20 {
                let batch = (0..10)
                    .map(|i| draft("w.write", tag, recent(round * 10 + i), None, "c"))
                    .collect();
                store.append_events(org.id, batch).await.unwrap();
            }
        })
    };
    let (a, b) = (write(first.clone(), "a@a.com"), write(second, "b@a.com"));
    a.await.unwrap();
    b.await.unwrap();
    let all = all_by_seq(&*first, org.id).await;
    assert_eq!(all.len(), 400);
    assert_chain_intact(&all);
}

/// Small pools, so random filters hit often.
const ACTIONS: [&str; 5] = [
    "user.login",
    "user.invited",
    "SECRET_READ",
    "SECRET_SET",
    "api_key.rotated",
];
const ACTORS: [&str; 3] = ["Alice@a.com", "bob@a.com", "carol@a.com"];
const IPS: [&str; 5] = [
    "10.1.2.3",
    "10.200.0.9",
    "203.0.113.7",
    "2001:db8::1",
    "2001:db9::5",
];
const ENVIRONMENTS: [&str; 2] = ["production", "staging"];
const TARGETS: [(&str, &str); 4] = [
    ("secret", "s1"),
    ("secret", "s2"),
    ("user", "u1"),
    ("project", "p1"),
];
const WORDS: [&str; 4] = ["stripe", "rotation", "quarterly", "vpn"];

fn random_event(rng: &mut StdRng, base: DateTime<Utc>) -> EventDraft {
    let action = *ACTIONS.choose(rng).unwrap();
    let mut d = draft(
        action,
        ACTORS.choose(rng).unwrap(),
        base - Duration::seconds(rng.gen_range(0..40)),
        None,
        "c",
    );
    if rng.gen_bool(0.15) {
        d.event.actor = Actor {
            kind: ActorType::ApiKey,
            id: "k1".into(),
            email: None,
            name: Some("ci".into()),
        };
    }
    d.event.context.ip = rng
        .gen_bool(0.8)
        .then(|| IPS.choose(rng).unwrap().to_string());
    d.event.context.environment = rng
        .gen_bool(0.7)
        .then(|| ENVIRONMENTS.choose(rng).unwrap().to_string());
    d.event.result = if rng.gen_bool(0.3) {
        EventResult::Failure
    } else {
        EventResult::Success
    };
    d.event.targets = (0..rng.gen_range(0..3))
        .map(|_| {
            let (kind, id) = *TARGETS.choose(rng).unwrap();
            Target {
                kind: kind.into(),
                id: id.into(),
                name: Some(format!("{id}-name")),
            }
        })
        .collect();
    d.event
        .details
        .insert("note".into(), WORDS.choose(rng).unwrap().to_string().into());
    d
}

fn random_criteria(rng: &mut StdRng, density: f64) -> Criteria {
    let mut pick = |values: &[&str]| -> Vec<String> {
        if rng.gen_bool(density) {
            let n = rng.gen_range(1..=2);
            values
                .choose_multiple(rng, n)
                .map(|v| v.to_string())
                .collect()
        } else {
            vec![]
        }
    };
    Criteria {
        actors: pick(&["alice@a.com", "BOB@a.com", "api-key:ci", "id-carol@a.com"]),
        actions: pick(&["user.*", "SECRET_READ", "SECRET_SET", "api_key.rotated"]),
        categories: pick(&["user", "SECRET_READ", "api_key"]),
        target_types: pick(&["secret", "user", "project"]),
        target_ids: pick(&["s1", "u1", "p1"]),
        ips: pick(&["10.0.0.0/8", "203.0.113.7", "2001:db8::/32"])
            .iter()
            .map(|r| IpRange::parse(r).unwrap())
            .collect(),
        results: pick(&["success", "failure"])
            .iter()
            .map(|r| {
                if r == "success" {
                    EventResult::Success
                } else {
                    EventResult::Failure
                }
            })
            .collect(),
        environments: pick(&ENVIRONMENTS),
    }
}

async fn random_filters_answer_exactly_what_the_in_memory_filter_keeps(url: &str) {
    let Stores {
        identity,
        events: store,
        ..
    } = stores(url).await;
    let org = create_org(&identity, "a").await;
    let mut rng = StdRng::seed_from_u64(7);
    let base = recent(100);
    for _ in 0..4 {
        let batch = (0..75).map(|_| random_event(&mut rng, base)).collect();
        store.append_events(org.id, batch).await.unwrap();
    }
    let all = store
        .list_events(org.id, &EventFilter::default(), None, 1000)
        .await
        .unwrap();
    assert_eq!(all.len(), 300);
    let mut informative = 0;
    for round in 0..80 {
        let filter = EventFilter {
            from: rng
                .gen_bool(0.2)
                .then(|| base - Duration::seconds(rng.gen_range(0..40))),
            until: rng
                .gen_bool(0.2)
                .then(|| base - Duration::seconds(rng.gen_range(0..40))),
            include: random_criteria(&mut rng, 0.3),
            exclude: random_criteria(&mut rng, 0.15),
            q: rng
                .gen_bool(0.2)
                .then(|| WORDS.choose(&mut rng).unwrap().to_uppercase()),
            through_seq: None,
        };
        let expected: Vec<&str> = all
            .iter()
            .filter(|e| filter.matches(e))
            .map(|e| e.id.as_str())
            .collect();
        let mut got = Vec::new();
        let mut cursor: Option<Cursor> = None;
        loop {
            let page = store
                .list_events(org.id, &filter, cursor.as_ref(), 7)
                .await
                .unwrap();
            cursor = page.last().map(Cursor::after);
            got.extend(page.iter().map(|e| e.id.clone()));
            if page.len() < 7 {
                break;
            }
        }
        assert_eq!(got, expected, "round {round}: {filter:?}");
        if !expected.is_empty() && expected.len() < all.len() {
            informative += 1;
        }
        assert_eq!(
            store.count_events(org.id, &filter).await.unwrap() as usize,
            expected.len()
        );
        let mut by_seq: Vec<&AuditEvent> = all.iter().filter(|e| filter.matches(e)).collect();
        by_seq.sort_by_key(|e| e.seq);
        let polled = store
            .list_events_after_seq(org.id, &filter, 0, 1000)
            .await
            .unwrap();
        assert_eq!(
            polled.iter().map(|e| e.seq).collect::<Vec<_>>(),
            by_seq.iter().map(|e| e.seq).collect::<Vec<_>>()
        );
    }
    assert!(
        informative >= 30,
        "only {informative} filters kept some but not all events"
    );
}

async fn known_actors_tally_each_appended_event_once_per_organization(url: &str) {
    let Stores {
        identity,
        events: store,
        ..
    } = stores(url).await;
    let a = create_org(&identity, "a").await;
    let b = create_org(&identity, "b").await;
    let newest = recent(1);
    store
        .append_events(
            a.id,
            vec![
                draft("user.login", "Ana@a.com", recent(30), Some("k1"), "h1"),
                draft("user.login", "ana@a.com", newest, None, "h"),
                draft("user.login", "bo_b@a.com", recent(20), None, "h"),
            ],
        )
        .await
        .unwrap();
    // A replayed idempotency key and a rejected batch add nothing.
    store
        .append_events(
            a.id,
            vec![draft(
                "user.login",
                "ana@a.com",
                recent(30),
                Some("k1"),
                "h1",
            )],
        )
        .await
        .unwrap();
    let _ = store
        .append_events(
            a.id,
            vec![
                draft("user.login", "bo_b@a.com", recent(3), None, "h"),
                draft("user.login", "ana@a.com", recent(30), Some("k1"), "other"),
            ],
        )
        .await
        .unwrap_err();
    store
        .append_events(
            b.id,
            vec![draft("user.login", "ana@a.com", recent(2), None, "h")],
        )
        .await
        .unwrap();

    // The typeahead reads the index.
    indexer::catch_up(&*store, &IndexBacklog::default())
        .await
        .unwrap();
    let all = identity.known_actors(a.id, "", 10).await.unwrap();
    let summary: Vec<(&str, u64)> = all.iter().map(|k| (k.label.as_str(), k.events)).collect();
    assert_eq!(
        summary,
        [("ana@a.com", 2), ("bo_b@a.com", 1)],
        "most active first"
    );
    assert_eq!(all[0].kind, ActorType::User);
    assert_eq!(all[0].last_seen, newest);
    let matching = identity.known_actors(a.id, "ANA", 10).await.unwrap();
    assert_eq!(matching.len(), 1, "case-insensitive substring");
    let literal = identity.known_actors(a.id, "o_b", 10).await.unwrap();
    assert_eq!(literal.len(), 1, "`_` is a character, not a wildcard");
    assert!(identity
        .known_actors(a.id, "%", 10)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(identity.known_actors(a.id, "", 1).await.unwrap().len(), 1);
    let other = identity.known_actors(b.id, "", 10).await.unwrap();
    assert_eq!(other.len(), 1);
    assert_eq!(other[0].events, 1, "organizations are counted apart");
}

async fn totals_from_hourly_counts_equal_the_in_memory_count(url: &str) {
    let Stores {
        identity,
        events: store,
        ..
    } = stores(url).await;
    let org = create_org(&identity, "a").await;
    let mut rng = StdRng::seed_from_u64(11);
    let now = recent(0);
    let spread = |rng: &mut StdRng| now - Duration::seconds(rng.gen_range(0..3 * 86_400));
    let mut all = Vec::new();
    for _ in 0..4 {
        let batch: Vec<EventDraft> = (0..100)
            .map(|_| {
                let mut d = random_event(&mut rng, now);
                d.event.occurred_at = spread(&mut rng);
                d
            })
            .collect();
        all.extend(store.append_events(org.id, batch).await.unwrap());
    }
    assert_eq!(
        store
            .count_events(org.id, &EventFilter::default())
            .await
            .unwrap(),
        400
    );
    for round in 0..60 {
        let mut include = random_criteria(&mut rng, 0.5);
        if round % 2 == 0 {
            // Only what the hourly action counts hold…
            include = Criteria {
                actions: include.actions,
                categories: include.categories,
                results: include.results,
                ..Criteria::default()
            };
        } else {
            // …or only actors.
            include = Criteria {
                actors: include.actors,
                ..Criteria::default()
            };
        }
        let filter = EventFilter {
            from: rng.gen_bool(0.7).then(|| spread(&mut rng)),
            until: rng.gen_bool(0.7).then(|| spread(&mut rng)),
            include,
            ..EventFilter::default()
        };
        let expected = all.iter().filter(|e| filter.matches(e)).count();
        assert_eq!(
            store.count_events(org.id, &filter).await.unwrap() as usize,
            expected,
            "round {round}: {filter:?}"
        );
        // A bound on seq is never summed from the hourly counts: this one is counted.
        let scanned = EventFilter {
            through_seq: Some(i64::MAX),
            ..filter.clone()
        };
        assert_eq!(
            store.count_events(org.id, &scanned).await.unwrap() as usize,
            expected,
            "round {round} scanned: {filter:?}"
        );
    }
}

async fn dense_and_sparse_ip_ranges_list_newest_first_exactly(url: &str) {
    let Stores {
        identity,
        events: store,
        ..
    } = stores(url).await;
    let org = create_org(&identity, "a").await;
    // Enough events in 10.0.0.0/8 that reads walk the time index (the dense plan), a few
    // elsewhere (the IP index plan), and one address queried alone.
    let mut rng = StdRng::seed_from_u64(5);
    for _ in 0..6 {
        let batch = (0..1000)
            .map(|i| {
                let mut d = random_event(&mut rng, recent(0));
                d.event.occurred_at = recent(rng.gen_range(0..86_400));
                let ip = match i % 50 {
                    0 => "192.168.7.1".to_owned(),
                    1 => "2001:db8::1".to_owned(),
                    _ => format!("10.{}.{}.{}", i % 7, i % 11, i % 13),
                };
                d.event.context.ip = Some(ip);
                d
            })
            .collect();
        store.append_events(org.id, batch).await.unwrap();
    }
    let all = all_by_seq(&*store, org.id).await;
    for ranges in [
        vec!["10.0.0.0/8"],
        vec!["192.168.0.0/16", "2001:db8::/32"],
        vec!["10.3.5.7"],
        vec!["10.0.0.0/8", "192.168.7.1"],
    ] {
        let mut filter = EventFilter::default();
        filter.include.ips = ranges.iter().map(|r| IpRange::parse(r).unwrap()).collect();
        let mut expected: Vec<&AuditEvent> = all.iter().filter(|e| filter.matches(e)).collect();
        expected.sort_by(|a, b| (b.occurred_at, &b.id).cmp(&(a.occurred_at, &a.id)));
        let mut got = Vec::new();
        let mut cursor: Option<Cursor> = None;
        for _ in 0..3 {
            let page = store
                .list_events(org.id, &filter, cursor.as_ref(), 50)
                .await
                .unwrap();
            cursor = page.last().map(Cursor::after);
            let full = page.len() == 50;
            got.extend(page.into_iter().map(|e| e.id));
            if !full {
                break;
            }
        }
        let want: Vec<String> = expected.iter().take(150).map(|e| e.id.clone()).collect();
        assert_eq!(got, want, "{ranges:?}");
        assert_eq!(
            store.count_events(org.id, &filter).await.unwrap() as usize,
            expected.len(),
            "{ranges:?}"
        );
    }
}

async fn free_text_matches_substrings_literally_at_any_length(url: &str) {
    let Stores {
        identity,
        events: store,
        ..
    } = stores(url).await;
    let org = create_org(&identity, "a").await;
    let other = create_org(&identity, "b").await;
    let messages = [
        "Coupon 50%_OFF applied",
        r#"He said "hi" twice"#,
        "Rotated key ab-12",
        "Nothing special",
    ];
    let batch = messages
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let mut d = draft("user.login", "x@a.com", recent(i as i64), None, "h");
            d.event.message = (*m).to_owned();
            d
        })
        .collect();
    let all = store.append_events(org.id, batch).await.unwrap();
    let mut elsewhere = draft("user.login", "x@a.com", recent(1), None, "h");
    elsewhere.event.message = "Coupon 50%_OFF applied".into();
    store
        .append_events(other.id, vec![elsewhere])
        .await
        .unwrap();
    for q in [
        "50%_off",
        "0%_",
        "%",
        "_",
        r#""hi""#,
        "hi",
        "AB-1",
        "i",
        "zzz",
        "coupon 50",
    ] {
        let filter = EventFilter {
            q: Some(q.into()),
            ..EventFilter::default()
        };
        // `all` is newest first already: event i occurred i seconds ago.
        let expected: Vec<&str> = all
            .iter()
            .filter(|e| filter.matches(e))
            .map(|e| e.id.as_str())
            .collect();
        let got = store.list_events(org.id, &filter, None, 50).await.unwrap();
        assert_eq!(
            got.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
            expected,
            "q = {q}"
        );
        assert_eq!(
            store.count_events(org.id, &filter).await.unwrap() as usize,
            expected.len(),
            "q = {q}"
        );
    }
}

/// The reference root of the leaves `range` of a chain's events.
fn reference_root(events: &[AuditEvent], range: std::ops::Range<u64>) -> Hash {
    let leaves: Vec<Hash> = events[range.start as usize..range.end as usize]
        .iter()
        .map(|e| event_leaf(&e.hash).unwrap())
        .collect();
    merkle::root(&leaves)
}

/// The stored tree's hash of a range of leaves (a range the RFC's proofs name).
async fn stored_root(proofs: &dyn ProofStore, org_id: i64, range: std::ops::Range<u64>) -> Hash {
    let parts = merkle::subtrees_of_range(range.start, range.end);
    merkle::fold_subtrees(&proofs.subtree_hashes(org_id, &parts).await.unwrap())
}

async fn merkle_trees_follow_each_chain_and_answer_every_proof_range(url: &str) {
    let Stores {
        identity,
        events: store,
        proofs,
        ..
    } = stores(url).await;
    let a = create_org(&identity, "a").await;
    let b = create_org(&identity, "b").await;
    store
        .append_events(b.id, vec![draft("x.y", "y@b.com", recent(1), None, "c")])
        .await
        .unwrap();
    // Batches that end inside and across 16-leaf subtrees, the tree extended between them.
    let mut size = 0u64;
    for batch_size in [1u64, 14, 17, 16, 33, 2] {
        let batch = (0..batch_size)
            .map(|i| draft("user.login", "x@a.com", recent(i as i64), None, "c"))
            .collect();
        store.append_events(a.id, batch).await.unwrap();
        size += batch_size;
        proofs.extend_trees().await.unwrap();
        assert_eq!(proofs.tree_size(a.id).await.unwrap(), size);
        let events = all_by_seq(&*store, a.id).await;
        assert_eq!(
            stored_root(&*proofs, a.id, 0..size).await,
            reference_root(&events, 0..size),
            "the root of {size} leaves"
        );
    }
    let events = all_by_seq(&*store, a.id).await;
    for (index, tree) in [(0, 83), (15, 83), (16, 40), (47, 48), (82, 83), (31, 64)] {
        for range in merkle::inclusion_ranges(index, tree) {
            let expected = reference_root(&events, range.clone());
            assert_eq!(stored_root(&*proofs, a.id, range).await, expected);
        }
    }
    // Every proof of every event at once, as an export of a whole chunk asks for them.
    let ranges: Vec<_> = (0..83)
        .flat_map(|i| merkle::inclusion_ranges(i, 83))
        .collect();
    let parts: Vec<_> = ranges
        .iter()
        .flat_map(|r| merkle::subtrees_of_range(r.start, r.end))
        .collect();
    let hashes = proofs.subtree_hashes(a.id, &parts).await.unwrap();
    assert_eq!(hashes.len(), parts.len());
    for (part, hash) in parts.iter().zip(&hashes) {
        let range = part.begin()..part.end();
        assert_eq!(*hash, reference_root(&events, range), "{part:?}");
    }
    for (old, new) in [(1, 83), (16, 48), (17, 83), (64, 80)] {
        for range in merkle::consistency_ranges(old, new) {
            let expected = reference_root(&events, range.clone());
            assert_eq!(stored_root(&*proofs, a.id, range).await, expected);
        }
    }
    assert_eq!(
        proofs.tree_size(b.id).await.unwrap(),
        1,
        "each organization its own tree"
    );
    assert!(
        proofs.extend_trees().await.unwrap() == 0,
        "nothing left to add"
    );
}

async fn checkpoints_are_kept_per_organization_and_listed_both_ways(url: &str) {
    let Stores {
        identity, proofs, ..
    } = stores(url).await;
    let a = create_org(&identity, "a").await;
    let b = create_org(&identity, "b").await;
    let checkpoint = |size: u64| StoredCheckpoint {
        tree_size: size,
        root_hash: [size as u8; 32],
        signed_note: format!("note of {size}\n"),
        created_at: 1_700_000_000_000_000 + size as i64,
    };
    for size in [3, 10, 7, 20] {
        proofs
            .add_checkpoint(a.id, &checkpoint(size))
            .await
            .unwrap();
    }
    let again = proofs.add_checkpoint(a.id, &checkpoint(10)).await;
    assert!(matches!(again, Err(StoreError::Duplicate(_))), "{again:?}");
    let sizes = |list: Vec<StoredCheckpoint>| list.iter().map(|c| c.tree_size).collect::<Vec<_>>();
    assert_eq!(
        sizes(proofs.checkpoints(a.id, None, 10).await.unwrap()),
        [20, 10, 7, 3]
    );
    assert_eq!(
        sizes(proofs.checkpoints(a.id, Some(10), 1).await.unwrap()),
        [7]
    );
    assert_eq!(
        sizes(proofs.checkpoints_in(a.id, 3, 10).await.unwrap()),
        [7, 10]
    );
    assert_eq!(
        proofs.checkpoint(a.id, 7).await.unwrap(),
        Some(checkpoint(7))
    );
    assert_eq!(proofs.checkpoint(a.id, 8).await.unwrap(), None);
    assert!(proofs.checkpoints(b.id, None, 10).await.unwrap().is_empty());
}

/// The record of a purge of `events`.
fn purge_record(events: &[AuditEvent]) -> PurgeRecord {
    let last = events.last().expect("events to purge");
    PurgeRecord {
        first_seq: events[0].seq,
        through_seq: last.seq,
        through_hash: last.hash.clone(),
        archive: format!("a/a-events-{}-{}.ndjson.gz", events[0].seq, last.seq),
        archive_sha256: "0".repeat(64),
        purged_at: recent(0),
    }
}

async fn purges_delete_a_prefix_and_every_read_still_answers_exactly(url: &str) {
    let Stores {
        identity,
        events: store,
        retention,
        ..
    } = stores(url).await;
    let org = create_org(&identity, "a").await;
    let other = create_org(&identity, "b").await;
    let mut rng = StdRng::seed_from_u64(12);
    let now = recent(0);
    let mut all = Vec::new();
    for _ in 0..4 {
        let batch: Vec<EventDraft> = (0..100)
            .map(|_| {
                let mut d = random_event(&mut rng, now);
                d.event.occurred_at = now - Duration::seconds(rng.gen_range(0..3 * 86_400));
                d
            })
            .collect();
        all.extend(store.append_events(org.id, batch).await.unwrap());
    }
    let theirs = store
        .append_events(other.id, vec![random_event(&mut rng, now)])
        .await
        .unwrap();
    // A running indexer may hold a chunk when catching up ends: wait for it.
    while store.chain_head(org.id).await.unwrap().unwrap().indexed < 400 {
        indexer::catch_up(&*store, &IndexBacklog::default())
            .await
            .unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let own_event = NewEvent {
        action: "retention.purged".into(),
        category: None,
        occurred_at: Some(now),
        actor: Actor {
            kind: ActorType::System,
            id: "auditrail".into(),
            email: None,
            name: None,
        },
        targets: vec![],
        context: EventContext::default(),
        result: EventResult::Success,
        details: serde_json::Map::new(),
        changes: vec![],
        idempotency_key: Some("purge-1".into()),
    };
    for wrong in [&all[16..32], &all[..0], &theirs[..]] {
        let refused = retention
            .purge(org.id, wrong, &purge_record(&all[..16]), &own_event)
            .await;
        assert!(
            matches!(refused, Err(StoreError::Duplicate(_))),
            "{refused:?}"
        );
    }
    assert_eq!(
        store
            .count_events(org.id, &EventFilter::default())
            .await
            .unwrap(),
        400
    );

    let (purged, kept) = all.split_at(160);
    let record = purge_record(purged);
    let hold = |on: bool| {
        let (identity, org) = (&identity, &org);
        async move {
            let mut tx = identity.begin().await.unwrap();
            let before = Organization {
                legal_hold: !on,
                ..org.clone()
            };
            assert!(tx.set_retention(&before, 90, on).await.unwrap());
            tx.commit().await.unwrap();
        }
    };
    hold(true).await;
    let held = retention.purge(org.id, purged, &record, &own_event).await;
    assert!(
        matches!(held, Ok(false)),
        "a legal hold refuses the purge: {held:?}"
    );
    assert_eq!(
        store
            .count_events(org.id, &EventFilter::default())
            .await
            .unwrap(),
        400
    );
    hold(false).await;
    let done = retention.purge(org.id, purged, &record, &own_event).await;
    assert!(matches!(done, Ok(true)), "{done:?}");
    let again = retention.purge(org.id, purged, &record, &own_event).await;
    assert!(matches!(again, Err(StoreError::Duplicate(_))), "{again:?}");
    assert_eq!(retention.purges(org.id, 5).await.unwrap(), vec![record]);
    assert!(retention.purges(other.id, 5).await.unwrap().is_empty());
    let staged = identity.pending_own_events(10).await.unwrap();
    assert_eq!(staged.len(), 1, "the purge's event is staged with it");
    assert_eq!(
        (staged[0].org_id, staged[0].event.action.as_str()),
        (org.id, "retention.purged")
    );

    let head = store.chain_head(org.id).await.unwrap().unwrap();
    assert_eq!(
        (head.purged, head.purged_hash.as_deref()),
        (160, Some(purged[159].hash.as_str()))
    );
    assert_eq!(
        head.tallied, 240,
        "the hourly counts no longer count the purged events"
    );
    assert_eq!(all_by_seq(&*store, org.id).await, kept);
    assert_eq!(
        all_by_seq(&*store, other.id).await,
        theirs,
        "another organization is untouched"
    );
    assert_eq!(
        store.event_by_id(org.id, &purged[3].id).await.unwrap(),
        None
    );
    for round in 0..40 {
        let filter = EventFilter {
            from: rng
                .gen_bool(0.5)
                .then(|| now - Duration::seconds(rng.gen_range(0..3 * 86_400))),
            include: random_criteria(&mut rng, 0.5),
            ..EventFilter::default()
        };
        let expected = kept.iter().filter(|e| filter.matches(e)).count();
        let counted = store.count_events(org.id, &filter).await.unwrap() as usize;
        assert_eq!(counted, expected, "round {round}: {filter:?}");
        let listed = store
            .list_events_after_seq(org.id, &filter, 0, 1000)
            .await
            .unwrap();
        assert_eq!(listed.len(), expected, "round {round}: {filter:?}");
    }
    let actors = identity.known_actors(org.id, "", 1000).await.unwrap();
    let mut remaining = std::collections::HashMap::<String, i64>::new();
    for event in kept {
        *remaining
            .entry(event.actor.label().to_lowercase())
            .or_default() += 1;
    }
    assert_eq!(
        actors.len(),
        remaining.len(),
        "actors left with no event are gone"
    );
    for actor in actors {
        assert_eq!(
            Some(&(actor.events as i64)),
            remaining.get(&actor.label.to_lowercase())
        );
    }
}

macro_rules! contract {
    ($($behaviour:ident),* $(,)?) => {
        contract!(@database sqlite, sqlite; $($behaviour),*);
        contract!(@database postgres, postgres; $($behaviour),*);
    };
    (@database $module:ident, $open:ident; $($behaviour:ident),*) => {
        mod $module {
            contract!(@indexing indexer_stopped, Stopped, $open; $($behaviour),*);
            contract!(@indexing indexer_running, Running, $open; $($behaviour),*);
        }
    };
    (@indexing $module:ident, $indexing:ident, $open:ident; $($behaviour:ident),*) => {
        mod $module {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $behaviour() {
                    let db = crate::TestDatabase::$open();
                    crate::INDEXING
                        .scope(crate::Indexing::$indexing, crate::$behaviour(&db.url))
                        .await;
                }
            )*
        }
    };
}

contract!(
    identity_records_round_trip_and_names_are_unique,
    appends_number_and_chain_events_per_organization,
    idempotency_keys_replay_or_conflict_atomically,
    lists_newest_first_by_keyset_with_every_filter,
    concurrent_writers_keep_seq_gap_free_and_the_chain_intact,
    random_filters_answer_exactly_what_the_in_memory_filter_keeps,
    known_actors_tally_each_appended_event_once_per_organization,
    totals_from_hourly_counts_equal_the_in_memory_count,
    dense_and_sparse_ip_ranges_list_newest_first_exactly,
    free_text_matches_substrings_literally_at_any_length,
    merkle_trees_follow_each_chain_and_answer_every_proof_range,
    checkpoints_are_kept_per_organization_and_listed_both_ways,
    purges_delete_a_prefix_and_every_read_still_answers_exactly,
);
