//! Signed notes (<https://c2sp.org/signed-note>) and transparency-log checkpoints
//! (<https://c2sp.org/tlog-checkpoint>) with Ed25519 keys, byte-compatible with Go's
//! `golang.org/x/mod/sumdb/note`: signer and verifier key strings, signing, and opening.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};

/// The signature type byte of Ed25519 in key IDs and key strings.
const ED25519_SIGNATURE_TYPE: u8 = 0x01;
/// What starts every signature line: an em dash (U+2014) and a space.
const SIGNATURE_LINE_PREFIX: &str = "\u{2014} ";
/// What starts a signer key, so that a secret key is never mistaken for a public one.
const SIGNER_KEY_PREFIX: &str = "PRIVATE+KEY+";
/// Bytes of key ID in front of every signature.
const KEY_ID_LENGTH: usize = 4;
/// The most signature lines `open` reads. A hostile note of megabytes of signature lines then
/// costs a bounded number of line parses and signature checks; the spec asks verifiers for a
/// limit and to accept at least 16, and Go's reference stops at 100 too.
const MAX_SIGNATURE_LINES: usize = 100;

/// Padded standard base64 that rejects unpadded or non-canonical input, so that every key,
/// signature and root hash has exactly one accepted spelling.
const STRICT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);

/// Why a key, a note or a checkpoint was rejected.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum NoteError {
    /// A key name is empty or contains whitespace, '+' or a control character.
    #[error("a key name must be non-empty and contain no whitespace, '+' or control characters")]
    InvalidKeyName,
    /// The text given as a signer key does not start with `PRIVATE+KEY+`.
    #[error("the key file is not a signer key")]
    NotSignerKey,
    /// A signer key is not `PRIVATE+KEY+<name>+<key ID>+<key data>`.
    #[error("the signer key is malformed (expected PRIVATE+KEY+<name>+<8 hex digits>+<base64>)")]
    MalformedSignerKey,
    /// A verifier key is not `<name>+<key ID>+<key data>`.
    #[error("the verifier key is malformed (expected <name>+<8 hex digits>+<base64>)")]
    MalformedVerifierKey,
    /// A key's data starts with a signature type other than Ed25519.
    #[error("the key has signature type {0:#04x}; only Ed25519 (0x01) is supported")]
    UnsupportedSignatureType(u8),
    /// The key ID written in a key string is not the one its name and key give.
    #[error(
        "the key ID {stated:08x} of {name} does not match its key (which has ID {computed:08x})"
    )]
    KeyIdMismatch {
        /// The key's name.
        name: String,
        /// The key ID written in the key string.
        stated: u32,
        /// The key ID computed from the name and the public key.
        computed: u32,
    },
    /// A verifier key's bytes are not a point usable as an Ed25519 public key.
    #[error("the verifier key's public key is not a usable Ed25519 key")]
    InvalidPublicKey,
    /// The text to sign is empty.
    #[error("the note text is empty")]
    EmptyText,
    /// The text to sign does not end in a newline.
    #[error("the note text does not end in a newline")]
    TextMissingFinalNewline,
    /// The note contains an ASCII control character other than newline.
    #[error("the note contains a control character other than newline")]
    ControlCharacter,
    /// The note has no blank line separating its text from its signatures.
    #[error("the note has no blank line before its signatures")]
    MissingBlankLine,
    /// Nothing, or an unterminated line, follows the note's last blank line.
    #[error("the note has no signature lines ending in a newline")]
    MissingSignatureLines,
    /// A signature line is not `— <key name> <base64 of key ID and signature>`.
    #[error("signature line {line} of the note is malformed")]
    MalformedSignatureLine {
        /// The 1-based number of the line among the signature lines.
        line: usize,
    },
    /// The note has more signature lines than a verifier reads.
    #[error("the note has more than {limit} signature lines")]
    TooManySignatures {
        /// The most signature lines accepted.
        limit: usize,
    },
    /// No signature line carries the verifier's key name and key ID.
    #[error("the note has no signature by {name} (key {key_id:08x})")]
    MissingSignature {
        /// The verifier's key name.
        name: String,
        /// The verifier's key ID.
        key_id: u32,
    },
    /// A signature line carries the verifier's name and key ID but its signature is wrong.
    #[error("the signature by {name} (key {key_id:08x}) does not verify")]
    InvalidSignature {
        /// The verifier's key name.
        name: String,
        /// The verifier's key ID.
        key_id: u32,
    },
    /// The checkpoint text lacks one of its three lines or its final newline.
    #[error("the checkpoint needs an origin, a tree size and a root hash line, each ending in a newline")]
    CheckpointMissingLines,
    /// The checkpoint's origin is empty or contains a newline.
    #[error("the checkpoint's origin is empty or spans several lines")]
    InvalidCheckpointOrigin,
    /// The tree size is not a canonical decimal `u64` (digits only, no leading zeros).
    #[error("the checkpoint's tree size is not a number")]
    CheckpointSizeNotNumber,
    /// The root hash line is not the padded base64 of exactly 32 bytes.
    #[error("the checkpoint's root hash is not the base64 of 32 bytes")]
    InvalidCheckpointRoot,
    /// An extension line is empty or contains a newline.
    #[error("a checkpoint extension line is empty or spans several lines")]
    InvalidCheckpointExtension,
}

