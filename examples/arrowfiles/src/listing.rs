//! Which files a path names, and in which format each is.

use std::path::{Path, PathBuf};

use datasource_py::prelude::*;
use datasource_py::{Context, format_err};
use serde::{Deserialize, Serialize};

/// The format option: a format, or `auto` to go by each file's extension.
#[derive(OptionValue, Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// `.parquet` files are Parquet, all others Arrow IPC.
    Auto,
    /// Arrow IPC files (`.arrow`, `.ipc`, `.feather` v2).
    Arrow,
    /// Parquet files.
    Parquet,
}

/// The format of one file.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// An Arrow IPC file, read whole.
    Arrow,
    /// A Parquet file, read by row groups.
    Parquet,
}

/// The extensions a directory's files are read by.
pub const EXTENSIONS: &[&str] = &["arrow", "ipc", "feather", "parquet"];

impl FileFormat {
    /// The format of `file`.
    pub fn of(self, file: &Path) -> Format {
        match self {
            FileFormat::Arrow => Format::Arrow,
            FileFormat::Parquet => Format::Parquet,
            FileFormat::Auto => {
                let extension = file.extension().and_then(|e| e.to_str()).unwrap_or("");
                if extension.eq_ignore_ascii_case("parquet") {
                    Format::Parquet
                } else {
                    Format::Arrow
                }
            }
        }
    }
}

/// The files `path` names, sorted: the file itself, a directory's files with a known extension
/// (not its subdirectories, nor hidden or `_`-prefixed files such as Spark's `_SUCCESS`), or
/// the files a glob matches. None at all is an error that names the path.
pub fn files(path: &str) -> Result<Vec<PathBuf>> {
    let given = Path::new(path);
    let mut files = if given.is_file() {
        vec![given.to_path_buf()]
    } else if given.is_dir() {
        let entries = std::fs::read_dir(given)
            .with_context(|| format!("option `path`: cannot list `{path}`"))?;
        let mut files = Vec::new();
        for entry in entries {
            let file = entry?.path();
            let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let known = file
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| EXTENSIONS.iter().any(|k| k.eq_ignore_ascii_case(e)));
            if file.is_file() && known && !name.starts_with(['.', '_']) {
                files.push(file);
            }
        }
        files
    } else {
        let matches = glob::glob(path)
            .map_err(|e| format_err!("option `path`: `{path}` is not a valid glob: {e}"))?;
        let mut files = Vec::new();
        for found in matches {
            let file = found?;
            if file.is_file() {
                files.push(file);
            }
        }
        files
    };
    for file in &files {
        check_inside(path, file)?;
    }
    files.sort();
    if files.is_empty() {
        bail!(
            "option `path`: no Arrow or Parquet files at `{path}` (a file, a directory of \
             .arrow/.ipc/.feather/.parquet files, or a glob)"
        );
    }
    Ok(files)
}

/// Where the files `path` names must be: the file itself, the directory, or (for a glob) the
/// directory before its first wildcard.
fn base_of(path: &str) -> PathBuf {
    let given = Path::new(path);
    if given.is_file() || given.is_dir() {
        return given.to_path_buf();
    }
    let fixed = path
        .find(['*', '?', '['])
        .map_or(path, |wildcard| &path[..wildcard]);
    match fixed.rfind('/') {
        Some(0) => PathBuf::from("/"),
        Some(slash) => PathBuf::from(&fixed[..slash]),
        None => PathBuf::from("."),
    }
}

/// Checks that `file` (from a listing: the driver's, or the plan a task was handed) is one of
/// the files `path` names: the configured file, or inside the configured directory (or the
/// glob's), links resolved (a link leading out of it is refused).
pub fn check_inside(path: &str, file: &Path) -> Result<()> {
    let base = base_of(path);
    let resolved_base = base
        .canonicalize()
        .with_context(|| format!("option `path`: cannot resolve `{}`", base.display()))?;
    let resolved = file
        .canonicalize()
        .with_context(|| format!("cannot open `{}`", file.display()))?;
    let inside = if resolved_base.is_file() {
        resolved == resolved_base
    } else {
        resolved.starts_with(&resolved_base)
    };
    if !inside {
        bail!(
            "`{}` leads to `{}`, outside `{}` (option `path`): this source reads only the files \
             the path names",
            file.display(),
            resolved.display(),
            base.display()
        );
    }
    Ok(())
}
