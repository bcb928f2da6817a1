//! The names of followed files, as the offset records them and as files are opened by them.
//!
//! An offset is data from outside (Spark's checkpoint, which anyone may edit): a name in it is
//! only ever taken as one entry of the configured directory, never as a path. A file whose name
//! is not UTF-8 is followed too, under a key no real name can have.

use std::borrow::Cow;
use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::path::{Path, PathBuf};

use datasource_py::prelude::*;
use datasource_py::{Context, format_err};

/// The start of the key of a name that is not UTF-8 (then the hex of its bytes): no file name
/// can hold a NUL, so no UTF-8 name is ever read as one.
const RAW_PREFIX: &str = "\0hex:";

/// A file's key in the offset: its name, or the hex of its bytes where it is not UTF-8.
pub(crate) fn key_of(name: &OsStr) -> String {
    match name.to_str() {
        Some(name) => name.to_owned(),
        None => {
            let bytes = name.as_encoded_bytes();
            let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
            format!("{RAW_PREFIX}{hex}")
        }
    }
}

/// The name a key stands for.
fn name_of(key: &str) -> Option<OsString> {
    let Some(hex) = key.strip_prefix(RAW_PREFIX) else {
        return Some(OsString::from(key));
    };
    if hex.len() % 2 != 0 {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..hex.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(hex.get(at..at + 2)?, 16).ok())
        .collect();
    name_from_bytes(bytes?)
}

#[cfg(unix)]
fn name_from_bytes(bytes: Vec<u8>) -> Option<OsString> {
    use std::os::unix::ffi::OsStringExt;
    Some(OsString::from_vec(bytes))
}

#[cfg(not(unix))]
fn name_from_bytes(bytes: Vec<u8>) -> Option<OsString> {
    String::from_utf8(bytes).ok().map(OsString::from)
}

/// The name as the `file` column shows it (a name that is not UTF-8 with U+FFFD in place of
/// what is not).
pub(crate) fn shown(key: &str) -> Cow<'_, str> {
    match (key.strip_prefix(RAW_PREFIX), name_of(key)) {
        (Some(_), Some(name)) => Cow::Owned(name.to_string_lossy().into_owned()),
        _ => Cow::Borrowed(key),
    }
}

/// The file of `dir` that an offset's `key` names, refused (naming the key) unless it is one
/// plain name of the directory: no separator, not `.` or `..`, not hidden, no NUL.
pub(crate) fn path_of(dir: &Path, key: &str) -> Result<PathBuf> {
    let name = name_of(key)
        .filter(|name| is_plain_name(name))
        .ok_or_else(|| {
            format_err!(
                "the offset names {key:?}, which is not a file of `{}`: tail reads only the \
                 files of its directory (was the checkpoint edited? it must be one this query \
                 wrote)",
                dir.display()
            )
        })?;
    Ok(dir.join(name))
}

/// Whether `name` is one entry of a directory that tail follows: no separator, not `.` or
/// `..`, not starting with `.` or `_`.
fn is_plain_name(name: &OsStr) -> bool {
    let bytes = name.as_encoded_bytes();
    !bytes.is_empty()
        && !bytes.starts_with(b".")
        && !bytes.starts_with(b"_")
        && !bytes.iter().any(|b| matches!(b, b'/' | b'\\' | 0))
}

/// Opens `path` (a file of `dir`) for reading, after checking that it is one: a symbolic link
/// is followed only where it leads to a file inside `dir`.
pub(crate) fn open_inside(dir: &Path, path: &Path) -> Result<File> {
    let resolved = inside(dir, path)?;
    File::open(&resolved).with_context(|| format!("cannot open `{}`", path.display()))
}

/// Where `path` leads (itself, or where its links lead), checked to be inside `dir`.
pub(crate) fn inside(dir: &Path, path: &Path) -> Result<PathBuf> {
    let real_dir = dir
        .canonicalize()
        .with_context(|| format!("cannot resolve the directory `{}`", dir.display()))?;
    let resolved = path
        .canonicalize()
        .with_context(|| format!("cannot open `{}`", path.display()))?;
    if resolved.parent() != Some(real_dir.as_path()) {
        bail!(
            "`{}` leads to `{}`, outside `{}`: tail reads only the files of its directory \
             (point `path` at the directory that holds the files)",
            path.display(),
            resolved.display(),
            dir.display()
        );
    }
    Ok(resolved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_name_only_entries_of_the_directory() {
        let dir = Path::new("/data/events");
        assert_eq!(path_of(dir, "a.jsonl").unwrap(), dir.join("a.jsonl"));
        for key in [
            "../outside.txt",
            "/etc/passwd",
            "a/b.jsonl",
            "..",
            ".",
            "",
            ".hidden.jsonl",
            "_staging.jsonl",
            "a\0b",
            "\0hex:2e2e",
            "\0hex:2f6574632f706173737764",
            "\0hex:zz",
            "\0hex:abc",
        ] {
            let error = path_of(dir, key).unwrap_err().to_string();
            assert!(
                error.contains("which is not a file of `/data/events`"),
                "{key:?}: {error}"
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_name_that_is_not_utf8_round_trips_through_its_key() {
        use std::os::unix::ffi::OsStrExt;
        let name = OsStr::from_bytes(b"caf\xe9.jsonl");
        let key = key_of(name);
        assert_eq!(key, "\0hex:636166e92e6a736f6e6c");
        assert_eq!(
            path_of(Path::new("/d"), &key).unwrap(),
            Path::new("/d").join(name)
        );
        assert_eq!(shown(&key), "caf\u{fffd}.jsonl");
        assert_eq!(key_of(OsStr::new("plain.jsonl")), "plain.jsonl");
    }
}