/// A named Ed25519 key that signs notes; its signer key string is what the key file holds.
pub struct NoteSigner {
    name: String,
    key_id: u32,
    signing_key: SigningKey,
}

impl NoteSigner {
    /// Generates a fresh key named `name` from the operating system's random source.
    pub fn generate(name: &str) -> Result<Self, NoteError> {
        check_key_name(name)?;
        Ok(Self::from_signing_key(
            name,
            SigningKey::generate(&mut OsRng),
        ))
    }

    /// Parses a signer key `PRIVATE+KEY+<name>+<key ID>+<base64(0x01 ‖ seed)>`, ignoring
    /// surrounding whitespace.
    pub fn from_signer_key(text: &str) -> Result<Self, NoteError> {
        let key = text
            .trim()
            .strip_prefix(SIGNER_KEY_PREFIX)
            .ok_or(NoteError::NotSignerKey)?;
        let parts = parse_key_parts(key, &NoteError::MalformedSignerKey)?;
        let signer = Self::from_signing_key(parts.name, SigningKey::from_bytes(&parts.key_bytes));
        check_key_id(&signer.name, parts.key_id, signer.key_id)?;
        Ok(signer)
    }

    /// The signer key string (secret: anyone holding it can sign as this key).
    pub fn signer_key(&self) -> String {
        let key_data = encode_key_data(&self.signing_key.to_bytes());
        format!(
            "{SIGNER_KEY_PREFIX}{}+{:08x}+{key_data}",
            self.name, self.key_id
        )
    }

    /// The verifier for this key, to hand to whoever checks the notes.
    pub fn verifier(&self) -> NoteVerifier {
        NoteVerifier::from_verifying_key(&self.name, self.signing_key.verifying_key())
    }

    /// The key name that appears in signature lines.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Signs `text` (non-empty, ending in a newline) and returns the whole signed note.
    pub fn sign(&self, text: &str) -> Result<String, NoteError> {
        check_note_text(text)?;
        let signature = self.signing_key.sign(text.as_bytes());
        let mut signed = [0u8; KEY_ID_LENGTH + 64];
        signed[..KEY_ID_LENGTH].copy_from_slice(&self.key_id.to_be_bytes());
        signed[KEY_ID_LENGTH..].copy_from_slice(&signature.to_bytes());
        let encoded = STRICT_BASE64.encode(signed);
        Ok(format!(
            "{text}\n{SIGNATURE_LINE_PREFIX}{} {encoded}\n",
            self.name
        ))
    }

    fn from_signing_key(name: &str, signing_key: SigningKey) -> Self {
        let key_id = ed25519_key_id(name, &signing_key.verifying_key());
        Self {
            name: name.to_owned(),
            key_id,
            signing_key,
        }
    }
}

impl std::fmt::Debug for NoteSigner {
    // Shows the public identity only: the seed must never reach a log line.
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "NoteSigner({}+{:08x})", self.name, self.key_id)
    }
}

/// A named Ed25519 public key that checks signatures on notes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteVerifier {
    name: String,
    key_id: u32,
    verifying_key: VerifyingKey,
}

impl NoteVerifier {
    /// Parses a verifier key `<name>+<key ID>+<base64(0x01 ‖ public key)>`.
    pub fn parse(verifier_key: &str) -> Result<Self, NoteError> {
        let parts = parse_key_parts(verifier_key, &NoteError::MalformedVerifierKey)?;
        let verifying_key = VerifyingKey::from_bytes(&parts.key_bytes)
            .ok()
            .filter(|key| !key.is_weak())
            .ok_or(NoteError::InvalidPublicKey)?;
        let verifier = Self::from_verifying_key(parts.name, verifying_key);
        check_key_id(&verifier.name, parts.key_id, verifier.key_id)?;
        Ok(verifier)
    }

    /// The verifier key string.
    pub fn verifier_key(&self) -> String {
        let key_data = encode_key_data(self.verifying_key.as_bytes());
        format!("{}+{:08x}+{key_data}", self.name, self.key_id)
    }

    /// The key name that appears in signature lines.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The 32-bit key ID that starts each of this key's signatures.
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// Checks that `note` carries a valid signature by this key (other signers' lines are
    /// ignored; a line with this name and key ID whose signature fails is an error) and returns
    /// the note's text, without the blank line and the signatures.
    pub fn open<'a>(&self, note: &'a str) -> Result<&'a str, NoteError> {
        let (text, signature_block) = split_note(note)?;
        let signature_lines = parse_signature_block(signature_block)?;
        let mut own_lines = signature_lines
            .iter()
            .filter(|line| line.name == self.name && line.key_id == self.key_id)
            .peekable();
        if own_lines.peek().is_none() {
            return Err(NoteError::MissingSignature {
                name: self.name.clone(),
                key_id: self.key_id,
            });
        }
        own_lines.try_for_each(|line| self.verify(text, &line.signature))?;
        Ok(text)
    }

    fn from_verifying_key(name: &str, verifying_key: VerifyingKey) -> Self {
        let key_id = ed25519_key_id(name, &verifying_key);
        Self {
            name: name.to_owned(),
            key_id,
            verifying_key,
        }
    }

    fn verify(&self, text: &str, signature: &[u8]) -> Result<(), NoteError> {
        let is_valid = <[u8; 64]>::try_from(signature).is_ok_and(|bytes| {
            let signature = Signature::from_bytes(&bytes);
            self.verifying_key
                .verify_strict(text.as_bytes(), &signature)
                .is_ok()
        });
        if is_valid {
            Ok(())
        } else {
            Err(NoteError::InvalidSignature {
                name: self.name.clone(),
                key_id: self.key_id,
            })
        }
    }
}

