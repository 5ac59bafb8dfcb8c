//! The index's SQL for the reads (list, collector poll, count) of an [`EventFilter`], for either
//! database: both speak this SQL, and sqlx's query builder writes each one's placeholders. It
//! must agree with [`EventFilter::matches`], the in-memory reference (which the tail beyond the
//! index uses).

use app::model::{Criteria, Cursor, EventFilter};
use chrono::{DateTime, Utc};
use sqlx::{Database, Encode, QueryBuilder, Type};

/// How each database finds free text in `search_text` through an index.
pub enum TextIndex {
    /// SQLite: the FTS5 trigram table `events_search`, whose rowid is `(org_id << 40) + seq`.
    /// It finds the rows holding every trigram of a text of three characters or more, rechecked
    /// with `instr`; shorter texts are scanned.
    Fts5Trigram,
    /// PostgreSQL: a `pg_trgm` GIN index on `search_text`, which serves `LIKE '%…%'`.
    TrigramLike,
}

/// Bits of an `events_search` rowid below the organization id: room for 2^40 events each.
const SEARCH_ROWID_ORG_SHIFT: u32 = 40;

/// What the databases spell differently.
pub struct Dialect<T> {
    /// How free text is found.
    pub text_index: TextIndex,
    /// An instant in the stored form of `occurred_at`.
    pub time: fn(DateTime<Utc>) -> T,
    /// `occurred_at` as Unix microseconds (an integer expression).
    pub micros: &'static str,
    /// `ip_bytes` in a form no index serves, so the newest-first time index drives a read.
    pub unindexed_ip: &'static str,
}

/// What a store learned about a filter before reading it, to steer the database to the
/// right index. The default changes nothing.
pub struct Hints {
    /// What IP ranges compare: `ip_bytes`, or [`Dialect::unindexed_ip`] when they match so many
    /// events that walking the newest-first time index beats sorting every match.
    pub ip_column: &'static str,
    /// The actor ids whose events are exactly those the filter's actors match (by label or
    /// id), so one indexed `actor_id IN (…)` replaces the `OR` of two indexes.
    pub actor_ids: Option<Vec<String>>,
    /// What the `seq` bounds of a read compare: `seq`, or [`UNINDEXED_SEQ`] when a read in `seq`
    /// order has a time window so sparse (under [`SPARSE_TIME_MATCHES`] events) that finding its
    /// events through the time index and sorting them beats walking the whole log in order.
    pub seq_column: &'static str,
}

impl Default for Hints {
    fn default() -> Self {
        Self {
            ip_column: "ip_bytes",
            actor_ids: None,
            seq_column: "seq",
        }
    }
}

/// `seq` in a form no index serves, for [`Hints::seq_column`] (both databases read it).
pub const UNINDEXED_SEQ: &str = "(seq + 0)";

/// Which events a read wants.
#[derive(Clone, Copy)]
pub enum Read<'a> {
    /// Newest first, after a keyset cursor.
    Keyset {
        cursor: Option<&'a Cursor>,
        limit: u32,
    },
    /// Oldest `seq` first, above `after`.
    AfterSeq { after: i64, limit: u32 },
    /// Only how many match.
    Count,
    /// `(bucket, count, failures)` rows per `bucket_micros` of `occurred_at`, where `bucket` is
    /// the bucket's start divided by its width.
    Histogram { bucket_micros: i64 },
}

