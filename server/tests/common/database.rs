//! Throw-away databases for tests: a SQLite file in a temporary directory, or a PostgreSQL
//! database created for the test and dropped after it.

use sqlx::{Connection, Executor, PgConnection};
use tempfile::TempDir;

/// Where the tests' PostgreSQL server is (a database on it that may be connected to).
fn postgres_admin_url() -> String {
    std::env::var("AUDITRAIL_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// Runs one statement on the admin database, outside any async runtime the test may be in.
fn admin(sql: String) {
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let mut conn = PgConnection::connect(&postgres_admin_url())
                .await
                .expect("PostgreSQL for tests is reachable (see TOOLCHAIN.md to start it)");
            conn.execute(sql.as_str()).await.expect("admin statement");
        });
    })
    .join()
    .expect("admin thread");
}

/// A database that exists for one test.
pub struct TestDatabase {
    pub url: String,
    postgres_name: Option<String>,
    /// Holds the SQLite file, and the checkpoint signing key on either database.
    dir: TempDir,
}

impl TestDatabase {
    /// A fresh SQLite file.
    pub fn sqlite() -> Self {
        Self::sqlite_in(&std::env::temp_dir())
    }

    /// A fresh SQLite file in a directory under `parent` (a small file system, say).
    pub fn sqlite_in(parent: &std::path::Path) -> Self {
        let dir = tempfile::tempdir_in(parent).expect("temp dir");
        Self {
            url: format!("sqlite://{}", dir.path().join("test.db").display()),
            postgres_name: None,
            dir,
        }
    }

    /// A fresh PostgreSQL database, `auditrail_test_<random>`.
    pub fn postgres() -> Self {
        let name = format!("auditrail_test_{}", uuid::Uuid::now_v7().simple());
        admin(format!("CREATE DATABASE {name}"));
        let admin_url = postgres_admin_url();
        let server = admin_url
            .rsplit_once('/')
            .map_or(admin_url.as_str(), |(s, _)| s);
        Self {
            url: format!("{server}/{name}"),
            postgres_name: Some(name),
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// Where a server on this database keeps its checkpoint signing key.
    pub fn signing_key_file(&self) -> std::path::PathBuf {
        self.dir.path().join("signing-key")
    }

    /// Whether this is a PostgreSQL database (else SQLite).
    pub fn is_postgres(&self) -> bool {
        self.postgres_name.is_some()
    }

    /// Runs `statements` in one transaction straight on the database, as someone holding its
    /// credentials would (behind the server's back); answers the database's refusal, if any.
    pub async fn execute(&self, statements: &[&str]) -> Result<(), sqlx::Error> {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&self.url).await?;
        let mut tx = pool.begin().await?;
        for statement in statements {
            tx.execute(*statement).await?;
        }
        tx.commit().await?;
        pool.close().await;
        Ok(())
    }

    /// The database the environment asks for: `AUDITRAIL_TEST_DATABASE=postgres`, else SQLite.
    pub fn from_env() -> Self {
        match std::env::var("AUDITRAIL_TEST_DATABASE").as_deref() {
            Ok("postgres") => Self::postgres(),
            _ => Self::sqlite(),
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(name) = &self.postgres_name {
            admin(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}
