//! Where the sink's files live, and the only paths it builds.
//!
//! A target directory holds the published data files (plain names, read by Spark's readers)
//! and the sink's own bookkeeping, each under a name starting with `_` (which Spark's readers
//! skip): `_staging/<unit>/` for what tasks stage, `_commits/` for the commit lock, the journals
//! of commits in progress, what they moved aside and the marks of ended writes, `_SUCCESS` and
//! `_batches/<id>` for the manifests.
//!
//! Every path is built here from names the sink makes itself: a write id it checked
//! ([`check_write_id`]), numbers (partitions, attempts, micro-batch ids) and fixed words. No
//! path is ever taken from a commit message, a journal or a manifest. The sink's own
//! directories are used only when they are real directories ([`own_dir`]): a `_staging`,
//! `_commits` or `_batches` that is a symbolic link (or a file) is an error, never written or
//! deleted through.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use datasource_py::prelude::*;
use serde::{Deserialize, Serialize};

/// What one commit publishes: a batch write, or one micro-batch of a streaming query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "lowercase")]
pub enum Unit {
    /// `df.write`: the write's id, the same in its tasks and in its commit or abort.
    Write { write: String },
    /// Micro-batch `batch`. Spark commits and aborts a micro-batch with a writer built afresh
    /// (`write` is that writer's id, not its tasks'): only the batch id is shared by both.
    Batch { write: String, batch: u64 },
}

impl Unit {
    /// The write id of the writer that runs this task, commit or abort.
    pub fn write(&self) -> &str {
        match self {
            Unit::Write { write } | Unit::Batch { write, .. } => write,
        }
    }

    /// The name of this unit's staging directory, journal and partial files: the write id, or
    /// `batch-<id>` (what a micro-batch's tasks and its committer both know).
    pub fn key(&self) -> String {
        match self {
            Unit::Write { write } => write.clone(),
            Unit::Batch { batch, .. } => batch_name(*batch),
        }
    }

    /// Refuses a unit whose write id could not have come from the SDK: paths are built from it.
    pub fn check(&self) -> Result<()> {
        check_write_id(self.write())
    }
}

/// The longest write id accepted (the SDK's are about 30 characters).
const MAX_WRITE_ID: usize = 128;

/// Refuses a write id that is not a plain name: paths are built from it, and it travels
/// between Spark's processes (in the pickled writer). The SDK's ids are hexadecimal numbers
/// joined by `-`.
pub fn check_write_id(id: &str) -> Result<()> {
    let plain = !id.is_empty()
        && id.len() <= MAX_WRITE_ID
        && id.starts_with(|c: char| c.is_ascii_alphanumeric())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    ensure!(
        plain,
        "write id `{}` is not a name the SDK makes (1 to {MAX_WRITE_ID} letters, digits, `-` \
         or `_`, starting with a letter or digit): no path is built from it",
        id.escape_debug()
    );
    Ok(())
}

/// The directories and file names of one target directory.
#[derive(Debug, Clone)]
pub struct Layout {
    target: PathBuf,
}

impl Layout {
    pub fn new(target: &Path) -> Self {
        Layout {
            target: target.to_owned(),
        }
    }

    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Where every unit stages its files.
    pub fn staging_root(&self) -> PathBuf {
        self.target.join("_staging")
    }

    /// Where the tasks of `unit` stage their files.
    pub fn staging(&self, unit: &Unit) -> PathBuf {
        self.staging_root().join(unit.key())
    }

    /// The file the task of `partition`, attempt `attempt`, stages for `unit`.
    pub fn staged_file(&self, unit: &Unit, partition: u32, attempt: u32, ext: &str) -> PathBuf {
        self.staging(unit)
            .join(format!("part-{partition:05}-{attempt}.{ext}"))
    }

    /// The published name of the file of `partition` of `unit`: unique to the write (for a
    /// micro-batch, to the writer that commits it), so that no two commits ever publish the
    /// same name.
    pub fn published_file(&self, unit: &Unit, partition: u32, ext: &str) -> PathBuf {
        self.target.join(match unit {
            Unit::Write { write } => format!("part-{write}-{partition:05}.{ext}"),
            Unit::Batch { write, batch } => {
                format!("{}-{write}-part-{partition:05}.{ext}", batch_name(*batch))
            }
        })
    }

    /// The manifest `unit` writes when it is published: its presence, naming the write, is
    /// the commit point.
    pub fn manifest(&self, unit: &Unit) -> PathBuf {
        match unit {
            Unit::Write { .. } => self.success(),
            Unit::Batch { batch, .. } => self.batch_manifest(*batch),
        }
    }

    /// The manifest of a published micro-batch: its presence says the batch is published.
    pub fn batch_manifest(&self, batch_id: u64) -> PathBuf {
        self.batches().join(batch_name(batch_id))
    }

