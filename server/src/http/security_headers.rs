//! Security headers on every response: a Content-Security-Policy under which only our own files
//! and the web app's inline bootstrap (allowed by its hash) run, no framing, no MIME sniffing, no
//! referrer leaving the site, and HSTS when the server is reached over HTTPS only.

use axum::extract::State;
use axum::http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::Arc;

/// The headers added to every response, built once when the router is.
#[derive(Clone)]
pub struct SecurityHeaders(Arc<HeaderMap>);

impl SecurityHeaders {
    /// The headers for the web app built into `assets_dir` (its `index.html` decides which inline
    /// scripts may run; none without one), with HSTS when `https_only`.
    pub fn for_assets(assets_dir: &Path, https_only: bool) -> Self {
        let index_html = match std::fs::read_to_string(assets_dir.join("index.html")) {
            Ok(html) => Some(html),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
            Err(error) => {
                tracing::warn!(%error, "cannot read index.html: no inline script may run");
                None
            }
        };
        Self::new(index_html.as_deref(), https_only)
    }

    /// The headers for a web app whose entry page is `index_html`, with HSTS when `https_only`.
    fn new(index_html: Option<&str>, https_only: bool) -> Self {
        let mut headers = HeaderMap::new();
        let policy = content_security_policy(index_html.unwrap_or(""));
        // Hashes are base64 and the rest is fixed text: always a valid header value.
        if let Ok(policy) = HeaderValue::from_str(&policy) {
            headers.insert(CONTENT_SECURITY_POLICY, policy);
        }
        headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
        // Not `no-referrer`: under it browsers send `Origin: null` on the app's own POSTs, which
        // the cross-site check must refuse. `same-origin` keeps our own requests' origin and
        // sends nothing (not even our host name) to other sites, whose links events may hold.
        headers.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
        if https_only {
            headers.insert(
                STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static("max-age=31536000; includeSubDomains"),
            );
        }
        Self(Arc::new(headers))
    }
}

/// Sets the security headers on a response.
pub async fn add(State(headers): State<SecurityHeaders>, mut response: Response) -> Response {
    for (name, value) in headers.0.iter() {
        response.headers_mut().insert(name, value.clone());
    }
    response
}

/// The policy for a page: our own origin only; scripts also by hash (the page's inline ones) and
/// WebAssembly compilation; styles also by hash (inline `<style>` blocks, which Trunk's build does
/// not write today). Leptos sets styles through the CSSOM, which `style-src` does not govern.
fn content_security_policy(index_html: &str) -> String {
    let hashes = |tag: &str| -> String {
        inline_elements(index_html, tag)
            .into_iter()
            .map(|text| format!(" {}", hash_source(text)))
            .collect()
    };
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{}; style-src 'self'{}; \
         img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; \
         form-action 'self'; object-src 'none'",
        hashes("script"),
        hashes("style"),
    )
}

/// A CSP source allowing one inline element: `'sha256-<base64 of the SHA-256 of its text>'`.
fn hash_source(text: &str) -> String {
    format!(
        "'sha256-{}'",
        BASE64.encode(Sha256::digest(text.as_bytes()))
    )
}

/// The text of each inline `<tag>` element of an HTML page, exactly as written (what a browser
/// hashes); scripts with a `src` are not inline and are left out.
fn inline_elements<'a>(html: &'a str, tag: &str) -> Vec<&'a str> {
    // ASCII lowercasing keeps every byte offset, so positions found in `lower` slice `html`.
    let lower = html.to_ascii_lowercase();
    let (open, close) = (format!("<{tag}"), format!("</{tag}"));
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(start) = lower[at..].find(&open).map(|i| at + i + open.len()) {
        at = start;
        let Some(end_of_tag) = lower[start..].find('>').map(|i| start + i) else {
            break;
        };
        let attributes = &lower[start..end_of_tag];
        if !(attributes.is_empty() || attributes.starts_with(char::is_whitespace)) {
            continue; // another tag that starts alike, such as `<scripts>`
        }
        let body = end_of_tag + 1;
        let Some(end) = lower[body..].find(&close).map(|i| body + i) else {
            break;
        };
        at = end;
        let has_src = attributes
            .split(char::is_whitespace)
            .any(|attribute| attribute == "src" || attribute.starts_with("src="));
        if !has_src {
            found.push(&html[body..end]);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use axum::routing::get;
    use axum::Router;
    use tower::ServiceExt;

    /// The shape of Trunk 0.21's `dist/index.html`: links to hashed files and one inline module
    /// that loads the WebAssembly.
    const TRUNK_INDEX: &str = r#"<!DOCTYPE html><html lang="en"><head>
<link rel="stylesheet" href="/main-1a2b.css" integrity="sha384-abc"/>
<script type="module">
import init, * as bindings from '/app-3c4d.js';
const wasm = await init({ module_or_path: '/app-3c4d_bg.wasm' });

window.wasmBindings = bindings;

dispatchEvent(new CustomEvent("TrunkApplicationStarted", {detail: {wasm}}));

</script>
<link rel="modulepreload" href="/app-3c4d.js" crossorigin="anonymous" integrity="sha384-def">
<SCRIPT src="/analytics.js"></SCRIPT><scripts>not a script</scripts>
</head><body></body></html>"#;

    #[test]
    fn an_inline_script_is_allowed_by_the_sha256_of_its_exact_text() {
        // The CSP specification's own example.
        assert_eq!(
            hash_source("alert('Hello, world.');"),
            "'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='"
        );
        let scripts = inline_elements(TRUNK_INDEX, "script");
        assert_eq!(scripts.len(), 1, "{scripts:?}");
        assert!(scripts[0].starts_with("\nimport init"));
        assert!(scripts[0].ends_with("}}));\n\n"));
        let policy = content_security_policy(TRUNK_INDEX);
        assert!(policy.contains(&format!(
            "script-src 'self' 'wasm-unsafe-eval' {};",
            hash_source(scripts[0])
        )));
        assert!(policy.contains("style-src 'self';"));
        assert!(!policy.contains("unsafe-inline"));
    }

    #[test]
    fn without_a_built_app_no_inline_script_may_run() {
        let policy = content_security_policy("");
        assert!(policy.starts_with(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
        ));
        assert!(policy.ends_with(
            "; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
        ));
    }

    #[test]
    fn an_inline_style_block_is_allowed_by_its_hash() {
        let html = "<head><style>body{margin:0}</style></head>";
        assert!(content_security_policy(html).contains(&format!(
            "style-src 'self' {};",
            hash_source("body{margin:0}")
        )));
    }

    async fn headers_of(https_only: bool) -> HeaderMap {
        let app = Router::new().route("/", get(|| async { "hi" })).layer(
            axum::middleware::map_response_with_state(
                SecurityHeaders::new(Some(TRUNK_INDEX), https_only),
                add,
            ),
        );
        let request = Request::builder().uri("/").body(Body::empty()).unwrap();
        app.oneshot(request).await.unwrap().headers().clone()
    }

    #[tokio::test]
    async fn every_response_carries_the_security_headers_and_hsts_only_over_https() {
        let headers = headers_of(false).await;
        assert!(headers[CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .contains("'sha256-"));
        assert_eq!(headers[X_FRAME_OPTIONS], "DENY");
        assert_eq!(headers[X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(headers[REFERRER_POLICY], "same-origin");
        assert!(!headers.contains_key(STRICT_TRANSPORT_SECURITY));
        assert_eq!(
            headers_of(true).await[STRICT_TRANSPORT_SECURITY],
            "max-age=31536000; includeSubDomains"
        );
    }
}
