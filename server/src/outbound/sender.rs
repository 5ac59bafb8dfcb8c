//! Sends a batch to a stream's destination and reports how it went. Every connection goes
//! through the [`DestinationPolicy`], follows no redirect and times out.

use super::destinations::{DestinationPolicy, Resolver};
use super::formats::{self, Batch};
use crate::store::StoredLogStream;
use app::model::Destination;
use chrono::Utc;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};
use tokio_rustls::TlsConnector;

/// Longest wait for a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest wait for a whole delivery.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(15);
/// Most characters of a refusing destination's answer kept in the delivery log.
const ANSWER_EXCERPT: usize = 200;

/// How a delivery went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The destination acknowledged it (2xx, or everything written for syslog).
    pub ok: bool,
    /// The destination's HTTP status, when it answered.
    pub status: Option<u16>,
    pub error: Option<String>,
    pub latency: Duration,
}

/// Sends batches to destinations; cheap to clone.
#[derive(Clone)]
pub struct Sender {
    policy: DestinationPolicy,
    http: reqwest::Client,
    tls: TlsConnector,
    hostname: Arc<str>,
}

impl Sender {
    /// A sender whose connections `policy` allows.
    pub fn new(policy: DestinationPolicy) -> Self {
        let http = reqwest::Client::builder()
            .dns_resolver(Arc::new(Resolver(policy)))
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(DELIVERY_TIMEOUT)
            .user_agent(concat!("Auditrail/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("the HTTP client's settings are valid");
        let roots = RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        let tls =
            ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .expect("ring supports the default TLS versions")
                .with_root_certificates(roots)
                .with_no_client_auth();
        let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|name| name.trim().to_owned())
            .ok()
            .filter(|name| !name.is_empty())
            .unwrap_or_else(|| "auditrail".into());
        Self {
            policy,
            http,
            tls: TlsConnector::from(Arc::new(tls)),
            hostname: hostname.into(),
        }
    }

    /// Which destinations may be reached.
    pub fn policy(&self) -> DestinationPolicy {
        self.policy
    }

    /// Sends `batch` to the stream's destination.
    pub async fn send(&self, stream: &StoredLogStream, batch: &Batch<'_>) -> Outcome {
        let started = Instant::now();
        let result = tokio::time::timeout(DELIVERY_TIMEOUT, self.deliver(stream, batch)).await;
        let (ok, status, error) = match result {
            Ok(Ok(status)) => (true, status, None),
            Ok(Err((status, error))) => (false, status, Some(error)),
            Err(_) => (
                false,
                None,
                Some("the destination did not answer in time".into()),
            ),
        };
        Outcome {
            ok,
            status,
            error,
            latency: started.elapsed(),
        }
    }

    async fn deliver(
        &self,
        stream: &StoredLogStream,
        batch: &Batch<'_>,
    ) -> Result<Option<u16>, (Option<u16>, String)> {
        let credential = stream.credential.as_deref().unwrap_or_default();
        let request = match &stream.destination {
            Destination::Webhook { url } => {
                let body = formats::webhook_body(batch, Utc::now());
                let id = batch.message_id();
                let timestamp = Utc::now().timestamp();
                let signature =
                    formats::webhook_signature(&signing_secrets(stream), &id, timestamp, &body);
                self.post(url, body)?
                    .header("webhook-id", id)
                    .header("webhook-timestamp", timestamp.to_string())
                    .header("webhook-signature", signature)
            }
            Destination::SplunkHec { url, index } => {
                let url = splunk_event_url(url);
                self.post(&url, formats::splunk_body(batch, index.as_deref()))?
                    .header("authorization", format!("Splunk {credential}"))
            }
            Destination::Datadog { url, service, tags } => {
                let body = formats::datadog_body(batch, service.as_deref(), tags.as_deref());
                self.post(url, body)?.header("dd-api-key", credential)
            }
            Destination::Syslog { host, port, tls } => {
                let frames = formats::syslog_frames(batch, &self.hostname);
                return self
                    .write_syslog(host, *port, *tls, &frames)
                    .await
                    .map(|()| None)
                    .map_err(|error| (None, error));
            }
        };
        let response = request
            .send()
            .await
            .map_err(|e| (None, describe(&e.without_url())))?;
        let status = response.status();
        if status.is_success() {
            return Ok(Some(status.as_u16()));
        }
        let answer = response.text().await.unwrap_or_default();
        let excerpt: String = answer
            .chars()
            .filter(|c| !c.is_control())
            .take(ANSWER_EXCERPT)
            .collect();
        Err((
            Some(status.as_u16()),
            format!("the destination answered {status}: {excerpt}")
                .trim_end_matches([' ', ':'])
                .to_owned(),
        ))
    }

    /// A JSON POST to `url`, once the policy allows the URL.
    fn post(
        &self,
        url: &str,
        body: Vec<u8>,
    ) -> Result<reqwest::RequestBuilder, (Option<u16>, String)> {
        let url = self.policy.check_url(url).map_err(|e| (None, e))?;
        Ok(self
            .http
            .post(url)
            .header("content-type", "application/json")
            .body(body))
    }

    /// Connects to the syslog collector (over TLS when `tls`) and writes the frames.
    async fn write_syslog(
        &self,
        host: &str,
        port: u16,
        tls: bool,
        frames: &[u8],
    ) -> Result<(), String> {
        let addresses = self.policy.resolve(host, port).await?;
        let tcp = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(&addresses[..]))
            .await
            .map_err(|_| format!("connecting to {host}:{port} timed out"))?
            .map_err(|e| format!("cannot connect to {host}:{port}: {e}"))?;
        if !tls {
            return write_all(tcp, frames).await;
        }
        let name = ServerName::try_from(host.to_owned())
            .map_err(|_| format!("{host} is not a valid TLS server name"))?;
        let stream = self
            .tls
            .connect(name, tcp)
            .await
            .map_err(|e| format!("TLS with {host}:{port} failed: {e}"))?;
        write_all(stream, frames).await
    }
}

/// The secrets that sign a webhook now: the current one, and the one before the last rotation
/// while its overlap lasts.
fn signing_secrets(stream: &StoredLogStream) -> Vec<&str> {
    let mut secrets: Vec<&str> = stream.signing_secret.as_deref().into_iter().collect();
    if let Some((previous, until)) = &stream.previous_secret {
        if *until > Utc::now() {
            secrets.push(previous);
        }
    }
    secrets
}

/// HEC's event endpoint under the configured base URL (kept when it is already there).
fn splunk_event_url(url: &str) -> String {
    const PATH: &str = "/services/collector/event";
    let base = url.trim_end_matches('/');
    if base.ends_with(PATH) {
        base.to_owned()
    } else {
        format!("{base}{PATH}")
    }
}

async fn write_all(mut stream: impl AsyncWrite + Unpin, frames: &[u8]) -> Result<(), String> {
    stream
        .write_all(frames)
        .await
        .map_err(|e| format!("writing to the collector failed: {e}"))?;
    stream
        .flush()
        .await
        .map_err(|e| format!("writing to the collector failed: {e}"))?;
    stream
        .shutdown()
        .await
        .map_err(|e| format!("closing the connection failed: {e}"))
}

/// A transport error with its causes (the policy's refusal comes from the resolver).
fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::splunk_event_url;

    #[test]
    fn the_hec_endpoint_is_added_to_the_base_url_once() {
        for url in [
            "https://splunk:8088",
            "https://splunk:8088/",
            "https://splunk:8088/services/collector/event",
        ] {
            assert_eq!(
                splunk_event_url(url),
                "https://splunk:8088/services/collector/event"
            );
        }
    }
}
