//! The query parameters that handlers parse by hand ([`app::model::EventQuery::from_pairs`]),
//! described with the same bounds the parsing checks.

use app::model::{
    EventResult, DEFAULT_PAGE_SIZE, MAX_FILTER_VALUES, MAX_FILTER_VALUE_LEN, MAX_FREE_TEXT_LEN,
    MAX_PAGE_SIZE,
};
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn, ParameterStyle};
use utoipa::openapi::schema::{
    AnyOfBuilder, ArrayBuilder, KnownFormat, ObjectBuilder, SchemaFormat, Type,
};
use utoipa::openapi::{RefOr, Required, Schema};
use utoipa::{IntoParams, PartialSchema};

/// A query parameter.
fn query(name: &str, description: String, schema: impl Into<RefOr<Schema>>) -> ParameterBuilder {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .description(Some(description))
        .schema(Some(schema))
}

/// A string of at most `max` bytes (a JSON Schema length counts characters: a bound, not exact).
fn text(max: usize) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .max_length(Some(max))
}

/// A repeatable query parameter: `key=a&key=b`, any of them matches.
fn repeated(name: &str, description: String, item: RefOr<Schema>) -> Parameter {
    let values = ArrayBuilder::new()
        .items(item)
        .max_items(Some(MAX_FILTER_VALUES));
    query(name, description, values)
        .style(Some(ParameterStyle::Form))
        .explode(Some(true))
        .build()
}

/// An RFC 3339 time or a `YYYY-MM-DD` date.
fn instant() -> AnyOfBuilder {
    AnyOfBuilder::new()
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime))),
        )
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))),
        )
}

/// An IPv4 or IPv6 address, or a CIDR block of either.
fn ip_range() -> AnyOfBuilder {
    let string = || ObjectBuilder::new().schema_type(Type::String);
    AnyOfBuilder::new()
        .item(string().format(Some(SchemaFormat::KnownFormat(KnownFormat::Ipv4))))
        .item(string().format(Some(SchemaFormat::KnownFormat(KnownFormat::Ipv6))))
        .item(string().pattern(Some(r"^[0-9A-Fa-f:.]+/[0-9]{1,3}$")))
}

/// The criteria of a filter: the field each matches, and how a value matches it. Each takes
/// several values (any of them matches) and, prefixed with `not_`, excludes them
/// ([`app::model::EventQuery::from_pairs`] reads them).
const CRITERIA: [(&str, &str, &str); 9] = [
    (
        "actor",
        "actor",
        ": its email (any case), its id, or `api-key:<name>`",
    ),
    (
        "action",
        "event key",
        "; `user.*` matches every key starting with `user.`",
    ),
    ("event_type", "event key", " (an alias of `action`)"),
    ("category", "category", ""),
    ("target_type", "type of any of its targets", ""),
    ("target_id", "id of any of its targets", ""),
    ("environment", "`context.environment`", ""),
    (
        "ip",
        "`context.ip`",
        ": an address or a CIDR block, IPv4 or IPv6",
    ),
    ("result", "result", ""),
];

/// The filter parameters of the list, the export and the live tail.
pub enum FilterParams {}

impl IntoParams for FilterParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let mut params = vec![
            query(
                "from",
                "Events that occurred at or after this time (a date: its first instant, UTC)."
                    .into(),
                instant(),
            )
            .build(),
            query(
                "to",
                "Events that occurred up to this time (a date includes that whole day).".into(),
                instant(),
            )
            .build(),
            query(
                "q",
                "Free text, case-insensitive, in the message, actor, targets and details.".into(),
                text(MAX_FREE_TEXT_LEN),
            )
            .build(),
        ];
        for (key, field, how) in CRITERIA {
            let item = || -> RefOr<Schema> {
                match key {
                    "result" => EventResult::schema(),
                    "ip" => ip_range().into(),
                    _ => text(MAX_FILTER_VALUE_LEN).into(),
                }
            };
            let keeps = format!(
                "Keeps the events whose {field} matches one of these values (repeat the \
                 parameter for several){how}."
            );
            params.push(repeated(key, keeps, item()));
            let leaves_out =
                format!("Leaves out the events whose {field} matches one of these values{how}.");
            params.push(repeated(&format!("not_{key}"), leaves_out, item()));
        }
        params
    }
}

/// A `seq` to start after.
fn after_seq(description: &str) -> Parameter {
    let seq = ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
        .minimum(Some(0));
    query("after_seq", description.into(), seq).build()
}

/// The paging parameters of the list.
pub enum PageParams {}

impl IntoParams for PageParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let limit = ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(1))
            .maximum(Some(MAX_PAGE_SIZE))
            .default(Some(DEFAULT_PAGE_SIZE.into()));
        let flag = ObjectBuilder::new().schema_type(Type::Boolean);
        vec![
            query("limit", "Events per page.".into(), limit).build(),
            query(
                "cursor",
                "Where the previous page ended: its `next_cursor`.".into(),
                ObjectBuilder::new().schema_type(Type::String),
            )
            .build(),
            query(
                "include_total",
                "Count every matching event (`total`).".into(),
                flag,
            )
            .build(),
            after_seq(
                "Collector mode: events with a `seq` above this one, in `seq` order (instead of \
                 `cursor`); each page says the `next_after_seq` to poll with.",
            ),
        ]
    }
}

/// The live tail's starting point.
pub enum StreamParams {}

impl IntoParams for StreamParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let seq = ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)));
        vec![
            after_seq("Start after this `seq` rather than from now."),
            ParameterBuilder::new()
                .name("Last-Event-ID")
                .parameter_in(ParameterIn::Header)
                .required(Required::False)
                .description(Some(
                    "A reconnecting client's last `seq` (wins over `after_seq`).",
                ))
                .schema(Some(seq))
                .build(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::EventQuery;

    #[test]
    fn every_documented_filter_parameter_is_one_the_parser_takes() {
        let params = FilterParams::into_params(|| None);
        assert_eq!(params.len(), 3 + 2 * CRITERIA.len());
        for param in params {
            let value = match param.name.trim_start_matches("not_") {
                "from" | "to" => "2025-01-01",
                "ip" => "10.0.0.0/8",
                "result" => "failure",
                _ => "x",
            };
            let parsed = EventQuery::from_pairs([(param.name.as_str(), value)]);
            assert!(parsed.is_ok(), "{}: {parsed:?}", param.name);
        }
    }
}