fn push_in<DB: Database>(qb: &mut QueryBuilder<'_, DB>, column: &str, values: Vec<String>)
where
    for<'a> String: Encode<'a, DB> + Type<DB>,
    for<'a> i64: Encode<'a, DB> + Type<DB>,
    for<'a> Vec<u8>: Encode<'a, DB> + Type<DB>,
{
    qb.push(column).push(" IN (");
    let mut list = qb.separated(", ");
    for value in values {
        list.push_bind(value);
    }
    qb.push(")");
}

/// How the per-field groups of a [`Criteria`] combine.
#[derive(Clone, Copy)]
pub enum Combine {
    /// Every constrained field must hit (`include`).
    All,
    /// Any hit counts, a missing value (NULL) as no hit (`exclude`, negated by the caller).
    Any,
}

/// Appends one group per constrained field of `c` (each an `OR` over its values), combined as
/// `how` says, following `hints`. A single IP address is an equality on `ip_bytes`.
pub fn push_criteria<DB: Database>(
    qb: &mut QueryBuilder<'_, DB>,
    c: &Criteria,
    how: Combine,
    hints: &Hints,
) where
    for<'a> String: Encode<'a, DB> + Type<DB>,
    for<'a> i64: Encode<'a, DB> + Type<DB>,
    for<'a> Vec<u8>: Encode<'a, DB> + Type<DB>,
{
    let mut groups = 0;
    let (joiner, opening, closing) = match how {
        Combine::All => (" AND ", "(", ")"),
        Combine::Any => (" OR ", "COALESCE((", "), 1 = 0)"),
    };
    let mut open = |qb: &mut QueryBuilder<'_, DB>| {
        if groups > 0 {
            qb.push(joiner);
        }
        qb.push(opening);
        groups += 1;
    };
    if !c.actors.is_empty() {
        open(qb);
        match &hints.actor_ids {
            Some(ids) if ids.is_empty() => {
                qb.push("1 = 0");
            }
            Some(ids) => push_in(qb, "actor_id", ids.clone()),
            None => {
                push_in(
                    qb,
                    "actor_label",
                    c.actors.iter().map(|a| a.to_lowercase()).collect(),
                );
                qb.push(" OR ");
                push_in(qb, "actor_id", c.actors.clone());
            }
        }
        qb.push(closing);
    }
    if !c.actions.is_empty() {
        open(qb);
        let mut first = true;
        for pattern in &c.actions {
            qb.push(if first { "" } else { " OR " });
            first = false;
            match pattern.strip_suffix('*') {
                Some(prefix) => qb
                    .push(format!("substr(action, 1, {}) = ", prefix.chars().count()))
                    .push_bind(prefix.to_owned()),
                None => qb.push("action = ").push_bind(pattern.clone()),
            };
        }
        qb.push(closing);
    }
    let lists: [(&str, Vec<String>); 3] = [
        ("category", c.categories.clone()),
        (
            "result",
            c.results.iter().map(|r| r.as_str().to_owned()).collect(),
        ),
        ("environment", c.environments.clone()),
    ];
    for (column, values) in lists {
        if !values.is_empty() {
            open(qb);
            push_in(qb, column, values);
            qb.push(closing);
        }
    }
    for (column, values) in [("kind", &c.target_types), ("target_id", &c.target_ids)] {
        if !values.is_empty() {
            open(qb);
            qb.push(
                "EXISTS (SELECT 1 FROM event_targets t \
                 WHERE t.org_id = events.org_id AND t.seq = events.seq AND t.",
            );
            push_in(qb, column, values.clone());
            qb.push(")").push(closing);
        }
    }
    if !c.ips.is_empty() {
        open(qb);
        for (i, range) in c.ips.iter().enumerate() {
            let (first, last) = range.bounds();
            qb.push(if i == 0 { "" } else { " OR " });
            if first == last {
                qb.push("ip_bytes = ").push_bind(first.to_vec());
            } else {
                qb.push(format!("{} BETWEEN ", hints.ip_column))
                    .push_bind(first.to_vec())
                    .push(" AND ")
                    .push_bind(last.to_vec());
            }
        }
        qb.push(closing);
    }
}