/// A transparency log's signed tree head: the text of a checkpoint note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's identity, e.g. `auditrail.example/log`; non-empty, one line.
    pub origin: String,
    /// The number of leaves in the tree.
    pub size: u64,
    /// The RFC 6962 Merkle tree root hash at `size`.
    pub root: [u8; 32],
    /// Optional opaque lines after the root hash; each non-empty, one line.
    pub extensions: Vec<String>,
}

impl Checkpoint {
    /// The checkpoint's note text: origin, size, base64 root and extensions, one per line.
    pub fn to_text(&self) -> String {
        let root = STRICT_BASE64.encode(self.root);
        let mut text = format!("{}\n{}\n{root}\n", self.origin, self.size);
        for extension in &self.extensions {
            text.push_str(extension);
            text.push('\n');
        }
        text
    }

    /// Parses a checkpoint's note text strictly (canonical size and root, every line ending in
    /// a newline, no empty lines).
    pub fn parse(text: &str) -> Result<Self, NoteError> {
        let body = text
            .strip_suffix('\n')
            .ok_or(NoteError::CheckpointMissingLines)?;
        let mut lines = body.split('\n');
        let (Some(origin), Some(size), Some(root)) = (lines.next(), lines.next(), lines.next())
        else {
            return Err(NoteError::CheckpointMissingLines);
        };
        let checkpoint = Self {
            origin: origin.to_owned(),
            size: parse_tree_size(size)?,
            root: parse_root_hash(root)?,
            extensions: lines.map(str::to_owned).collect(),
        };
        checkpoint.check_lines()?;
        Ok(checkpoint)
    }

    /// Signs: `signer.sign(&self.to_text())`, after checking the origin and extensions are
    /// single non-empty lines.
    pub fn sign(&self, signer: &NoteSigner) -> Result<String, NoteError> {
        self.check_lines()?;
        signer.sign(&self.to_text())
    }

    /// Opens a signed checkpoint with `verifier` and parses its text.
    pub fn open(signed: &str, verifier: &NoteVerifier) -> Result<Self, NoteError> {
        Self::parse(verifier.open(signed)?)
    }

    fn check_lines(&self) -> Result<(), NoteError> {
        if !is_single_line(&self.origin) {
            return Err(NoteError::InvalidCheckpointOrigin);
        }
        if !self
            .extensions
            .iter()
            .all(|extension| is_single_line(extension))
        {
            return Err(NoteError::InvalidCheckpointExtension);
        }
        Ok(())
    }
}

/// The three `+`-separated parts shared by signer keys (after `PRIVATE+KEY+`) and verifier keys.
struct KeyParts<'a> {
    name: &'a str,
    key_id: u32,
    key_bytes: [u8; 32],
}

/// Parses `<name>+<8 lowercase hex digits>+<base64(0x01 ‖ 32 bytes)>`; the base64 part may
/// itself contain '+', so only the first two separate.
fn parse_key_parts<'a>(text: &'a str, malformed: &NoteError) -> Result<KeyParts<'a>, NoteError> {
    let mut parts = text.splitn(3, '+');
    let (Some(name), Some(key_id), Some(key_data)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed.clone());
    };
    if !is_valid_key_name(name) {
        return Err(malformed.clone());
    }
    let key_id = parse_key_id(key_id).ok_or_else(|| malformed.clone())?;
    let key_bytes = decode_key_data(key_data, malformed)?;
    Ok(KeyParts {
        name,
        key_id,
        key_bytes,
    })
}

/// Parses exactly 8 lowercase hex digits, the spec's encoding of a key ID.
fn parse_key_id(hex: &str) -> Option<u32> {
    let is_lower_hex = hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if hex.len() != 8 || !is_lower_hex {
        return None;
    }
    u32::from_str_radix(hex, 16).ok()
}

/// Decodes `base64(signature type ‖ 32 key bytes)`, accepting only Ed25519.
fn decode_key_data(encoded: &str, malformed: &NoteError) -> Result<[u8; 32], NoteError> {
    let bytes = STRICT_BASE64
        .decode(encoded)
        .map_err(|_| malformed.clone())?;
    match bytes.split_first() {
        Some((&ED25519_SIGNATURE_TYPE, key)) => key.try_into().map_err(|_| malformed.clone()),
        Some((&other, _)) => Err(NoteError::UnsupportedSignatureType(other)),
        None => Err(malformed.clone()),
    }
}

/// Encodes `base64(0x01 ‖ key bytes)`, the key data of both key strings.
fn encode_key_data(key_bytes: &[u8; 32]) -> String {
    let mut key_data = [ED25519_SIGNATURE_TYPE; 33];
    key_data[1..].copy_from_slice(key_bytes);
    STRICT_BASE64.encode(key_data)
}

/// The first 4 bytes, big-endian, of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key).
fn ed25519_key_id(name: &str, verifying_key: &VerifyingKey) -> u32 {
    let digest = Sha256::new()
        .chain_update(name)
        .chain_update([b'\n', ED25519_SIGNATURE_TYPE])
        .chain_update(verifying_key.as_bytes())
        .finalize();
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
}

