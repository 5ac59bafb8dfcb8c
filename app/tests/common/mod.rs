//! What the fuzz harnesses share: their proptest configuration and the text they are fed.
//!
//! The number of cases comes from `PROPTEST_CASES` (proptest's default, 256, when unset);
//! `scripts/fuzz.sh` raises it. Failures are kept in `app/proptest-regressions/<harness>.txt`,
//! replayed first on every run.

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

/// The proptest configuration of the harness `name`, whose failures are kept in
/// `app/proptest-regressions/<name>.txt` (an absolute path: the tests may run from anywhere).
pub fn config(name: &str) -> ProptestConfig {
    let path = format!(
        "{}/proptest-regressions/{name}.txt",
        env!("CARGO_MANIFEST_DIR")
    );
    ProptestConfig {
        // Leaked once per property: proptest wants a `&'static str`.
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(path.leak()))),
        ..ProptestConfig::default()
    }
}

/// Pieces that parsers trip on: separators, quotes, signs, whitespace (ASCII and not), NUL,
/// control characters, formula starters, numbers past every integer type, dates at the edges.
const PIECES: &[&str] = &[
    "",
    " ",
    "  ",
    "\t",
    "\n",
    "\r",
    "\r\n",
    "\0",
    "\u{1}",
    "\u{7f}",
    "\u{85}",
    "\u{a0}",
    "\u{2028}",
    "\u{3000}",
    "\u{200b}",
    "\u{feff}",
    "\"",
    "'",
    "\\",
    ":",
    "::",
    "-",
    "--",
    "*",
    "=",
    "+",
    "@",
    ",",
    ";",
    "|",
    "/",
    "%",
    "%00",
    "&",
    "?",
    "#",
    "{",
    "}",
    "[",
    "]",
    "é",
    "ß",
    "İ",
    "👍",
    "a",
    "B",
    "x y",
    "user.*",
    "actor",
    "ip",
    "after",
    "before",
    "not_",
    "0",
    "1",
    "-1",
    "+1",
    "00",
    "9999999999999999999999",
    "-9223372036854775809",
    "18446744073709551616",
    "1e999",
    "NaN",
    "10.0.0.1",
    "10.0.0.0/8",
    "::1",
    "::ffff:1.2.3.4",
    "/33",
    "/129",
    "2025-01-01",
    "T",
    "t",
    "Z",
    "z",
    "+00:00",
    "-23:59",
    "23:59:60",
    ".",
    "1969-12-31",
    "9999-12-31",
    "+10000-01-01",
    "+262143-12-31",
    "true",
    "null",
];

/// Text that mixes the tricky [`PIECES`] with arbitrary characters: most inputs a parser
/// sees are near a boundary, some are anything at all.
pub fn text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => proptest::sample::select(PIECES).prop_map(str::to_owned),
        1 => any::<char>().prop_map(String::from),
        1 => "\\PC{0,8}",
    ];
    proptest::collection::vec(piece, 0..8).prop_map(|pieces| pieces.concat())
}

/// Text where one of the tricky pieces is repeated past a length bound (1 KiB values,
/// 256-byte free text, 32 KiB searches).
pub fn long_text() -> impl Strategy<Value = String> {
    (text(), 200usize..40_000).prop_map(|(unit, len)| {
        let unit = if unit.is_empty() {
            "x".to_owned()
        } else {
            unit
        };
        unit.repeat(len / unit.len() + 1)
    })
}
