//! The form for a new stream: its name, the kind of destination and that kind's fields, the
//! credential Splunk and Datadog need, and the filter. A webhook's signing secret is shown here
//! once, when the stream is created.

use crate::api::log_streams::create_log_stream;
use crate::model::{
    Destination, NewLogStream, MAX_CREDENTIAL_LEN, MAX_DESTINATION_LEN, MAX_STREAM_NAME_LEN,
};
use crate::ui::components::{Busy, Flash, Notice, SecretOnce};
use leptos::prelude::*;

/// What a filter looks like, as the filter field's placeholder.
const FILTER_EXAMPLE: &str = "action:user.* result:failure";

/// The port a new syslog stream starts with: syslog over TLS (RFC 5425).
const SYSLOG_TLS_PORT: u16 = 6514;

/// One empty destination of each kind, in the order the form offers them.
fn kinds() -> [Destination; 4] {
    [
        Destination::Webhook { url: String::new() },
        Destination::SplunkHec {
            url: String::new(),
            index: None,
        },
        Destination::Datadog {
            url: String::new(),
            service: None,
            tags: None,
        },
        Destination::Syslog {
            host: String::new(),
            port: SYSLOG_TLS_PORT,
            tls: true,
        },
    ]
}

/// An example address of a kind, as the URL field's placeholder.
fn url_example(kind: &str) -> &'static str {
    match kind {
        "splunk_hec" => "https://splunk.example.com:8088",
        "datadog" => "https://http-intake.logs.datadoghq.com/api/v2/logs",
        _ => "https://siem.example.com/hooks/auditrail",
    }
}

/// The trimmed text, or `None` when it is blank.
fn optional(text: String) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// The last part of the dotted path of the field the server refuses (`destination.url` → `url`),
/// which names the form's input.
fn input_name(field: &str) -> String {
    field.rsplit('.').next().unwrap_or(field).to_owned()
}

/// `aria-invalid` of the input named `input`: whether the last refusal named it.
fn aria_invalid(
    invalid: RwSignal<Option<String>>,
    input: &'static str,
) -> impl Fn() -> String + Copy {
    move || (invalid.get().as_deref() == Some(input)).to_string()
}

/// The form's fields.
#[derive(Clone, Copy)]
struct Draft {
    name: RwSignal<String>,
    /// The destination's kind, as [`Destination::kind`] names it.
    kind: RwSignal<&'static str>,
    url: RwSignal<String>,
    index: RwSignal<String>,
    service: RwSignal<String>,
    tags: RwSignal<String>,
    host: RwSignal<String>,
    port: RwSignal<String>,
    tls: RwSignal<bool>,
    credential: RwSignal<String>,
    filter: RwSignal<String>,
}

impl Draft {
    /// An empty form for a webhook.
    fn new() -> Self {
        Self {
            name: RwSignal::new(String::new()),
            kind: RwSignal::new("webhook"),
            url: RwSignal::new(String::new()),
            index: RwSignal::new(String::new()),
            service: RwSignal::new(String::new()),
            tags: RwSignal::new(String::new()),
            host: RwSignal::new(String::new()),
            port: RwSignal::new(SYSLOG_TLS_PORT.to_string()),
            tls: RwSignal::new(true),
            credential: RwSignal::new(String::new()),
            filter: RwSignal::new(String::new()),
        }
    }

    /// The destination the fields describe, or the input that holds no port and why.
    fn destination(self) -> Result<Destination, (&'static str, String)> {
        let url = self.url.get_untracked().trim().to_owned();
        Ok(match self.kind.get_untracked() {
            "splunk_hec" => Destination::SplunkHec {
                url,
                index: optional(self.index.get_untracked()),
            },
            "datadog" => Destination::Datadog {
                url,
                service: optional(self.service.get_untracked()),
                tags: optional(self.tags.get_untracked()),
            },
            "syslog" => Destination::Syslog {
                host: self.host.get_untracked().trim().to_owned(),
                port: self
                    .port
                    .get_untracked()
                    .trim()
                    .parse()
                    .map_err(|_| ("port", "Enter a port number from 1 to 65535".to_owned()))?,
                tls: self.tls.get_untracked(),
            },
            _ => Destination::Webhook { url },
        })
    }

    /// The stream the form describes, or the input that is wrong and why.
    fn stream(self) -> Result<NewLogStream, (&'static str, String)> {
        let destination = self.destination()?;
        let credential = destination
            .needs_credential()
            .then(|| self.credential.get_untracked());
        Ok(NewLogStream {
            name: self.name.get_untracked().trim().to_owned(),
            destination,
            filter: self.filter.get_untracked().trim().to_owned(),
            credential,
        })
    }

    /// Empties the fields once a stream is created; the kind stays for the next one.
    fn clear(self) {
        for text in [
            self.name,
            self.url,
            self.index,
            self.service,
            self.tags,
            self.host,
            self.credential,
            self.filter,
        ] {
            text.set(String::new());
        }
    }
}

/// What a kind's credential is called, for the kinds that need one.
fn credential_label(kind: &str) -> Option<&'static str> {
    match kind {
        "splunk_hec" => Some("HEC token"),
        "datadog" => Some("API key"),
        _ => None,
    }
}