    /// Where the manifests of micro-batches live.
    pub fn batches(&self) -> PathBuf {
        self.target.join("_batches")
    }

    /// The manifest of the last published batch write.
    pub fn success(&self) -> PathBuf {
        self.target.join("_SUCCESS")
    }

    /// The sink's bookkeeping: the lock, journals, what commits moved aside, end marks.
    pub fn commits(&self) -> PathBuf {
        self.target.join("_commits")
    }

    /// The file whose lock every commit into the target holds.
    pub fn lock(&self) -> PathBuf {
        self.commits().join("lock")
    }

    /// The journal of `unit`'s commit while it runs.
    pub fn journal(&self, unit: &Unit) -> PathBuf {
        self.commits().join(format!("{}.journal", unit.key()))
    }

    /// Where `unit`'s commit moves the entries it replaces, until it is over.
    pub fn retired(&self, unit: &Unit) -> PathBuf {
        self.commits().join(format!("{}.retired", unit.key()))
    }

    /// The mark that batch write `unit` has ended (committed or aborted): a task of it that
    /// starts late removes what it stages. (A micro-batch has ended when its manifest is there.)
    pub fn ended(&self, unit: &Unit) -> PathBuf {
        self.commits().join(format!("{}.ended", unit.key()))
    }

    /// A file `unit` writes whole before renaming it into place (a journal, a manifest).
    pub fn partial(&self, unit: &Unit, what: &str) -> PathBuf {
        self.commits()
            .join(format!("{}.{what}.partial", unit.key()))
    }

    /// The names of the entries Spark's readers read: every file, directory or link whose
    /// name starts with neither `_` nor `.`. Sorted.
    pub fn read_entries(&self) -> io::Result<Vec<String>> {
        let mut names: Vec<String> = list(&self.target)?
            .into_iter()
            .filter(|name| !name.starts_with(['_', '.']))
            .collect();
        names.sort();
        Ok(names)
    }

    /// Every published data file at the top of the target (not a manifest, not staged, not
    /// hidden, not in a subdirectory).
    #[cfg(test)]
    pub fn published(&self) -> io::Result<Vec<PathBuf>> {
        let mut files = Vec::new();
        for name in self.read_entries()? {
            let path = self.target.join(name);
            if fs::symlink_metadata(&path)?.is_file() {
                files.push(path);
            }
        }
        Ok(files)
    }

    /// Creates (if need be) and returns the staging directory of `unit`, for a task. Another
    /// commit may remove an empty `_staging` at any moment: creating it again is retried.
    pub fn make_staging(&self, unit: &Unit) -> Result<PathBuf> {
        let root = self.staging_root();
        let dir = self.staging(unit);
        fs::create_dir_all(&self.target)
            .with_context(|| format!("cannot create {}", self.target.display()))?;
        for _ in 0..100 {
            make_own_dir(&root)?;
            match fs::create_dir(&dir) {
                Ok(()) => return Ok(dir),
                Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {
                    ensure!(own_dir(&dir)?, "{} vanished", dir.display());
                    return Ok(dir);
                }
                // `_staging` was removed (empty) by another write's commit in between.
                Err(error) if error.kind() == io::ErrorKind::NotFound => continue,
                Err(error) => {
                    return Err(error).with_context(|| format!("cannot create {}", dir.display()));
                }
            }
        }
        bail!(
            "cannot create {}: {} kept vanishing",
            dir.display(),
            root.display()
        )
    }

    /// Removes `_staging` once no write stages anything there (another write may create it
    /// again at once: tasks retry, see [`Layout::make_staging`]).
    pub fn remove_empty_staging(&self) {
        let root = self.staging_root();
        if matches!(own_dir(&root), Ok(true)) {
            let _ = fs::remove_dir(root);
        }
    }
}

/// The file name of micro-batch `batch_id`'s manifest, and the start of its files' names.
pub fn batch_name(batch_id: u64) -> String {
    format!("batch-{batch_id:010}")
}

/// The names in `dir` (none when it is not there).
pub fn list(dir: &Path) -> io::Result<Vec<String>> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(error),
    };
    let mut names = Vec::new();
    for entry in entries {
        names.push(entry?.file_name().to_string_lossy().into_owned());
    }
    Ok(names)
}

/// Whether `dir`, one of the sink's own directories, is there: a real directory (true) or
/// nothing (false). Anything else there, a symbolic link above all, is an error naming it: the
/// sink never writes or deletes through a link it did not make.
pub fn own_dir(dir: &Path) -> Result<bool> {
    match fs::symlink_metadata(dir) {
        Ok(meta) if meta.is_dir() => Ok(true),
        Ok(meta) if meta.file_type().is_symlink() => {
            let to = fs::read_link(dir)
                .map(|to| to.display().to_string())
                .unwrap_or_else(|_| "?".into());
            bail!(
                "{} is a symbolic link (to {to}), where the sink keeps a directory of its own: \
                 it neither writes nor deletes through it; remove the link",
                dir.display()
            )
        }
        Ok(_) => bail!(
            "{} is not a directory, where the sink keeps a directory of its own; remove it",
            dir.display()
        ),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(error) => Err(error).with_context(|| format!("cannot inspect {}", dir.display())),
    }
}