/// The query for `read` of the organization's indexed events matching `filter`: it selects
/// their stored JSON (or `COUNT(*)`, or histogram rows).
pub fn read_query<'args, DB: Database, T>(
    dialect: &Dialect<T>,
    org_id: i64,
    filter: &EventFilter,
    read: Read<'_>,
    hints: &Hints,
) -> QueryBuilder<'args, DB>
where
    for<'a> String: Encode<'a, DB> + Type<DB>,
    for<'a> i64: Encode<'a, DB> + Type<DB>,
    for<'a> Vec<u8>: Encode<'a, DB> + Type<DB>,
    for<'a> T: Encode<'a, DB> + Type<DB> + 'a,
{
    let select = match read {
        Read::Count => "SELECT COUNT(*) FROM events".to_owned(),
        // The stored JSON is the log's, found by its key for the rows the read keeps.
        Read::Keyset { .. } | Read::AfterSeq { .. } => "SELECT (SELECT l.data FROM event_log l \
             WHERE l.org_id = events.org_id AND l.seq = events.seq) FROM events"
            .to_owned(),
        Read::Histogram { bucket_micros } => format!(
            "SELECT ({}) / {bucket_micros} AS bucket, COUNT(*), \
             SUM(CASE WHEN result = 'failure' THEN 1 ELSE 0 END) FROM events",
            dialect.micros
        ),
    };
    let mut qb = QueryBuilder::new(select);
    push_filter(&mut qb, dialect, org_id, filter, hints);
    match read {
        Read::Keyset { cursor, limit } => {
            if let Some(cursor) = cursor {
                qb.push(" AND (occurred_at, id) < (")
                    .push_bind((dialect.time)(cursor.occurred_at))
                    .push(", ")
                    .push_bind(cursor.id.clone())
                    .push(")");
            }
            qb.push(" ORDER BY occurred_at DESC, id DESC LIMIT ")
                .push_bind(i64::from(limit));
        }
        Read::AfterSeq { after, limit } => {
            qb.push(format!(" AND {} > ", hints.seq_column))
                .push_bind(after)
                .push(" ORDER BY seq LIMIT ")
                .push_bind(i64::from(limit));
        }
        Read::Count => {}
        Read::Histogram { .. } => {
            qb.push(" GROUP BY 1 ORDER BY 1");
        }
    }
    qb
}

/// Appends ` WHERE …` for the organization and the filter.
fn push_filter<DB: Database, T>(
    qb: &mut QueryBuilder<'_, DB>,
    dialect: &Dialect<T>,
    org_id: i64,
    filter: &EventFilter,
    hints: &Hints,
) where
    for<'a> String: Encode<'a, DB> + Type<DB>,
    for<'a> i64: Encode<'a, DB> + Type<DB>,
    for<'a> Vec<u8>: Encode<'a, DB> + Type<DB>,
    for<'a> T: Encode<'a, DB> + Type<DB> + 'a,
{
    qb.push(" WHERE org_id = ").push_bind(org_id);
    push_time_window(qb, dialect, filter);
    if let Some(seq) = filter.through_seq {
        qb.push(format!(" AND {} <= ", hints.seq_column))
            .push_bind(seq);
    }
    if !filter.include.is_empty() {
        qb.push(" AND ");
        push_criteria(qb, &filter.include, Combine::All, hints);
    }
    if !filter.exclude.is_empty() {
        qb.push(" AND NOT (");
        push_criteria(qb, &filter.exclude, Combine::Any, &Hints::default());
        qb.push(")");
    }
    if let Some(q) = &filter.q {
        push_text(qb, &dialect.text_index, org_id, &q.to_lowercase());
    }
}

/// Appends ` AND occurred_at …` for the filter's `from` and `until`, if any.
fn push_time_window<DB: Database, T>(
    qb: &mut QueryBuilder<'_, DB>,
    dialect: &Dialect<T>,
    filter: &EventFilter,
) where
    for<'a> T: Encode<'a, DB> + Type<DB> + 'a,
{
    if let Some(from) = filter.from {
        qb.push(" AND occurred_at >= ")
            .push_bind((dialect.time)(from));
    }
    if let Some(until) = filter.until {
        qb.push(" AND occurred_at < ")
            .push_bind((dialect.time)(until));
    }
}