/// The fields of the chosen kind: a URL (and Splunk's index or Datadog's service and tags), or
/// a syslog host, port and TLS; and the credential Splunk and Datadog need.
#[component]
fn KindFields(draft: Draft, invalid: RwSignal<Option<String>>) -> impl IntoView {
    let refused = move |input| aria_invalid(invalid, input);
    move || {
        let kind = draft.kind.get();
        let address = if kind == "syslog" {
            view! {
                <label>"Host"
                    <input type="text" name="host" required maxlength=MAX_DESTINATION_LEN.to_string()
                        placeholder="syslog.example.com" aria-invalid=refused("host") bind:value=draft.host />
                </label>
                <label>"Port"
                    <input type="number" name="port" inputmode="numeric" min="1" max="65535" step="1" required
                        aria-invalid=refused("port") bind:value=draft.port />
                </label>
                <label class="check">
                    <input type="checkbox" name="tls" bind:checked=draft.tls />
                    "Use TLS (RFC 5425)"
                </label>
            }
            .into_any()
        } else {
            view! {
                <label>"URL"
                    <input type="url" name="url" required maxlength=MAX_DESTINATION_LEN.to_string()
                        placeholder=url_example(kind) aria-invalid=refused("url") bind:value=draft.url />
                </label>
            }
            .into_any()
        };
        let splunk = (kind == "splunk_hec").then(|| view! {
            <label>"Index (optional)"
                <input type="text" name="index" aria-invalid=refused("index") bind:value=draft.index />
            </label>
        });
        let datadog = (kind == "datadog").then(|| view! {
            <label>"Service (optional)"
                <input type="text" name="service" placeholder="auditrail" aria-invalid=refused("service")
                    bind:value=draft.service />
            </label>
            <label>"Tags (optional)"
                <input type="text" name="tags" placeholder="env:prod,team:security" aria-invalid=refused("tags")
                    bind:value=draft.tags />
            </label>
        });
        let credential = credential_label(kind).map(|label| {
            view! {
                <label>{label}
                    <input type="password" name="credential" autocomplete="off" required
                        maxlength=MAX_CREDENTIAL_LEN.to_string() aria-invalid=refused("credential")
                        bind:value=draft.credential />
                </label>
            }
        });
        view! { {address} {splunk} {datadog} {credential} }
    }
}

/// The new stream form; `on_created` runs once a stream is created.
#[component]
pub(super) fn NewStreamForm(on_created: Callback<()>) -> impl IntoView {
    let busy = Busy::new();
    let notice = RwSignal::new(None::<Notice>);
    let draft = Draft::new();
    // The input the last refusal named, by its `name`.
    let invalid = RwSignal::new(None::<String>);
    // A new webhook's name and signing secret, shown once.
    let secret = RwSignal::new(None::<(String, String)>);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let new = match draft.stream() {
            Ok(new) => new,
            Err((input, message)) => {
                invalid.set(Some(input.to_owned()));
                notice.set(Some(Notice::Failed(message)));
                return;
            }
        };
        busy.run(async move {
            let name = new.name.clone();
            let result = create_log_stream(new).await;
            invalid.set(
                result
                    .as_ref()
                    .err()
                    .and_then(|e| e.field.as_deref())
                    .map(input_name),
            );
            notice.set(Some(Notice::of(&result, format!("Stream {name} created"))));
            if let Ok(created) = result {
                secret.set(created.signing_secret.map(|s| (name, s)));
                draft.clear();
                on_created.run(());
            }
        });
    };
    let choose_kind = move |ev: leptos::ev::Event| {
        let chosen = event_target_value(&ev);
        if let Some(kind) = kinds().iter().map(Destination::kind).find(|k| *k == chosen) {
            draft.kind.set(kind);
        }
    };
    let kind_options = kinds()
        .iter()
        .map(|d| {
            let kind = d.kind();
            view! { <option value=kind selected=move || draft.kind.get() == kind>{d.kind_label()}</option> }
        })
        .collect_view();
    let refused = move |input| aria_invalid(invalid, input);
    let shown_secret = move || {
        secret.get().map(|(name, secret)| {
            view! {
                <SecretOnce secret copy_label="Copy secret" testid="signing-secret">
                    <p>"Copy the signing secret of "<strong>{name}</strong>" now: it will not be shown "
                       "again. Receivers check each delivery's "<code>"webhook-signature"</code>" with it."</p>
                </SecretOnce>
            }
        })
    };

    view! {
        <form class="card stream-form" aria-busy=move || busy.get().to_string() on:submit=submit>
            <h2>"New stream"</h2>
            <Flash notice=notice />
            {shown_secret}
            <label>"Name"
                <input type="text" name="name" required maxlength=MAX_STREAM_NAME_LEN.to_string()
                    placeholder="SIEM" aria-invalid=refused("name") bind:value=draft.name />
            </label>
            <label>"Kind"
                <select name="kind" on:change=choose_kind>{kind_options}</select>
            </label>
            <KindFields draft invalid />
            <label>"Filter"
                <input type="text" name="filter" placeholder=FILTER_EXAMPLE aria-describedby="stream-filter-note"
                    aria-invalid=refused("filter") bind:value=draft.filter />
            </label>
            <p id="stream-filter-note" class="field-note">
                "Which events to send, in the audit log's search syntax. Leave it empty to send every event."
            </p>
            <div class="form-actions">
                <button type="submit" class="primary" disabled=move || busy.get()>"Create stream"</button>
            </div>
        </form>
    }
}
