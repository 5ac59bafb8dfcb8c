//! The web app's files (Trunk's `dist/`): served precompressed when the build wrote `.br`/`.gz`
//! twins and the browser accepts them, hashed file names cached for a year, everything else
//! (the `index.html` every client-side route answers with) revalidated on each visit.

use axum::extract::Request;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, VARY};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use std::path::Path;
use tower_http::services::{ServeDir, ServeFile};

/// A year, and never revalidated: a hashed name changes whenever the content does.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Revalidated on every visit, so a new build's `index.html` (naming new hashes) is seen at once.
const REVALIDATE: &str = "no-cache";

/// Serves `assets_dir`, with `index.html` answering every path that is not a file there (so
/// client-side routes survive a reload).
pub fn router(assets_dir: &Path) -> Router {
    let index = ServeFile::new(assets_dir.join("index.html"))
        .precompressed_br()
        .precompressed_gzip();
    let files = ServeDir::new(assets_dir)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(index);
    Router::new()
        .fallback_service(files)
        .layer(axum::middleware::from_fn(cache_control))
}

/// Sets `Cache-Control` by what was served, and `Vary` since the encoding follows the request's.
async fn cache_control(request: Request, next: Next) -> Response {
    let hashed = has_hashed_name(request.uri().path());
    let mut response = next.run(request).await;
    let html = response
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|t| t.as_bytes().starts_with(b"text/html"));
    let policy = if hashed && !html && response.status().is_success() {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(policy));
    headers.insert(VARY, HeaderValue::from_static("accept-encoding"));
    response
}

/// Whether the last segment of `path` carries Trunk's content hash: `name-<hex digits>` followed
/// by `.` or `_` (`app-0123456789abcdef_bg.wasm`, `main-0123456789abcdef.css`). The hash is a
/// 64-bit number written without leading zeros, so it has up to 16 digits (at least 8 here, so
/// ordinary words are not taken for one).
fn has_hashed_name(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.match_indices('-').any(|(at, _)| {
        let rest = &name[at + 1..];
        let digits = rest.bytes().take_while(u8::is_ascii_hexdigit).count();
        (8..=16).contains(&digits) && matches!(rest.as_bytes().get(digits), Some(b'.' | b'_'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::header::{ACCEPT_ENCODING, CONTENT_ENCODING};
    use axum::http::StatusCode;
    use tower::ServiceExt;

    const WASM: &str = "app-0123456789abcdef_bg.wasm";

    #[test]
    fn recognises_trunks_hashed_names_only() {
        assert!(has_hashed_name("/app-0123456789abcdef_bg.wasm"));
        assert!(has_hashed_name("/app-0123456789abcdef.js"));
        assert!(has_hashed_name("/main-32636c036a82c3d3.css"));
        assert!(
            has_hashed_name("/app-cb242e38ec61f8a_bg.wasm"),
            "a hash with a leading zero dropped has 15 digits"
        );
        assert!(!has_hashed_name("/app-cafe.js"));
        assert!(!has_hashed_name("/index.html"));
        assert!(!has_hashed_name("/audit-logs"));
        assert!(!has_hashed_name("/reset-password/0123456789abcdef"));
        assert!(!has_hashed_name("/app-0123456789abcdeg.js"));
    }

    /// A `dist/` with `index.html` and a wasm file, each with brotli and gzip twins whose
    /// contents name their encoding.
    fn dist() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for name in ["index.html", WASM] {
            std::fs::write(dir.path().join(name), "plain").unwrap();
            std::fs::write(dir.path().join(format!("{name}.br")), "br").unwrap();
            std::fs::write(dir.path().join(format!("{name}.gz")), "gzip").unwrap();
        }
        dir
    }

    async fn get(dir: &Path, path: &str, accept: &str) -> Response {
        let request = Request::builder()
            .uri(path)
            .header(ACCEPT_ENCODING, accept)
            .body(Body::empty())
            .unwrap();
        router(dir).oneshot(request).await.unwrap()
    }

    async fn body(response: Response) -> String {
        let bytes = axum::body::to_bytes(response.into_body(), 1024)
            .await
            .unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn a_hashed_file_is_served_precompressed_and_immutable() {
        let dir = dist();
        let response = get(dir.path(), &format!("/{WASM}"), "gzip, deflate, br").await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()[CONTENT_ENCODING], "br");
        assert_eq!(response.headers()[CACHE_CONTROL], IMMUTABLE);
        assert_eq!(response.headers()[VARY], "accept-encoding");
        assert_eq!(body(response).await, "br");

        let response = get(dir.path(), &format!("/{WASM}"), "gzip").await;
        assert_eq!(response.headers()[CONTENT_ENCODING], "gzip");
        assert_eq!(body(response).await, "gzip");

        let response = get(dir.path(), &format!("/{WASM}"), "identity").await;
        assert!(!response.headers().contains_key(CONTENT_ENCODING));
        assert_eq!(body(response).await, "plain");
    }

    #[tokio::test]
    async fn index_html_and_client_routes_are_revalidated_on_every_visit() {
        let dir = dist();
        for path in [
            "/",
            "/index.html",
            "/audit-logs",
            "/app-0123456789abcdef.js",
        ] {
            let response = get(dir.path(), path, "br").await;
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            assert_eq!(response.headers()[CACHE_CONTROL], REVALIDATE, "{path}");
            assert_eq!(body(response).await, "br", "{path}");
        }
    }
}
