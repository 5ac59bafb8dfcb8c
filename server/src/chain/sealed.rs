//! The chain's fast path: an event stored in its canonical form (its JSON object with keys
//! sorted, `prev_hash` and `hash` among them) is hashed as its stored bytes are, less those two
//! members, without parsing it into values and writing them out again. Bytes that are not in
//! that form simply fail to match, and the caller checks them the slow way.

use super::StoredClaims;
use sha2::{Digest, Sha256};
use std::ops::Range;

/// Reads the claims of a stored event from its bytes, `content_matches` when
/// `SHA-256(prev_hash ‖ the bytes less the members prev_hash and hash)` is its hash; `None`
/// when its top level is not a compact JSON object with a numeric `seq` and plainly written
/// string `prev_hash` and `hash`.
pub fn sealed_claims(data: &str) -> Option<StoredClaims> {
    let members = top_level_members(data.as_bytes())?;
    let (mut seq, mut prev_hash, mut hash) = (None, None, None);
    let mut removed: Vec<Range<usize>> = Vec::with_capacity(2);
    for member in &members {
        let value = &data[member.value.clone()];
        match &data[member.key.clone()] {
            "\"seq\"" => seq = Some(value.parse::<i64>().ok()?),
            "\"prev_hash\"" => {
                prev_hash = Some(plain_string(value)?);
                removed.push(member.span.clone());
            }
            "\"hash\"" => {
                hash = Some(plain_string(value)?);
                removed.push(member.span.clone());
            }
            _ => {}
        }
    }
    let (seq, prev_hash, hash) = (seq?, prev_hash?, hash?);
    removed.sort_by_key(|r| r.start);
    let mut digest = Sha256::new();
    digest.update(prev_hash.as_bytes());
    let mut at = 0;
    for range in &removed {
        // Spans overlap only when both members end the object: that text never matches.
        digest.update(&data.as_bytes()[at..range.start.max(at)]);
        at = at.max(range.end);
    }
    digest.update(&data.as_bytes()[at..]);
    let mut recomputed = [0u8; 64];
    let content_matches = hex::encode_to_slice(digest.finalize(), &mut recomputed).is_ok()
        && recomputed == hash.as_bytes();
    Some(StoredClaims {
        seq,
        prev_hash: prev_hash.to_owned(),
        hash: hash.to_owned(),
        content_matches,
    })
}

/// The text of a JSON string written without escapes.
fn plain_string(value: &str) -> Option<&str> {
    let inner = value.strip_prefix('"')?.strip_suffix('"')?;
    (!inner.contains(['\\', '"'])).then_some(inner)
}

/// One member of the top-level object: its key (with quotes), its value, and the bytes that
/// removing it takes out (the member and one comma beside it).
struct Member {
    key: Range<usize>,
    value: Range<usize>,
    span: Range<usize>,
}

/// The members of a compact top-level JSON object (no whitespace between tokens), or `None`.
fn top_level_members(bytes: &[u8]) -> Option<Vec<Member>> {
    if bytes.first() != Some(&b'{') || bytes.last() != Some(&b'}') {
        return None;
    }
    let end = bytes.len() - 1;
    let mut members = Vec::with_capacity(20);
    let mut at = 1;
    if at == end {
        return Some(members);
    }
    loop {
        let start = at;
        let key_end = string_end(bytes, at)?;
        if bytes.get(key_end) != Some(&b':') {
            return None;
        }
        let value_start = key_end + 1;
        let value_end = value_end(bytes, value_start)?;
        let member = start..value_end;
        match bytes.get(value_end) {
            Some(b',') => {
                members.push(Member {
                    key: start..key_end,
                    value: value_start..value_end,
                    span: member.start..value_end + 1,
                });
                at = value_end + 1;
            }
            Some(b'}') if value_end == end => {
                // The last member goes with the comma before it (none when it is alone).
                let span_start = if start > 1 { start - 1 } else { start };
                members.push(Member {
                    key: start..key_end,
                    value: value_start..value_end,
                    span: span_start..value_end,
                });
                return Some(members);
            }
            _ => return None,
        }
    }
}

/// Where the JSON string starting at `at` ends (just past its closing quote).
fn string_end(bytes: &[u8], at: usize) -> Option<usize> {
    if bytes.get(at) != Some(&b'"') {
        return None;
    }
    let mut i = at + 1;
    loop {
        i += memchr::memchr2(b'"', b'\\', bytes.get(i..)?)?;
        match bytes[i] {
            b'"' => return Some(i + 1),
            _ => i += 2,
        }
    }
}

