//! The whole application as a `Router`, called in-process with `oneshot` (no port, no
//! process): fast enough for matrices of hundreds of calls, on SQLite or PostgreSQL as the
//! environment asks.

use super::database::TestDatabase;
use app::model::Permission;
use axum::body::Body;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE, SET_COOKIE, USER_AGENT};
use axum::http::Request;
use axum::Router;
use serde_json::Value;
use server::proof::note::NoteSigner;
use server::service::{CheckpointPolicy, Services, SessionSettings};
use server::store::Organization;
use std::path::Path;
use std::sync::Arc;
use tower::ServiceExt;

/// The application over a fresh database.
pub struct App {
    pub services: Arc<Services>,
    pub database: TestDatabase,
    router: Router,
}

impl App {
    /// The application over a fresh database (SQLite, or PostgreSQL when
    /// `AUDITRAIL_TEST_DATABASE=postgres`).
    pub async fn start() -> Self {
        let database = TestDatabase::from_env();
        let stores = server::store::open(&database.url).await.expect("open");
        let signer = NoteSigner::generate("auditrail.test").expect("a signing key");
        // A checkpoint whenever the tree grew, so tests meet checkpoints at every size.
        let checkpoints = CheckpointPolicy {
            every_events: 1,
            ..CheckpointPolicy::new(signer)
        };
        let services = Arc::new(Services::new(
            stores,
            SessionSettings::default(),
            checkpoints,
        ));
        let router = server::http::router(
            services.clone(),
            Path::new("no-web-app"),
            server::http::Deployment::default(),
        );
        Self {
            services,
            router,
            database,
        }
    }

    /// The application with the organization `acme` and a key that writes to it.
    pub async fn with_writer() -> (Self, String) {
        let app = Self::start().await;
        let org = app.org("acme").await;
        let key = app.key(&org, "probe", &[Permission::EventsWrite]).await;
        (app, key)
    }

    /// Creates an API key in `org` with `scopes`; answers its secret.
    pub async fn key(&self, org: &Organization, name: &str, scopes: &[Permission]) -> String {
        let (_, secret) = self
            .services
            .create_api_key(org, name, scopes)
            .await
            .expect("API key");
        secret
    }

    /// Creates an organization on the pro plan.
    pub async fn org(&self, slug: &str) -> Organization {
        self.services
            .create_organization(slug, slug, app::model::Plan::Pro)
            .await
            .expect("organization")
    }

    /// Adds a member with a role (built-in or custom) and `password`.
    pub async fn member(&self, org: &Organization, email: &str, role: &str, password: &str) {
        self.services
            .add_member(org, email, email, role, password)
            .await
            .expect("member");
    }

    /// Sends a request; answers the whole response.
    pub async fn response(&self, request: Request<Body>) -> axum::response::Response {
        self.router.clone().oneshot(request).await.expect("answer")
    }

    /// Sends a request; answers the status and the body as text.
    pub async fn raw(&self, request: Request<Body>) -> (u16, String) {
        let response = self.response(request).await;
        let status = response.status().as_u16();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    /// Sends a request; answers the status, the JSON body (null when empty) and the response's
    /// `Set-Cookie` values.
    pub async fn send(&self, request: Request<Body>) -> (u16, Value, Vec<String>) {
        let response = self.response(request).await;
        let status = response.status().as_u16();
        let cookies = response
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_owned)
            .collect();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        (status, body, cookies)
    }

    /// Tries to sign in from a browser called `user_agent`; answers the status, the body and
    /// the cookies set.
    pub async fn sign_in(
        &self,
        email: &str,
        password: &str,
        user_agent: &str,
    ) -> (u16, Value, Vec<String>) {
        let form = format!("email={}&password={password}", email.replace('@', "%40"));
        let request = Request::post("/api/session/sign_in")
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(USER_AGENT, user_agent)
            .body(Body::from(form))
            .expect("request");
        self.send(request).await
    }

    /// Signs in; answers the session cookie (`name=value`).
    pub async fn session(&self, email: &str, password: &str) -> String {
        let (status, body, cookies) = self
            .sign_in(email, password, "Mozilla/5.0 (X11; Linux)")
            .await;
        assert_eq!(status, 200, "sign-in of {email}: {body}");
        cookies
            .iter()
            .find(|c| c.starts_with("auditrail_session="))
            .and_then(|c| c.split(';').next())
            .expect("session cookie")
            .to_owned()
    }

    /// Calls a JSON server function with a session cookie.
    pub async fn call(&self, cookie: &str, function: &str, body: Value) -> (u16, Value) {
        let request = Request::post(format!("/api/{function}"))
            .header(CONTENT_TYPE, "application/json")
            .header(COOKIE, cookie)
            .body(Body::from(body.to_string()))
            .expect("request");
        let (status, body, _) = self.send(request).await;
        (status, body)
    }

    /// The value of a counter or gauge (summed over its label sets matching `labels`) in `/metrics`.
    pub async fn metric(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        let request = Request::get("/metrics").body(Body::empty()).unwrap();
        let (status, page) = self.raw(request).await;
        assert_eq!(status, 200);
        super::metric_in(&page, name, labels)
    }

    /// `GET` a REST path with an API key.
    pub async fn get(&self, key: &str, path: &str) -> (u16, Value) {
        let request = Request::get(path)
            .header(AUTHORIZATION, format!("Bearer {key}"))
            .body(Body::empty())
            .expect("request");
        let (status, body, _) = self.send(request).await;
        (status, body)
    }

    /// `POST /api/v1/events` with an API key.
    pub async fn ingest(&self, key: &str, body: &Value) -> (u16, Value) {
        let request = Request::post("/api/v1/events")
            .header(AUTHORIZATION, format!("Bearer {key}"))
            .header(CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .expect("request");
        let (status, body, _) = self.send(request).await;
        (status, body)
    }
}