fn check_key_id(name: &str, stated: u32, computed: u32) -> Result<(), NoteError> {
    if stated == computed {
        Ok(())
    } else {
        Err(NoteError::KeyIdMismatch {
            name: name.to_owned(),
            stated,
            computed,
        })
    }
}

fn check_key_name(name: &str) -> Result<(), NoteError> {
    if is_valid_key_name(name) {
        Ok(())
    } else {
        Err(NoteError::InvalidKeyName)
    }
}

/// Non-empty, no Unicode whitespace, no '+' (the spec), and no control characters below
/// U+0020, which no note may contain, so that every valid name can appear in a signature line.
fn is_valid_key_name(name: &str) -> bool {
    !name.is_empty()
        && !name
            .chars()
            .any(|c| c == '+' || c.is_whitespace() || c < ' ')
}

fn check_note_text(text: &str) -> Result<(), NoteError> {
    if text.is_empty() {
        Err(NoteError::EmptyText)
    } else if !text.ends_with('\n') {
        Err(NoteError::TextMissingFinalNewline)
    } else {
        check_no_control_characters(text)
    }
}

fn check_no_control_characters(text: &str) -> Result<(), NoteError> {
    // Bytes of multi-byte UTF-8 characters are all >= 0x80, so a byte scan finds exactly the
    // control characters.
    if text.bytes().any(|byte| byte < b' ' && byte != b'\n') {
        Err(NoteError::ControlCharacter)
    } else {
        Ok(())
    }
}

/// Splits a note at its last blank line into the text (with its final newline) and the
/// signature block (non-empty, ending in a newline). The text itself may contain blank lines.
fn split_note(note: &str) -> Result<(&str, &str), NoteError> {
    check_no_control_characters(note)?;
    let blank_line = note.rfind("\n\n").ok_or(NoteError::MissingBlankLine)?;
    let (text, rest) = note.split_at(blank_line + 1);
    // `rest` starts with the blank line's newline.
    let signature_block = rest.strip_prefix('\n').unwrap_or(rest);
    if signature_block.is_empty() || !signature_block.ends_with('\n') {
        return Err(NoteError::MissingSignatureLines);
    }
    Ok((text, signature_block))
}

/// Parses every signature line; a note with too many is refused before any line is decoded or
/// any signature checked.
fn parse_signature_block(signature_block: &str) -> Result<Vec<SignatureLine<'_>>, NoteError> {
    let lines = signature_block.split_terminator('\n');
    if lines.clone().count() > MAX_SIGNATURE_LINES {
        return Err(NoteError::TooManySignatures {
            limit: MAX_SIGNATURE_LINES,
        });
    }
    lines
        .enumerate()
        .map(|(index, line)| {
            parse_signature_line(line).ok_or(NoteError::MalformedSignatureLine { line: index + 1 })
        })
        .collect()
}

/// One parsed signature line: the signer's name and key ID, and the signature after the ID.
struct SignatureLine<'a> {
    name: &'a str,
    key_id: u32,
    signature: Vec<u8>,
}

/// Parses `— <name> <base64(key ID ‖ signature)>` as Go's reference does: a valid name, and at
/// least one signature byte after the key ID.
fn parse_signature_line(line: &str) -> Option<SignatureLine<'_>> {
    let (name, encoded) = line.strip_prefix(SIGNATURE_LINE_PREFIX)?.split_once(' ')?;
    let mut signature = STRICT_BASE64.decode(encoded).ok()?;
    if !is_valid_key_name(name) || signature.len() <= KEY_ID_LENGTH {
        return None;
    }
    let key_id = u32::from_be_bytes(signature.get(..KEY_ID_LENGTH)?.try_into().ok()?);
    signature.drain(..KEY_ID_LENGTH);
    Some(SignatureLine {
        name,
        key_id,
        signature,
    })
}

fn is_single_line(line: &str) -> bool {
    !line.is_empty() && !line.contains('\n')
}

/// Parses the tree size: ASCII digits without leading zeros (the empty tree is `0`).
fn parse_tree_size(line: &str) -> Result<u64, NoteError> {
    let is_digits = !line.is_empty() && line.bytes().all(|b| b.is_ascii_digit());
    if !is_digits || (line.starts_with('0') && line != "0") {
        return Err(NoteError::CheckpointSizeNotNumber);
    }
    // Digits only, so the one remaining failure is a size beyond u64.
    line.parse().map_err(|_| NoteError::CheckpointSizeNotNumber)
}