/// Where the JSON value starting at `at` ends: a string, an object or array (nesting and
/// strings followed), or a literal or number (up to the next `,`, `}` or `]`).
fn value_end(bytes: &[u8], at: usize) -> Option<usize> {
    match bytes.get(at)? {
        b'"' => string_end(bytes, at),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = at;
            while i < bytes.len() {
                match bytes[i] {
                    b'"' => {
                        i = string_end(bytes, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            None
        }
        _ => {
            let len = bytes[at..]
                .iter()
                .position(|b| matches!(b, b',' | b'}' | b']'))?;
            (len > 0).then_some(at + len)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Map, Value};

    /// An event sealed the way the chain seals one, and its stored canonical text.
    fn sealed(mut fields: Map<String, Value>, prev: &str) -> (String, String) {
        fields.remove("hash");
        fields.remove("prev_hash");
        let mut digest = Sha256::new();
        digest.update(prev.as_bytes());
        serde_json::to_writer(&mut digest, &Value::Object(fields.clone())).unwrap();
        let hash = hex::encode(digest.finalize());
        fields.insert("prev_hash".into(), prev.into());
        fields.insert("hash".into(), hash.clone().into());
        (serde_json::to_string(&Value::Object(fields)).unwrap(), hash)
    }

    fn event() -> Map<String, Value> {
        let Value::Object(map) = json!({
            "seq": 7, "action": "user.invited", "message": "a \"quoted\" {brace} , [x]",
            "details": {"hash": "nested", "prev_hash": "x", "list": [1, {"a": "}"}], "n": null},
            "targets": [{"id": "t", "type": "user"}], "zeta": true, "unicode": "é\u{1}"
        }) else {
            unreachable!()
        };
        map
    }

    #[test]
    fn a_sealed_event_matches_from_its_bytes_alone() {
        let prev = "0".repeat(64);
        let (text, hash) = sealed(event(), &prev);
        let claims = sealed_claims(&text).unwrap();
        let expected = StoredClaims {
            seq: 7,
            prev_hash: prev,
            hash,
            content_matches: true,
        };
        assert_eq!(claims, expected);
    }

    #[test]
    fn hash_or_prev_hash_last_or_first_still_match() {
        let prev = "1".repeat(64);
        for keys in [vec!["seq"], vec!["seq", "zz"], vec!["aa", "seq"]] {
            let mut fields = Map::new();
            for k in keys {
                fields.insert(k.into(), json!(3));
            }
            let (text, _) = sealed(fields, &prev);
            assert!(sealed_claims(&text).unwrap().content_matches, "{text}");
        }
    }

    #[test]
    fn every_one_byte_change_fails_or_is_refused() {
        let prev = "0".repeat(64);
        let (text, _) = sealed(event(), &prev);
        let bytes = text.as_bytes();
        for i in 0..bytes.len() {
            for replacement in [b' ', b'"', b'x', b'}', b',', b'1'] {
                if bytes[i] == replacement {
                    continue;
                }
                let mut altered = bytes.to_vec();
                altered[i] = replacement;
                let Ok(altered) = String::from_utf8(altered) else {
                    continue;
                };
                if let Some(claims) = sealed_claims(&altered) {
                    assert!(
                        !claims.content_matches,
                        "byte {i} -> {}: {altered}",
                        replacement as char
                    );
                }
            }
        }
    }

    #[test]
    fn legacy_and_malformed_texts_are_not_sealed() {
        assert!(sealed_claims("").is_none());
        assert!(sealed_claims("{").is_none());
        assert!(sealed_claims("[1]").is_none());
        assert!(sealed_claims("{\"seq\": 1}").is_none());
        assert_eq!(sealed_claims("{}"), None);
        let legacy = r#"{"seq":1,"prev_hash":"00","hash":"ab","action":"b"}"#;
        assert!(!sealed_claims(legacy).unwrap().content_matches);
        // Both members last: their spans share a comma (no sealed event ends so).
        let reordered = r#"{"seq":1,"hash":"ab","prev_hash":"00"}"#;
        assert!(!sealed_claims(reordered).unwrap().content_matches);
    }
}
