//! The OpenAPI document rendered as Markdown: `docs/API.md`, the API reference linked from the
//! README, kept equal to what the server serves by a test.

use serde_json::{Map, Value};
use std::fmt::Write;

/// The reference page for `document`.
pub fn render(document: &Value) -> String {
    let mut out = String::new();
    let info = &document["info"];
    let _ = writeln!(
        out,
        "# {} {}\n",
        text(&info["title"]),
        text(&info["version"])
    );
    let _ = writeln!(
        out,
        "<!-- Generated from GET /api/v1/openapi.json: AUDITRAIL_UPDATE_API_DOC=1 cargo test -p \
         server --test openapi. Do not edit by hand. -->\n"
    );
    let _ = writeln!(out, "{}\n", text(&info["description"]));
    let _ = writeln!(
        out,
        "The machine-readable document (OpenAPI {}) is served at `GET /api/v1/openapi.json`, \
         without authentication.\n",
        text(&document["openapi"])
    );
    render_security(&mut out, &document["components"]["securitySchemes"]);
    for tag in document["tags"].as_array().into_iter().flatten() {
        let name = text(&tag["name"]);
        let _ = writeln!(
            out,
            "## {} — {}\n",
            capitalised(&name),
            text(&tag["description"])
        );
        for (path, item) in object(&document["paths"]) {
            for (method, operation) in object(item) {
                let tagged = operation["tags"].as_array().into_iter().flatten();
                if tagged.filter_map(Value::as_str).any(|t| t == name) {
                    render_operation(&mut out, method, path, operation);
                }
            }
        }
    }
    let _ = writeln!(out, "## Schemas\n");
    for (name, schema) in object(&document["components"]["schemas"]) {
        render_schema(&mut out, name, schema);
    }
    out
}

