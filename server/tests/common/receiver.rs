//! Receivers for log streams, started by the tests: an HTTP endpoint that records every request
//! (and can be taken down, answering 503), and a real rsyslog listening on a TCP port.

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use std::path::PathBuf;
use std::process::{Child, Command};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request a receiver got.
#[derive(Clone, Debug)]
pub struct Received {
    pub method: Method,
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// A local HTTP receiver answering every request with `status` (503 while down).
pub struct HttpReceiver {
    pub url: String,
    requests: Arc<Mutex<Vec<Received>>>,
    down: Arc<AtomicBool>,
}

impl HttpReceiver {
    /// Starts a receiver answering `status`.
    pub async fn start(status: u16) -> Self {
        let requests: Arc<Mutex<Vec<Received>>> = Arc::default();
        let down: Arc<AtomicBool> = Arc::default();
        let (kept, is_down) = (requests.clone(), down.clone());
        let status = StatusCode::from_u16(status).expect("a status");
        let app = axum::Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let (kept, is_down) = (kept.clone(), is_down.clone());
                async move {
                    if is_down.load(Ordering::SeqCst) {
                        return StatusCode::SERVICE_UNAVAILABLE;
                    }
                    kept.lock().unwrap().push(Received {
                        method,
                        path: uri.path().to_owned(),
                        headers,
                        body,
                    });
                    status
                }
            },
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self {
            url,
            requests,
            down,
        }
    }

    /// Answers 503 to everything while `down`.
    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }

    /// Every request acknowledged so far.
    pub fn requests(&self) -> Vec<Received> {
        self.requests.lock().unwrap().clone()
    }
}

/// Debian's rsyslogd in the foreground, receiving RFC 5424 over TCP (octet-counted framing) on
/// a port of its own and writing each message's fields to a file:
/// `facility|severity|app-name|msgid|structured-data|msg`.
pub struct Rsyslog {
    pub port: u16,
    pub output: PathBuf,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Rsyslog {
    pub fn start() -> Self {
        let rsyslogd = ["/usr/sbin/rsyslogd", "/sbin/rsyslogd"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists())
            .expect("rsyslogd is not installed: run scripts/setup.sh --test");
        let dir = tempfile::tempdir().expect("temporary directory");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let output = dir.path().join("messages.log");
        let config = dir.path().join("rsyslog.conf");
        std::fs::write(
            &config,
            format!(
                r#"global(workDirectory="{dir}")
module(load="imtcp")
template(name="fields" type="string"
         string="%syslogfacility%|%syslogseverity%|%app-name%|%msgid%|%structured-data%|%msg%\n")
ruleset(name="streams") {{ action(type="omfile" file="{output}" template="fields") }}
input(type="imtcp" address="127.0.0.1" port="{port}" ruleset="streams")
"#,
                dir = dir.path().display(),
                output = output.display(),
            ),
        )
        .expect("write the rsyslog configuration");
        let child = Command::new(rsyslogd)
            .arg("-n")
            .arg("-f")
            .arg(&config)
            .arg("-i")
            .arg(dir.path().join("rsyslogd.pid"))
            .spawn()
            .expect("start rsyslogd");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Self {
            port,
            output,
            child,
            _dir: dir,
        }
    }

    /// The lines written so far.
    pub fn lines(&self) -> Vec<String> {
        std::fs::read_to_string(&self.output)
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

impl Drop for Rsyslog {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