fn parse_root_hash(line: &str) -> Result<[u8; 32], NoteError> {
    let root = STRICT_BASE64
        .decode(line)
        .ok()
        .and_then(|bytes| bytes.try_into().ok());
    root.ok_or(NoteError::InvalidCheckpointRoot)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Vectors from Go's reference, golang.org/x/mod/sumdb/note/note_test.go (golang/mod commit
    // fe2ec04f7c3c3aa6fad97631aafcff6e49e2d1db): TestNewSigner, TestNewVerifier, TestSign,
    // TestOpen and TestVerifierList.
    const GO_SIGNER_KEY: &str =
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    const GO_VERIFIER_KEY: &str =
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const GO_ENOCH_VERIFIER_KEY: &str =
        "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
    const GO_TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                           then you don't know what your problem is.\n";
    const GO_PETER_SIGNATURE_LINE: &str = "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
    const GO_ENOCH_SIGNATURE_LINE: &str = "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

    // Vectors from the C2SP specs (C2SP/C2SP commit 5ba5ee830903e91240fc6f9f3a7a9293d49e69c9):
    // signed-note.md "Verifier keys / Example" and its opening note, and tlog-checkpoint.md's
    // opening checkpoint (whose key the spec does not publish).
    const C2SP_VERIFIER_KEY: &str =
        "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
    const C2SP_SIGNED_NOTE: &str = "This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";
    const C2SP_QUASIMODO_NOTE: &str = "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n\n— quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n";
    const C2SP_CHECKPOINT_TEXT: &str =
        "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
    const C2SP_CHECKPOINT_SIGNATURE_LINE: &str = "— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n";

    fn go_signed_note() -> String {
        format!("{GO_TEXT}\n{GO_PETER_SIGNATURE_LINE}")
    }

    fn go_verifier() -> NoteVerifier {
        NoteVerifier::parse(GO_VERIFIER_KEY).expect("Go's verifier key parses")
    }

    fn sample_checkpoint() -> Checkpoint {
        Checkpoint {
            origin: "auditrail.example/log".to_owned(),
            size: 42,
            root: [7; 32],
            extensions: vec!["extension line".to_owned()],
        }
    }

    fn missing_signature(verifier: &NoteVerifier) -> NoteError {
        NoteError::MissingSignature {
            name: verifier.name().to_owned(),
            key_id: verifier.key_id(),
        }
    }

    fn invalid_signature(verifier: &NoteVerifier) -> NoteError {
        NoteError::InvalidSignature {
            name: verifier.name().to_owned(),
            key_id: verifier.key_id(),
        }
    }

    #[test]
    fn go_signer_key_parses_and_round_trips() {
        let signer = NoteSigner::from_signer_key(GO_SIGNER_KEY).expect("parses");
        assert_eq!(signer.name(), "PeterNeumann");
        assert_eq!(signer.signer_key(), GO_SIGNER_KEY);
        assert_eq!(signer.verifier().verifier_key(), GO_VERIFIER_KEY);
        assert_eq!(format!("{signer:?}"), "NoteSigner(PeterNeumann+c74f20a3)");
    }

    #[test]
    fn go_verifier_key_parses_with_its_key_id_and_round_trips() {
        let verifier = go_verifier();
        assert_eq!(verifier.name(), "PeterNeumann");
        assert_eq!(verifier.key_id(), 0xc74f20a3);
        assert_eq!(verifier.verifier_key(), GO_VERIFIER_KEY);
        let enoch = NoteVerifier::parse(GO_ENOCH_VERIFIER_KEY).expect("parses");
        assert_eq!(enoch.key_id(), 0xaf0cfe78);
    }

    #[test]
    fn opens_go_signed_note_and_returns_its_text() {
        assert_eq!(go_verifier().open(&go_signed_note()), Ok(GO_TEXT));
    }

    #[test]
    fn signing_go_text_reproduces_go_signature_byte_for_byte() {
        let signer = NoteSigner::from_signer_key(GO_SIGNER_KEY).expect("parses");
        assert_eq!(signer.sign(GO_TEXT), Ok(go_signed_note()));
    }

    #[test]
    fn opens_go_note_signed_twice_with_either_key_ignoring_the_other() {
        let note = format!("{GO_TEXT}\n{GO_PETER_SIGNATURE_LINE}{GO_ENOCH_SIGNATURE_LINE}");
        let enoch = NoteVerifier::parse(GO_ENOCH_VERIFIER_KEY).expect("parses");
        assert_eq!(go_verifier().open(&note), Ok(GO_TEXT));
        assert_eq!(enoch.open(&note), Ok(GO_TEXT));
    }

    #[test]
    fn rejects_every_mangling_of_go_keys_like_go_does() {
        assert_every_mangling_is_rejected(GO_VERIFIER_KEY, |k| NoteVerifier::parse(k).is_ok());
        assert_every_mangling_is_rejected(GO_SIGNER_KEY, |k| {
            NoteSigner::from_signer_key(k).is_ok()
        });
    }

    /// Go's TestNewVerifier and TestNewSigner manglings: every proper substring, and every
    /// single byte incremented.
    fn assert_every_mangling_is_rejected(key: &str, parses: fn(&str) -> bool) {
        for start in 0..key.len() {
            for end in start + 1..=key.len() {
                if (start, end) != (0, key.len()) {
                    assert!(!parses(&key[start..end]), "{:?}", &key[start..end]);
                }
            }
        }
        for index in 0..key.len() {
            let mut bytes = key.as_bytes().to_vec();
            bytes[index] += 1;
            let mangled = String::from_utf8(bytes).expect("ASCII stays ASCII");
            assert!(!parses(&mangled), "{mangled:?}");
        }
    }

    #[test]
    fn rejects_go_keys_with_wrong_length_or_unknown_algorithm() {
        // TestNewVerifier's two extra bad keys, with key IDs adjusted to match.
        let long = "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==";
        let unknown = "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
        assert_eq!(
            NoteVerifier::parse(long),
            Err(NoteError::MalformedVerifierKey)
        );
        assert_eq!(
            NoteVerifier::parse(unknown),
            Err(NoteError::UnsupportedSignatureType(0x65))
        );
    }

    #[test]
    fn rejects_go_malformed_notes() {
        let verifier = go_verifier();
        let peter = GO_PETER_SIGNATURE_LINE;
        let bad_name = "— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=";
        let cases = [
            (GO_TEXT.to_owned(), NoteError::MissingBlankLine),
            (format!("{GO_TEXT}\n"), NoteError::MissingSignatureLines),
            (
                format!("{GO_TEXT}\n{}", peter.trim_end()),
                NoteError::MissingSignatureLines,
            ),
            (
                format!("\x01{GO_TEXT}\n{peter}"),
                NoteError::ControlCharacter,
            ),
            (
                format!("{GO_TEXT}\n{bad_name}\n"),
                NoteError::MalformedSignatureLine { line: 1 },
            ),
            (
                format!("{GO_TEXT}\n{peter}Unexpected line.\n"),
                NoteError::MalformedSignatureLine { line: 2 },
            ),
        ];
        for (note, error) in cases {
            assert_eq!(verifier.open(&note), Err(error), "{note:?}");
        }
    }

    #[test]
    fn rejects_go_note_with_a_corrupted_signature_by_the_key() {
        let verifier = go_verifier();
        let corrupted = format!(
            "{GO_TEXT}\n{}ABCD{}",
            &GO_PETER_SIGNATURE_LINE[..60],
            &GO_PETER_SIGNATURE_LINE[60..]
        );
        assert_eq!(verifier.open(&corrupted), Err(invalid_signature(&verifier)));
    }

    #[test]
    fn rejects_more_than_a_hundred_signature_lines_even_a_megabyte_of_them() {
        let verifier = go_verifier();
        let limit = NoteError::TooManySignatures {
            limit: MAX_SIGNATURE_LINES,
        };
        let many = format!("{GO_TEXT}\n{}", GO_PETER_SIGNATURE_LINE.repeat(101));
        assert_eq!(verifier.open(&many), Err(limit.clone()));
        let megabyte = format!("{GO_TEXT}\n{}", GO_ENOCH_SIGNATURE_LINE.repeat(10_000));
        assert!(megabyte.len() > 1_000_000);
        assert_eq!(verifier.open(&megabyte), Err(limit));
        let others = GO_ENOCH_SIGNATURE_LINE.repeat(99);
        let hundred = format!("{GO_TEXT}\n{others}{GO_PETER_SIGNATURE_LINE}");
        assert_eq!(verifier.open(&hundred), Ok(GO_TEXT));
    }

    #[test]
    fn opens_c2sp_example_note_with_c2sp_verifier_key() {
        let verifier = NoteVerifier::parse(C2SP_VERIFIER_KEY).expect("parses");
        assert_eq!(verifier.key_id(), 0x530d903a);
        assert_eq!(
            verifier.open(C2SP_SIGNED_NOTE),
            Ok("This is an example message.\n")
        );
    }

    #[test]
    fn splits_c2sp_note_at_its_last_blank_line() {
        // The spec's poem has a blank line inside its text; its key is not published, so an
        // unrelated key of the same name must find the signature line well-formed but not its own.
        let signer = NoteSigner::generate("quasimodo.example/salvatore").expect("valid name");
        let verifier = signer.verifier();
        assert_eq!(
            verifier.open(C2SP_QUASIMODO_NOTE),
            Err(missing_signature(&verifier))
        );
        let text = "first\n\nthird\n\n";
        let signed = signer.sign(text).expect("signs");
        assert_eq!(verifier.open(&signed), Ok(text));
    }

    #[test]
    fn parses_c2sp_checkpoint_example() {
        let checkpoint = Checkpoint::parse(C2SP_CHECKPOINT_TEXT).expect("parses");
        assert_eq!(checkpoint.origin, "example.com/behind-the-sofa");
        assert_eq!(checkpoint.size, 20852163);
        assert_eq!(checkpoint.root[..3], [0x0a, 0xc5, 0x18]);
        assert!(checkpoint.extensions.is_empty());
        assert_eq!(checkpoint.to_text(), C2SP_CHECKPOINT_TEXT);
        let signed = format!("{C2SP_CHECKPOINT_TEXT}\n{C2SP_CHECKPOINT_SIGNATURE_LINE}");
        let verifier = NoteSigner::generate(&checkpoint.origin)
            .expect("valid")
            .verifier();
        assert_eq!(
            Checkpoint::open(&signed, &verifier),
            Err(missing_signature(&verifier))
        );
    }

    #[test]
    fn generated_key_round_trips_through_key_strings_and_signs_checkpoints() {
        let signer = NoteSigner::generate("auditrail.example/log").expect("valid name");
        let reloaded = NoteSigner::from_signer_key(&format!("  {}\n", signer.signer_key()));
        let reloaded = reloaded.expect("own signer key parses");
        let verifier = NoteVerifier::parse(&signer.verifier().verifier_key()).expect("parses");
        assert_eq!(verifier, signer.verifier());
        assert_eq!(reloaded.verifier(), verifier);
        let checkpoint = sample_checkpoint();
        let signed = checkpoint.sign(&reloaded).expect("signs");
        assert_eq!(Checkpoint::open(&signed, &verifier), Ok(checkpoint));
    }

    #[test]
    fn rejects_tampered_text_size_root_and_signature_of_a_checkpoint() {
        let signer = NoteSigner::generate("auditrail.example/log").expect("valid name");
        let verifier = signer.verifier();
        let signed = sample_checkpoint().sign(&signer).expect("signs");
        let root = STRICT_BASE64.encode([7u8; 32]);
        let signature_start = signed.rfind(' ').expect("signature line") + 1;
        let at = signature_start + 10..signature_start + 11;
        // Another base64 character than the one there (a random key's may well be "A").
        let other = if &signed[at.clone()] == "A" { "B" } else { "A" };
        let mut flipped_signature = signed.clone();
        flipped_signature.replace_range(at, other);
        let tampered = [
            signed.replace("auditrail.example/log\n", "auditrail.example/lag\n"),
            signed.replace("\n42\n", "\n43\n"),
            signed.replace(&root, &STRICT_BASE64.encode([8u8; 32])),
            signed.replace("extension line", "extension lime"),
            flipped_signature,
        ];
        for note in tampered {
            assert_ne!(note, signed);
            assert_eq!(
                Checkpoint::open(&note, &verifier),
                Err(invalid_signature(&verifier))
            );
        }
    }

    #[test]
    fn ignores_signatures_by_other_keys_and_reports_the_missing_one() {
        let signer = NoteSigner::generate("auditrail.example").expect("valid name");
        let same_name = NoteSigner::generate("auditrail.example").expect("valid name");
        let signed = signer.sign("hello\n").expect("signs");
        for verifier in [same_name.verifier(), go_verifier()] {
            assert_eq!(verifier.open(&signed), Err(missing_signature(&verifier)));
        }
        let message = missing_signature(&same_name.verifier()).to_string();
        let key_id = format!("{:08x}", same_name.verifier().key_id());
        assert_eq!(
            message,
            format!("the note has no signature by auditrail.example (key {key_id})")
        );
    }

    #[test]
    fn rejects_another_keys_signature_under_this_keys_name_and_id() {
        let verifier = go_verifier();
        let impostor = NoteSigner::generate("PeterNeumann").expect("valid name");
        let impostor_note = impostor.sign(GO_TEXT).expect("signs");
        let (_, encoded) = impostor_note.rsplit_once(' ').expect("signature line");
        let mut bytes = STRICT_BASE64
            .decode(encoded.trim_end())
            .expect("own base64");
        bytes[..4].copy_from_slice(&verifier.key_id().to_be_bytes());
        let forged = format!(
            "{GO_TEXT}\n— PeterNeumann {}\n",
            STRICT_BASE64.encode(bytes)
        );
        assert_eq!(verifier.open(&forged), Err(invalid_signature(&verifier)));
    }

    #[test]
    fn rejects_invalid_key_names() {
        for name in [
            "",
            "a+b",
            "a b",
            "a\tb",
            "a\u{a0}b",
            "a\u{2003}b",
            "a\u{1}b",
            "name\n",
        ] {
            assert_eq!(
                NoteSigner::generate(name).err(),
                Some(NoteError::InvalidKeyName),
                "{name:?}"
            );
        }
        assert!(NoteSigner::generate("auditrail.example/log—ü").is_ok());
    }

    #[test]
    fn signer_key_parsing_names_what_is_wrong() {
        assert_eq!(
            NoteSigner::from_signer_key(GO_VERIFIER_KEY).err(),
            Some(NoteError::NotSignerKey)
        );
        assert_eq!(
            NoteSigner::from_signer_key("").err(),
            Some(NoteError::NotSignerKey)
        );
        assert_eq!(
            NoteSigner::from_signer_key("PRIVATE+KEY+PeterNeumann+c74f20a3").err(),
            Some(NoteError::MalformedSignerKey)
        );
        let wrong_id = GO_SIGNER_KEY.replace("c74f20a3", "c74f20a4");
        assert_eq!(
            NoteSigner::from_signer_key(&wrong_id).err(),
            Some(NoteError::KeyIdMismatch {
                name: "PeterNeumann".to_owned(),
                stated: 0xc74f20a4,
                computed: 0xc74f20a3
            })
        );
        assert_eq!(
            NoteSigner::from_signer_key(&GO_SIGNER_KEY.to_uppercase()).err(),
            Some(NoteError::MalformedSignerKey)
        );
    }

    #[test]
    fn rejects_weak_public_keys() {
        // The identity point is a valid encoding but a small-order (weak) key.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        let name = "weak.example";
        let weak_key = VerifyingKey::from_bytes(&identity).expect("decodes");
        let key = format!(
            "{name}+{:08x}+{}",
            ed25519_key_id(name, &weak_key),
            encode_key_data(&identity)
        );
        assert_eq!(NoteVerifier::parse(&key), Err(NoteError::InvalidPublicKey));
    }

    #[test]
    fn sign_rejects_text_that_cannot_become_a_valid_note() {
        let signer = NoteSigner::from_signer_key(GO_SIGNER_KEY).expect("parses");
        assert_eq!(signer.sign(""), Err(NoteError::EmptyText));
        assert_eq!(
            signer.sign("no newline"),
            Err(NoteError::TextMissingFinalNewline)
        );
        assert_eq!(
            signer.sign("nul \0 byte\n"),
            Err(NoteError::ControlCharacter)
        );
        assert_eq!(
            signer.sign("carriage\r\n"),
            Err(NoteError::ControlCharacter)
        );
        let unusual = "\u{feff}RTL \u{202e} emoji 🦀 \u{7f}\n\n\n";
        let signed = signer.sign(unusual).expect("printable Unicode is fine");
        assert_eq!(signer.verifier().open(&signed), Ok(unusual));
    }

    #[test]
    fn checkpoint_sign_rejects_origins_and_extensions_that_are_not_one_line() {
        let signer = NoteSigner::generate("auditrail.example/log").expect("valid name");
        let origins = ["", "two\nlines"];
        for origin in origins {
            let checkpoint = Checkpoint {
                origin: origin.to_owned(),
                ..sample_checkpoint()
            };
            assert_eq!(
                checkpoint.sign(&signer),
                Err(NoteError::InvalidCheckpointOrigin)
            );
        }
        for extension in ["", "a\nb"] {
            let checkpoint = Checkpoint {
                extensions: vec![extension.to_owned()],
                ..sample_checkpoint()
            };
            assert_eq!(
                checkpoint.sign(&signer),
                Err(NoteError::InvalidCheckpointExtension)
            );
        }
    }

    #[test]
    fn checkpoint_parse_is_strict() {
        let root = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";
        let cases = [
            (String::new(), NoteError::CheckpointMissingLines),
            ("origin\n1\n".to_owned(), NoteError::CheckpointMissingLines),
            (
                format!("origin\n1\n{root}"),
                NoteError::CheckpointMissingLines,
            ),
            (format!("\n1\n{root}\n"), NoteError::InvalidCheckpointOrigin),
            (
                format!("origin\n1\n{root}\n\n"),
                NoteError::InvalidCheckpointExtension,
            ),
            (
                format!("origin\n1\n{root}\nx\n\ny\n"),
                NoteError::InvalidCheckpointExtension,
            ),
            (
                format!("origin\n01\n{root}\n"),
                NoteError::CheckpointSizeNotNumber,
            ),
            (
                format!("origin\n+1\n{root}\n"),
                NoteError::CheckpointSizeNotNumber,
            ),
            (
                format!("origin\n-1\n{root}\n"),
                NoteError::CheckpointSizeNotNumber,
            ),
            (
                format!("origin\n\n{root}\n"),
                NoteError::CheckpointSizeNotNumber,
            ),
            (
                format!("origin\n1 \n{root}\n"),
                NoteError::CheckpointSizeNotNumber,
            ),
            (
                format!("origin\n18446744073709551616\n{root}\n"),
                NoteError::CheckpointSizeNotNumber,
            ),
            (
                "origin\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n".to_owned(),
                NoteError::InvalidCheckpointRoot,
            ),
            (
                "origin\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n".to_owned(),
                NoteError::InvalidCheckpointRoot,
            ),
            (
                format!("origin\n1\n{}\n", STRICT_BASE64.encode([0u8; 31])),
                NoteError::InvalidCheckpointRoot,
            ),
            (
                format!("origin\n1\n{}\n", STRICT_BASE64.encode([0u8; 33])),
                NoteError::InvalidCheckpointRoot,
            ),
        ];
        for (text, error) in cases {
            assert_eq!(Checkpoint::parse(&text), Err(error), "{text:?}");
        }
        let largest = format!("origin\n18446744073709551615\n{root}\n");
        assert_eq!(Checkpoint::parse(&largest).map(|c| c.size), Ok(u64::MAX));
        let empty = format!("origin\n0\n{root}\n");
        assert_eq!(Checkpoint::parse(&empty).map(|c| c.size), Ok(0));
    }

    #[test]
    fn hostile_notes_return_errors_and_never_panic() {
        let verifier = go_verifier();
        let note = go_signed_note();
        let hostile = [
            "",
            "\n",
            "\n\n",
            "\n\n\n",
            "— \n\n— \n",
            "a\n\n—\n",
            "a\n\n— PeterNeumann\n",
            "a\n\n— PeterNeumann \n",
            "a\n\n— PeterNeumann x08go\n",
            "a\n\n— + AAAAAAA=\n",
            "a\n\n—  AAAAAAA=\n",
            "a\n\n— PeterNeumann AAAA\n",
            "a\n\n— PeterNeumann x08go/w==\n",
            "\u{2014}\u{2014}\n\n\u{2014}\n",
            "a\n\n— PeterNeumann 🦀🦀🦀🦀\n",
        ];
        for input in hostile {
            assert!(verifier.open(input).is_err(), "{input:?}");
            assert!(Checkpoint::parse(input).is_err(), "{input:?}");
        }
        for (index, character) in note.char_indices() {
            assert!(verifier.open(&note[..index]).is_err(), "prefix {index}");
            let mut mangled = note.clone();
            let replacement = if character == 'X' { "Y" } else { "X" };
            mangled.replace_range(index..index + character.len_utf8(), replacement);
            assert!(verifier.open(&mangled).is_err(), "replaced at {index}");
        }
        let long_line = format!("{GO_TEXT}\n— PeterNeumann {}\n", "A".repeat(1 << 20));
        assert!(verifier.open(&long_line).is_err());
    }

    #[test]
    fn error_messages_read_well() {
        let verifier = go_verifier();
        assert_eq!(
            NoteError::NotSignerKey.to_string(),
            "the key file is not a signer key"
        );
        assert_eq!(
            invalid_signature(&verifier).to_string(),
            "the signature by PeterNeumann (key c74f20a3) does not verify"
        );
        assert_eq!(
            NoteError::CheckpointSizeNotNumber.to_string(),
            "the checkpoint's tree size is not a number"
        );
    }
}