/// Creates `dir` (its parent must exist) unless it is there; either way it is then one of the
/// sink's own directories (see [`own_dir`]).
pub fn make_own_dir(dir: &Path) -> Result<()> {
    match fs::create_dir(dir) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {
            ensure!(own_dir(dir)?, "{} vanished", dir.display());
            Ok(())
        }
        Err(error) => Err(error).with_context(|| format!("cannot create {}", dir.display())),
    }
}

/// Whether `path` is a regular file (not a link, not a directory); false when absent.
pub fn regular_file(path: &Path) -> Result<bool> {
    match fs::symlink_metadata(path) {
        Ok(meta) => Ok(meta.is_file()),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(error) => Err(error).with_context(|| format!("cannot inspect {}", path.display())),
    }
}

/// Whether anything (a link included, even a dangling one) is at `path`.
pub fn exists(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

/// Creates a new file at `path`, never through a link: what was there (a stale file, or a
/// link planted there) is removed first, and the file is created only if nothing is there.
pub fn create_new(path: &Path) -> Result<File> {
    remove_file(path)?;
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))
}

/// Removes a file (or a link, not what it leads to); one that is not there is no error.
pub fn remove_file(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => {
            Err(error).with_context(|| format!("cannot remove {}", path.display()))
        }
        _ => Ok(()),
    }
}

/// Removes one of the sink's own directories and what it holds (links inside are removed, not
/// followed); one that is not there is no error, a link there is (see [`own_dir`]).
pub fn remove_own_dir(dir: &Path) -> Result<()> {
    if !own_dir(dir)? {
        return Ok(());
    }
    match fs::remove_dir_all(dir) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => {
            Err(error).with_context(|| format!("cannot remove {}", dir.display()))
        }
        _ => Ok(()),
    }
}

/// When `path`, or (for a directory) anything directly in it, last changed: how long ago a
/// staging directory was last written to.
pub fn last_change(path: &Path) -> io::Result<SystemTime> {
    let meta = fs::symlink_metadata(path)?;
    let mut newest = meta.modified()?;
    if meta.is_dir() {
        for entry in fs::read_dir(path)? {
            if let Ok(child) = entry.and_then(|entry| entry.metadata()) {
                newest = newest.max(child.modified()?);
            }
        }
    }
    Ok(newest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_ids_the_sdk_makes_are_accepted_and_nothing_else() {
        for good in ["18edead44c4d55c6-608-0", "stream", "a", "A_b-9"] {
            check_write_id(good).unwrap();
        }
        let long = "a".repeat(MAX_WRITE_ID + 1);
        for bad in [
            "", "..", ".", "../x", "a/b", "/abs", "a\\b", "-lead", "_lead", "a b", "a\0b", "é",
            &long,
        ] {
            let error = check_write_id(bad).unwrap_err().to_string();
            assert!(
                error.contains("is not a name the SDK makes"),
                "{bad:?}: {error}"
            );
        }
    }

    #[test]
    fn every_path_stays_inside_the_target() {
        let layout = Layout::new(Path::new("/t"));
        let units = [
            Unit::Write { write: "w1".into() },
            Unit::Batch {
                write: "w1".into(),
                batch: u64::MAX,
            },
        ];
        for unit in &units {
            let paths = [
                layout.staging(unit),
                layout.staged_file(unit, u32::MAX, u32::MAX, "parquet"),
                layout.published_file(unit, u32::MAX, "jsonl"),
                layout.manifest(unit),
                layout.journal(unit),
                layout.retired(unit),
                layout.ended(unit),
                layout.partial(unit, "journal"),
            ];
            for path in paths {
                assert!(path.starts_with("/t"), "{}", path.display());
                assert!(
                    path.components()
                        .all(|c| matches!(c, std::path::Component::Normal(_))
                            || c == std::path::Component::RootDir),
                    "{}",
                    path.display()
                );
            }
        }
        // A micro-batch's tasks and its committer (writers with different ids) share its
        // staging; two commits of it never share a published name.
        let run = |write: &str| Unit::Batch {
            write: write.into(),
            batch: 7,
        };
        assert_eq!(layout.staging(&run("a")), layout.staging(&run("b")));
        assert_ne!(
            layout.published_file(&run("a"), 0, "parquet"),
            layout.published_file(&run("b"), 0, "parquet")
        );
    }
}
