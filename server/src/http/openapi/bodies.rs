//! The bodies no one wire type describes: the ingest body (one event or a batch), an exported
//! event with its proof, and the live tail's events.

use crate::service::MAX_BATCH;
use app::model::{AuditEvent, ErrorEnvelope, InclusionProof, NewEvent};
use serde_json::json;
use utoipa::openapi::extensions::Extensions;
use utoipa::openapi::schema::{
    AdditionalProperties, AllOfBuilder, ArrayBuilder, ObjectBuilder, OneOfBuilder, Type,
};
use utoipa::openapi::{Ref, RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

/// The body of `POST /api/v1/events`: one event, or `{"events": [...]}`.
pub enum IngestBody {}

impl PartialSchema for IngestBody {
    fn schema() -> RefOr<Schema> {
        let batch = ObjectBuilder::new()
            .property(
                "events",
                ArrayBuilder::new()
                    .items(Ref::from_schema_name(NewEvent::name()))
                    .min_items(Some(1))
                    .max_items(Some(MAX_BATCH)),
            )
            .required("events")
            .additional_properties(Some(AdditionalProperties::FreeForm(false)))
            .description(Some(format!(
                "Up to {MAX_BATCH} events, stored atomically: one invalid event rejects them all."
            )));
        OneOfBuilder::new()
            .item(Ref::from_schema_name(NewEvent::name()))
            .item(batch)
            .into()
    }
}

impl ToSchema for IngestBody {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((NewEvent::name().into(), NewEvent::schema()));
        NewEvent::schemas(schemas);
    }
}

/// One Server-Sent Event of the live tail (the schema of a `text/event-stream` answer describes
/// each event): `audit_event` with the event, whose id is its `seq`, or a last `error` with the
/// error envelope.
pub enum StreamEvent {}

impl PartialSchema for StreamEvent {
    fn schema() -> RefOr<Schema> {
        let event = |name: &str, data: &str, description: &str| {
            let name = ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some([name]));
            // The data is JSON text whose schema is `contentSchema` (JSON Schema 2020-12), a
            // keyword utoipa has no field for: added as an extra member (collected, so that it
            // keeps its name rather than taking the `x-` of an extension).
            let reference = json!({ "$ref": format!("#/components/schemas/{data}") });
            let content: Extensions = [("contentSchema", reference)].into_iter().collect();
            let data = ObjectBuilder::new()
                .schema_type(Type::String)
                .content_media_type("application/json")
                .extensions(Some(content));
            ObjectBuilder::new()
                .property("event", name)
                .property("data", data)
                .required("event")
                .required("data")
                .description(Some(description))
        };
        let audit_event = event(
            "audit_event",
            &AuditEvent::name(),
            "An event of the log; `id` is its `seq`, the `Last-Event-ID` to resume after it.",
        )
        .property("id", ObjectBuilder::new().schema_type(Type::String))
        .required("id");
        let error = event(
            "error",
            &ErrorEnvelope::name(),
            "Why the stream ends (the caller's access ended); the last event.",
        );
        OneOfBuilder::new().item(audit_event).item(error).into()
    }
}

impl ToSchema for StreamEvent {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((AuditEvent::name().into(), AuditEvent::schema()));
        AuditEvent::schemas(schemas);
    }
}

/// One event of a JSON export: the event, with its `inclusion` proof when the export asked for
/// proofs.
pub enum ExportedEvent {}

impl PartialSchema for ExportedEvent {
    fn schema() -> RefOr<Schema> {
        let inclusion = ObjectBuilder::new()
            .property("inclusion", Ref::from_schema_name(InclusionProof::name()));
        AllOfBuilder::new()
            .item(Ref::from_schema_name(AuditEvent::name()))
            .item(inclusion)
            .into()
    }
}

impl ToSchema for ExportedEvent {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((AuditEvent::name().into(), AuditEvent::schema()));
        AuditEvent::schemas(schemas);
        schemas.push((InclusionProof::name().into(), InclusionProof::schema()));
        InclusionProof::schemas(schemas);
    }
}
