//! The OpenAPI document at `GET /api/v1/openapi.json`: public, OpenAPI 3.1, naming every
//! `/api/v1` route the router registers, and describing what real calls answer (their bodies
//! are validated against the document's own schemas).

mod common;
#[path = "openapi/reference.rs"]
mod reference;

use app::model::Permission;
use axum::body::Body;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::Request;
use common::event;
use common::in_process::App;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::Path;

/// The router's source: the routes it registers are read from it.
const ROUTER_SOURCE: &str = include_str!("../src/http/mod.rs");

/// The `(METHOD, path)` pairs `server/src/http/mod.rs` registers under `/api/v1`, but the
/// catch-all for unknown paths.
fn registered_routes() -> BTreeSet<(String, String)> {
    let mut routes = BTreeSet::new();
    for call in ROUTER_SOURCE.split(".route(").skip(1) {
        let Some(path) = call.split('"').nth(1) else {
            continue;
        };
        if !path.starts_with("/api/v1/") || path.contains("{*") {
            continue;
        }
        // The handlers of this route: up to the next `.route(` or the end of the chain.
        let handlers = call.split(".merge(").next().unwrap_or(call);
        for method in ["get", "post", "put", "patch", "delete"] {
            if handlers.contains(&format!("{method}(")) {
                routes.insert((method.to_uppercase(), path.to_owned()));
            }
        }
    }
    routes
}

/// The `(METHOD, path)` pairs the document describes.
fn documented_routes(document: &Value) -> BTreeSet<(String, String)> {
    let mut routes = BTreeSet::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            routes.insert((method.to_uppercase(), path.clone()));
        }
    }
    routes
}

async fn document(app: &App) -> Value {
    let request = Request::get("/api/v1/openapi.json")
        .body(Body::empty())
        .unwrap();
    let response = app.response(request).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()[CONTENT_TYPE], "application/json");
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    serde_json::from_slice(&bytes).expect("the document is JSON")
}

/// What in `body` the document's schema for `method path` answering `status` as JSON does not
/// allow.
fn violations(
    document: &Value,
    method: &str,
    path: &str,
    status: u16,
    body: &Value,
) -> Vec<String> {
    let operation = &document["paths"][path][method.to_lowercase()];
    let answer = &operation["responses"][status.to_string()];
    assert!(
        answer.is_object(),
        "{method} {path} does not document {status}"
    );
    let mut schema = answer["content"]["application/json"]["schema"].clone();
    assert!(
        schema.is_object(),
        "{method} {path} {status}: no JSON schema"
    );
    // The schema's `$ref`s point into the document's components.
    schema["components"] = document["components"].clone();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("{method} {path} {status}: not a valid schema: {e}"));
    validator
        .iter_errors(body)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

/// Panics unless `body` is what the document says `method path` answers with `status`.
fn assert_matches(document: &Value, method: &str, path: &str, status: u16, body: &Value) {
    let errors = violations(document, method, path, status, body);
    assert!(
        errors.is_empty(),
        "{method} {path} {status} answered outside its schema: {errors:#?}\n{body:#}"
    );
}

#[tokio::test]
async fn the_document_is_public_openapi_3_1_with_both_security_schemes() {
    let app = App::start().await;
    let document = document(&app).await;
    assert!(
        document["openapi"].as_str().unwrap().starts_with("3.1."),
        "{}",
        document["openapi"]
    );
    let schemes = &document["components"]["securitySchemes"];
    assert_eq!(schemes["api_key"]["scheme"], "bearer");
    assert_eq!(schemes["session"]["in"], "cookie");
    assert_eq!(schemes["session"]["name"], "auditrail_session");
    let description = schemes["api_key"]["description"].as_str().unwrap();
    for scope in Permission::API_KEY_SCOPES {
        assert!(description.contains(scope.as_str()), "{description}");
    }
    // Every scope or permission an operation names is a real one.
    for item in document["paths"].as_object().unwrap().values() {
        for operation in item.as_object().unwrap().values() {
            for requirement in operation["security"].as_array().unwrap() {
                for names in requirement.as_object().unwrap().values() {
                    for name in names.as_array().unwrap() {
                        let name = name.as_str().unwrap();
                        assert!(Permission::parse(name).is_some(), "unknown scope {name}");
                    }
                }
            }
        }
    }
}

#[tokio::test]
async fn every_api_v1_route_of_the_router_is_documented_and_nothing_else() {
    let app = App::start().await;
    let document = document(&app).await;
    let registered = registered_routes();
    assert!(registered.len() >= 14, "{registered:?}");
    assert_eq!(documented_routes(&document), registered);
}

