//! Services over a fresh, temporary SQLite database holding one organization, for unit tests of
//! the services and of the HTTP surface (in-process, without a server).

use super::{CheckpointPolicy, Services, SessionSettings, SESSION_COOKIE};
use crate::proof::note::NoteSigner;
use crate::store::{self, ApiKey, Organization, User};
use app::api::backend::SessionBackend;
use app::model::{ClientInfo, Permission, Plan};
use std::sync::Arc;

/// The password of every member the fixture adds.
const PASSWORD: &str = "correct-horse-battery";

/// Services over their own database, deleted on drop, with the organization `acme` on `pro`.
pub struct TestServices {
    pub services: Arc<Services>,
    pub org: Organization,
    database_url: String,
    _dir: tempfile::TempDir,
}

impl TestServices {
    /// A new database holding `acme` with its built-in roles.
    pub async fn new() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let database_url = format!("sqlite://{}", dir.path().join("auditrail.db").display());
        let stores = store::open(&database_url).await.expect("open the store");
        let signer = NoteSigner::generate("auditrail.test").expect("a signing key");
        let checkpoints = CheckpointPolicy::new(signer);
        let services = Arc::new(Services::new(
            stores,
            SessionSettings::default(),
            checkpoints,
        ));
        let org = services
            .create_organization("acme", "Acme", Plan::Pro)
            .await
            .expect("create acme");
        Self {
            services,
            org,
            database_url,
            _dir: dir,
        }
    }

    /// A new API key of `acme` with `scopes`, and its secret.
    pub async fn key(&self, scopes: &[Permission]) -> (ApiKey, String) {
        self.services
            .create_api_key(&self.org, "test-key", scopes)
            .await
            .expect("create a key")
    }

    /// Adds `email` to `org` with the role named `role`.
    pub async fn member(&self, org: &Organization, email: &str, role: &str) -> User {
        self.services
            .add_member(org, email, email, role, PASSWORD)
            .await
            .expect("add the member")
    }

    /// Signs `email` in; answers the session token.
    pub async fn sign_in(&self, email: &str) -> String {
        let signed_in = self
            .services
            .sign_in(email, PASSWORD, &ClientInfo::default(), None)
            .await
            .expect("sign in");
        signed_in
            .set_cookies
            .iter()
            .find_map(|c| c.strip_prefix(&format!("{SESSION_COOKIE}=")))
            .and_then(|c| c.split(';').next())
            .expect("a session cookie")
            .to_owned()
    }

    /// Runs one SQL statement on the database: for changes no service makes (a plan, an expiry).
    pub async fn execute(&self, sql: &str) {
        let pool = sqlx::SqlitePool::connect(&self.database_url)
            .await
            .expect("connect");
        sqlx::query(sql).execute(&pool).await.expect("execute");
        pool.close().await;
    }
}
