//! The server's checkpoint signing key on disk: read when the file exists, generated once
//! otherwise (readable by its owner only), so every process on the data signs with one key.

use super::note::{NoteError, NoteSigner};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Why the signing key could not be had.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    #[error("the signing key file {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the signing key file {path}: {source}")]
    Invalid { path: PathBuf, source: NoteError },
}

/// The signing key in `path`, generated with `name` when the file does not exist yet. Two
/// processes starting at once end with the same key: the new key is written aside and linked
/// into place, which fails for the second.
pub fn load_or_generate(path: &Path, name: &str) -> Result<NoteSigner, KeyFileError> {
    let io = |source| KeyFileError::Io {
        path: path.to_owned(),
        source,
    };
    match std::fs::read_to_string(path) {
        Ok(text) => return parse(path, &text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(e)),
    }
    let signer = NoteSigner::generate(name).map_err(|source| KeyFileError::Invalid {
        path: path.to_owned(),
        source,
    })?;
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    let dir = dir.unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io)?;
    let mut aside = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    restrict_to_owner(aside.as_file()).map_err(io)?;
    writeln!(aside, "{}", signer.signer_key()).map_err(io)?;
    aside.as_file().sync_all().map_err(io)?;
    match std::fs::hard_link(aside.path(), path) {
        Ok(()) => {
            tracing::info!(path = %path.display(), "generated the checkpoint signing key");
            Ok(signer)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            parse(path, &std::fs::read_to_string(path).map_err(io)?)
        }
        Err(e) => Err(io(e)),
    }
}

fn parse(path: &Path, text: &str) -> Result<NoteSigner, KeyFileError> {
    NoteSigner::from_signer_key(text).map_err(|source| KeyFileError::Invalid {
        path: path.to_owned(),
        source,
    })
}

#[cfg(unix)]
fn restrict_to_owner(file: &std::fs::File) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn restrict_to_owner(_file: &std::fs::File) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_key_is_generated_once_and_read_back_after() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/signing-key");
        let first = load_or_generate(&path, "auditrail.test").unwrap();
        let again = load_or_generate(&path, "another.name").unwrap();
        assert_eq!(first.verifier(), again.verifier());
        assert_eq!(again.name(), "auditrail.test");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_key_file_that_is_not_a_signer_key_is_refused_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("signing-key");
        std::fs::write(&path, "not a key\n").unwrap();
        let error = load_or_generate(&path, "auditrail.test").unwrap_err();
        assert!(matches!(error, KeyFileError::Invalid { .. }), "{error}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "not a key\n");
    }
}