fn object(value: &Value) -> impl Iterator<Item = (&String, &Value)> {
    value.as_object().into_iter().flat_map(Map::iter)
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Text fit for one table cell.
fn cell(description: &Value) -> String {
    text(description)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

fn render_security(out: &mut String, schemes: &Value) {
    let _ = writeln!(out, "## Authentication\n");
    for (name, scheme) in object(schemes) {
        let _ = writeln!(
            out,
            "**`{name}`** ({}). {}\n",
            kind(scheme),
            text(&scheme["description"])
        );
    }
}

/// What a security scheme is, in words.
fn kind(scheme: &Value) -> String {
    match text(&scheme["type"]).as_str() {
        "http" => format!("HTTP {}", text(&scheme["scheme"])),
        "apiKey" => format!("`{}` {}", text(&scheme["name"]), text(&scheme["in"])),
        other => other.to_owned(),
    }
}

fn render_operation(out: &mut String, method: &str, path: &str, operation: &Value) {
    let _ = writeln!(out, "### `{} {path}`\n", method.to_uppercase());
    let _ = writeln!(out, "{}\n", text(&operation["summary"]));
    let description = text(&operation["description"]);
    if !description.is_empty() {
        let _ = writeln!(out, "{description}\n");
    }
    let _ = writeln!(
        out,
        "Authentication: {}.\n",
        requirements(&operation["security"])
    );
    let parameters = operation["parameters"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if !parameters.is_empty() {
        let _ = writeln!(out, "| parameter | in | type | |\n|---|---|---|---|");
        for p in &parameters {
            let required = if p["required"] == true {
                " (required)"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "| `{}`{required} | {} | {} | {} |",
                text(&p["name"]),
                text(&p["in"]),
                type_of(&p["schema"]),
                cell(&p["description"])
            );
        }
        out.push('\n');
    }
    if let Some((media, content)) = object(&operation["requestBody"]["content"]).next() {
        let _ = writeln!(
            out,
            "Request body (`{media}`): {}. {}\n",
            type_of(&content["schema"]),
            cell(&operation["requestBody"]["description"])
        );
    }
    let _ = writeln!(out, "| status | body | |\n|---|---|---|");
    for (status, answer) in object(&operation["responses"]) {
        let bodies: Vec<String> = object(&answer["content"])
            .map(|(media, content)| format!("{} (`{media}`)", type_of(&content["schema"])))
            .collect();
        let headers: Vec<String> = object(&answer["headers"])
            .map(|(name, _)| format!("header `{name}`"))
            .collect();
        let body = [bodies, headers].concat().join(", ");
        let _ = writeln!(
            out,
            "| {status} | {body} | {} |",
            cell(&answer["description"])
        );
    }
    out.push('\n');
}

/// Who may call an operation: each way to authenticate with the scopes it needs.
fn requirements(security: &Value) -> String {
    let ways: Vec<String> = security
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|requirement| {
            object(requirement)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect::<Vec<_>>()
        })
        .map(|(scheme, scopes)| {
            let scopes: Vec<String> = scopes
                .as_array()
                .into_iter()
                .flatten()
                .map(|s| format!("`{}`", text(s)))
                .collect();
            match scopes.is_empty() {
                true => format!("`{scheme}`"),
                false => format!("`{scheme}` with {}", scopes.join(", ")),
            }
        })
        .collect();
    match ways.is_empty() {
        true => "none".to_owned(),
        false => ways.join(", or "),
    }
}

/// A schema in a few words: a link to a named schema, a type, an array, a choice.
fn type_of(schema: &Value) -> String {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap_or(reference);
        return format!("[{name}](#{})", name.to_lowercase());
    }
    for (keyword, joint) in [("oneOf", " or "), ("anyOf", " or "), ("allOf", " and ")] {
        if let Some(items) = schema[keyword].as_array() {
            return items.iter().map(type_of).collect::<Vec<_>>().join(joint);
        }
    }
    if let Some(values) = schema["enum"].as_array() {
        let values: Vec<String> = values.iter().map(|v| format!("`{}`", text(v))).collect();
        return values.join(", ");
    }
    let types: Vec<String> = match &schema["type"] {
        Value::String(t) => vec![t.clone()],
        Value::Array(ts) => ts.iter().map(text).collect(),
        _ => return "any".to_owned(),
    };
    let named: Vec<String> = types
        .iter()
        .map(|t| match t.as_str() {
            "array" => match schema["maxItems"].as_u64() {
                Some(max) => format!("array of {} (at most {max})", type_of(&schema["items"])),
                None => format!("array of {}", type_of(&schema["items"])),
            },
            "object" => fields(schema),
            other => format!("{other}{}", bounds(schema)),
        })
        .collect();
    named.join(" or ")
}

/// A scalar's format, range and default: ` (int64, 1 to 1000, default 50)`.
fn bounds(schema: &Value) -> String {
    let mut notes: Vec<String> = schema["format"]
        .as_str()
        .map(str::to_owned)
        .into_iter()
        .collect();
    match (&schema["minimum"], &schema["maximum"]) {
        (Value::Number(min), Value::Number(max)) => notes.push(format!("{min} to {max}")),
        (Value::Number(min), _) => notes.push(format!("at least {min}")),
        (_, Value::Number(max)) => notes.push(format!("at most {max}")),
        _ => {}
    }
    if let Some(max) = schema["maxLength"].as_u64() {
        notes.push(format!("at most {max} characters"));
    }
    if !schema["default"].is_null() {
        notes.push(format!("default {}", schema["default"]));
    }
    match notes.is_empty() {
        true => String::new(),
        false => format!(" ({})", notes.join(", ")),
    }
}

/// An object's fields, `{type: "api_key", id, name}` (what JSON text holds, for a string with a
/// `contentSchema`), or `object` when it names none.
fn fields(schema: &Value) -> String {
    let Some(properties) = schema["properties"].as_object() else {
        return "object".to_owned();
    };
    let fields: Vec<String> = properties
        .iter()
        .map(|(name, property)| match property["enum"].as_array() {
            Some(values) if values.len() == 1 => format!("{name}: `{}`", values[0]),
            _ if property["contentSchema"].is_object() => {
                format!("{name}: JSON {}", type_of(&property["contentSchema"]))
            }
            _ => name.clone(),
        })
        .collect();
    format!("{{{}}}", fields.join(", "))
}

fn render_schema(out: &mut String, name: &str, schema: &Value) {
    let _ = writeln!(out, "### {name}\n");
    let description = text(&schema["description"]);
    if !description.is_empty() {
        let _ = writeln!(out, "{description}\n");
    }
    let Some(properties) = schema["properties"].as_object() else {
        let _ = writeln!(out, "{}\n", type_of(schema));
        return;
    };
    let required: Vec<&str> = schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let _ = writeln!(out, "| field | type | |\n|---|---|---|");
    for (field, property) in properties {
        let mark = if required.contains(&field.as_str()) {
            " (required)"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "| `{field}`{mark} | {} | {} |",
            type_of(property),
            cell(&property["description"])
        );
    }
    if schema["additionalProperties"] == false {
        let _ = writeln!(out, "\nNo other field is accepted.");
    }
    out.push('\n');
}