#[tokio::test]
async fn every_filter_parameter_is_documented_on_the_list_export_and_stream() {
    let app = App::start().await;
    let document = document(&app).await;
    for path in [
        "/api/v1/audit-logs",
        "/api/v1/audit-logs/export",
        "/api/v1/audit-logs/stream",
    ] {
        let names: BTreeSet<&str> = document["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        for criterion in [
            "actor",
            "action",
            "event_type",
            "category",
            "target_type",
            "target_id",
            "environment",
            "ip",
            "result",
        ] {
            assert!(names.contains(criterion), "{path}: {criterion}");
            let negated = format!("not_{criterion}");
            assert!(names.contains(negated.as_str()), "{path}: {negated}");
        }
        for name in ["from", "to", "q"] {
            assert!(names.contains(name), "{path}: {name}");
        }
    }
}

#[tokio::test]
async fn real_answers_match_the_documented_schemas() {
    let app = App::start().await;
    let org = app.org("acme").await;
    let scopes = Permission::API_KEY_SCOPES;
    let key = app.key(&org, "everything", &scopes).await;
    let document = document(&app).await;
    let check = |method: &str, path: &str, status: u16, body: &Value| {
        assert_matches(&document, method, path, status, body)
    };

    let batch = json!({ "events": [event(1), event(2), event(3)] });
    let (status, body) = app.ingest(&key, &batch).await;
    assert_eq!(status, 201, "{body}");
    check("POST", "/api/v1/events", 201, &body);
    app.services.catch_up().await.expect("catch up");
    let id = body["ids"][0].as_str().unwrap().to_owned();

    let reads = [
        (
            "/api/v1/audit-logs",
            "/api/v1/audit-logs?limit=2&include_total=true",
        ),
        ("/api/v1/audit-logs", "/api/v1/audit-logs?after_seq=0"),
        (
            "/api/v1/audit-logs/{id}",
            &format!("/api/v1/audit-logs/{id}"),
        ),
        (
            "/api/v1/audit-logs/{id}/proof",
            &format!("/api/v1/audit-logs/{id}/proof"),
        ),
        ("/api/v1/audit-logs/verify", "/api/v1/audit-logs/verify"),
        ("/api/v1/checkpoints", "/api/v1/checkpoints"),
        ("/api/v1/checkpoints/key", "/api/v1/checkpoints/key"),
        (
            "/api/v1/checkpoints/consistency",
            "/api/v1/checkpoints/consistency?from=1&to=3",
        ),
        ("/api/v1/event-types", "/api/v1/event-types"),
        (
            "/api/v1/audit-logs/export",
            "/api/v1/audit-logs/export?format=json&include_proof=true",
        ),
    ];
    for (template, path) in reads {
        let (status, body) = app.get(&key, path).await;
        assert_eq!(status, 200, "{path}: {body}");
        check("GET", template, 200, &body);
    }

    let errors = [
        ("/api/v1/audit-logs", "/api/v1/audit-logs?limit=0", 400),
        ("/api/v1/audit-logs/{id}", "/api/v1/audit-logs/nope", 404),
        (
            "/api/v1/checkpoints/consistency",
            "/api/v1/checkpoints/consistency?from=2",
            400,
        ),
        (
            "/api/v1/audit-logs/export",
            "/api/v1/audit-logs/export",
            400,
        ),
    ];
    for (template, path, expected) in errors {
        let (status, body) = app.get(&key, path).await;
        assert_eq!(status, expected, "{path}: {body}");
        check("GET", template, status, &body);
    }

    // The schemas do hold answers to something: a page whose event lost its hash, a date that is
    // not one, an error without its code.
    let (_, mut page) = app.get(&key, "/api/v1/audit-logs").await;
    page["data"][0].as_object_mut().unwrap().remove("hash");
    page["data"][1]["occurred_at"] = json!("yesterday");
    let errors = violations(&document, "GET", "/api/v1/audit-logs", 200, &page);
    assert_eq!(errors.len(), 2, "{errors:#?}");
    let no_code = json!({"error": {"message": "no"}});
    assert!(!violations(&document, "GET", "/api/v1/audit-logs", 401, &no_code).is_empty());

    let request = Request::get("/api/v1/audit-logs")
        .header(AUTHORIZATION, "Bearer not-a-key")
        .body(Body::empty())
        .unwrap();
    let (status, body, _) = app.send(request).await;
    assert_eq!(status, 401);
    check("GET", "/api/v1/audit-logs", 401, &body);
    let (status, body) = app.get(&key, "/api/v1/settings/retention").await;
    assert_eq!(status, 403, "a key never manages settings: {body}");
    check("GET", "/api/v1/settings/retention", 403, &body);
}

#[tokio::test]
async fn docs_api_md_is_the_rendered_document() {
    let app = App::start().await;
    let rendered = reference::render(&document(&app).await);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/API.md");
    if std::env::var_os("AUDITRAIL_UPDATE_API_DOC").is_some() {
        std::fs::write(&path, &rendered).expect("write docs/API.md");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == rendered,
        "docs/API.md is not the rendering of the document the server serves: \
         AUDITRAIL_UPDATE_API_DOC=1 cargo test -p server --test openapi"
    );
}