/// Appends ` AND <search_text contains the lower-cased q>` through the text index.
fn push_text<DB: Database>(qb: &mut QueryBuilder<'_, DB>, index: &TextIndex, org_id: i64, q: &str)
where
    for<'a> String: Encode<'a, DB> + Type<DB>,
    for<'a> i64: Encode<'a, DB> + Type<DB>,
{
    match index {
        TextIndex::Fts5Trigram if q.chars().count() >= 3 => {
            let first = org_id << SEARCH_ROWID_ORG_SHIFT;
            qb.push(" AND seq IN (SELECT rowid - ")
                .push_bind(first)
                .push(" FROM events_search WHERE events_search MATCH ")
                .push_bind(every_trigram(q))
                .push(" AND rowid BETWEEN ")
                .push_bind(first)
                .push(" AND ")
                .push_bind(first + (1 << SEARCH_ROWID_ORG_SHIFT) - 1)
                .push(") AND instr(search_text, ")
                .push_bind(q.to_owned())
                .push(") > 0");
        }
        TextIndex::Fts5Trigram => {
            qb.push(" AND instr(search_text, ")
                .push_bind(q.to_owned())
                .push(") > 0");
        }
        TextIndex::TrigramLike => {
            qb.push(" AND search_text LIKE ")
                .push_bind(like_contains(q));
        }
    }
}

/// The FTS5 query for rows holding every trigram of `text` (three characters or more): what
/// the index can answer, since it keeps which rows hold a trigram but not where
/// (`detail = none`). The rows it finds hold `text` or only its pieces, hence the recheck.
fn every_trigram(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut trigrams: Vec<String> = chars
        .windows(3)
        .map(|w| format!("\"{}\"", w.iter().collect::<String>().replace('"', "\"\"")))
        .collect();
    trigrams.sort();
    trigrams.dedup();
    trigrams.join(" AND ")
}

/// The `LIKE` pattern (escape `\`) for text containing `text` literally.
pub fn like_contains(text: &str) -> String {
    let mut pattern = String::from("%");
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// Matches of IP ranges from which a newest-first read walks the time index instead.
pub const DENSE_IP_MATCHES: i64 = 5000;

/// For a filter with an IP range (not a single address): counts, up to [`DENSE_IP_MATCHES`],
/// the organization's events in its ranges, through the IP index alone. A read whose count
/// reaches the cap is dense, see [`Hints::ip_column`].
pub fn ip_density_query<'args, DB: Database>(
    org_id: i64,
    filter: &EventFilter,
) -> Option<QueryBuilder<'args, DB>>
where
    for<'a> String: Encode<'a, DB> + Type<DB>,
    for<'a> i64: Encode<'a, DB> + Type<DB>,
    for<'a> Vec<u8>: Encode<'a, DB> + Type<DB>,
{
    let ips = &filter.include.ips;
    if ips.iter().all(|r| {
        let (first, last) = r.bounds();
        first == last
    }) {
        return None;
    }
    let mut qb = QueryBuilder::new("SELECT COUNT(*) FROM (SELECT 1 FROM events WHERE org_id = ");
    qb.push_bind(org_id).push(" AND ");
    let only_ips = Criteria {
        ips: ips.clone(),
        ..Criteria::default()
    };
    push_criteria(&mut qb, &only_ips, Combine::All, &Hints::default());
    qb.push(" LIMIT ")
        .push_bind(DENSE_IP_MATCHES)
        .push(") AS probe");
    Some(qb)
}

/// Events in a time window below which a read in `seq` order finds them through the time index
/// (and sorts them) instead of walking the log: a chunk of an export costs at most this many
/// row reads then, where walking costs one per event of the organization before the window.
pub const SPARSE_TIME_MATCHES: i64 = 10_000;

/// For a filter with a time window (`from` or `until`): counts, up to [`SPARSE_TIME_MATCHES`],
/// the organization's events in it, through the time index alone. A read in `seq` order whose
/// count stays under the cap is sparse, see [`Hints::seq_column`].
pub fn time_density_query<'args, DB: Database, T>(
    dialect: &Dialect<T>,
    org_id: i64,
    filter: &EventFilter,
) -> Option<QueryBuilder<'args, DB>>
where
    for<'a> i64: Encode<'a, DB> + Type<DB>,
    for<'a> T: Encode<'a, DB> + Type<DB> + 'a,
{
    if filter.from.is_none() && filter.until.is_none() {
        return None;
    }
    let mut qb = QueryBuilder::new("SELECT COUNT(*) FROM (SELECT 1 FROM events WHERE org_id = ");
    qb.push_bind(org_id);
    push_time_window(&mut qb, dialect, filter);
    qb.push(" LIMIT ")
        .push_bind(SPARSE_TIME_MATCHES)
        .push(") AS probe");
    Some(qb)
}

#[cfg(test)]
mod tests {
    use super::every_trigram;

    #[test]
    fn a_text_asks_for_each_of_its_trigrams_once_quoted() {
        assert_eq!(every_trigram("abcab"), "\"abc\" AND \"bca\" AND \"cab\"");
        assert_eq!(every_trigram("a\"bc"), "\"\"\"bc\" AND \"a\"\"b\"");
        assert_eq!(every_trigram("ééé"), "\"ééé\"");
    }
}
