//! Publishing a unit (a batch write, or a micro-batch) all at once, one commit at a time per
//! directory, so that a crash at any moment loses no row that was there before.
//!
//! A commit holds the lock `_commits/lock` from start to end: commits of several writes (threads
//! of one application, or applications on one machine) into one directory run one after the
//! other. Under it, a commit:
//!
//! 0. finishes or undoes any commit a crash left half-way (its journal is still there);
//! 1. writes its journal `_commits/<unit>.journal`: the entries it retires, the files it
//!    publishes (`journaled`);
//! 2. moves the entries it replaces aside, into `_commits/<unit>.retired/` (`retiring`,
//!    `retired`): the previous `_SUCCESS`, and for an overwrite everything Spark's readers read;
//! 3. renames its staged files into the target (`publishing`, `published`);
//! 4. writes its manifest (`_SUCCESS`, or `_batches/<id>`), naming the write: the commit point
//!    (`manifested`);
//! 5. deletes what it retired and its staging, marks a batch write ended (`cleaned`), and
//!    removes its journal.
//!
//! Recovery (step 0, and `abort` of the unit itself, which Spark calls when a commit failed)
//! undoes a journal whose manifest was not written (deletes the unit's published files, puts
//! every retired entry back) and finishes one whose manifest was (step 5). Either way the
//! directory then holds exactly the rows from before the commit, or exactly those after it.

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::Write;
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use datasource_py::prelude::*;
use serde::{Deserialize, Serialize};

use crate::files::Staged;
use crate::layout::{
    Layout, Unit, batch_name, create_new, exists, last_change, list, make_own_dir, own_dir,
    regular_file, remove_file, remove_own_dir,
};

/// A step of a commit, after which the test option `stopCommitAfter` stops it.
#[derive(OptionValue, Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommitStep {
    /// The journal is written; nothing has moved.
    Journaled,
    /// The first entry replaced is moved aside (or there is none to move).
    Retiring,
    /// Every entry replaced is moved aside.
    Retired,
    /// The first new file is in place (or there is none).
    Publishing,
    /// Every new file is in place.
    Published,
    /// The manifest is written: the commit point.
    Manifested,
    /// What was retired and staged is deleted; only the journal is left.
    Cleaned,
}

impl CommitStep {
    /// Every step, in order.
    #[cfg(test)]
    pub const ALL: [CommitStep; 7] = [
        CommitStep::Journaled,
        CommitStep::Retiring,
        CommitStep::Retired,
        CommitStep::Publishing,
        CommitStep::Published,
        CommitStep::Manifested,
        CommitStep::Cleaned,
    ];
}

/// How commits into one directory behave: from the sink's options.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The data files' extension.
    pub extension: &'static str,
    /// Stop after this step, as a crash there would (tests).
    pub stop_after: Option<CommitStep>,
    /// A staging directory untouched this long was abandoned.
    pub staging_expiry: Duration,
    /// The longest wait for another commit's lock.
    pub lock_timeout: Duration,
}

/// How long the mark of an ended unit is kept: long enough for every task still running when
/// its write ended to see it (Spark kills those within seconds); later ones leave staging that
/// `stagingExpiry` removes.
const END_MARK_LIFETIME: Duration = Duration::from_secs(3600);

/// What a commit records before it moves anything: enough to undo it or finish it.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Journal {
    unit: Unit,
    extension: String,
    overwrite: bool,
    /// The entries moved aside, by name in the target.
    retire: Vec<String>,
    /// The files published, as their tasks described them.
    publish: Vec<Staged>,
}

/// What `_SUCCESS` and `_batches/<id>` record.
#[derive(Debug, Serialize)]
struct Manifest<'a> {
    write: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    batch: Option<u64>,
    /// The published files' names, in the target.
    files: Vec<String>,
    rows: u64,
}

/// The part of a manifest read back: which write published it.
#[derive(Debug, Deserialize)]
struct ManifestWriter {
    write: Option<String>,
    batch: Option<u64>,
}

/// The lock of a target directory's commits, held until dropped (the operating system releases
/// it when the process dies, so a crashed commit never holds it).
#[derive(Debug)]
struct CommitLock {
    _file: File,
}

impl CommitLock {
    fn acquire(layout: &Layout, timeout: Duration) -> Result<CommitLock> {
        make_own_dir(&layout.commits())?;
        let path = layout.lock();
        if exists(&path) {
            ensure!(
                regular_file(&path)?,
                "{} is not a regular file (a link?): the commit lock is not taken through it",
                path.display()
            );
        }
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("cannot open the commit lock {}", path.display()))?;
        let start = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(CommitLock { _file: file }),
                Err(fs::TryLockError::WouldBlock) if start.elapsed() < timeout => {
                    thread::sleep(Duration::from_millis(20));
                }
                Err(fs::TryLockError::WouldBlock) => bail!(
                    "another commit into {} held {} for longer than {} (option lockTimeout)",
                    layout.target().display(),
                    path.display(),
                    timeout.to_option_text().unwrap_or_default()
                ),
                Err(fs::TryLockError::Error(error)) => {
                    return Err(error).with_context(|| format!("cannot lock {}", path.display()));
                }
            }
        }
    }
}

/// Publishes `unit`: the files its tasks staged (`staged`, checked against what is really
/// staged), replacing what Spark's readers read when `overwrite`. A commit that fails before
/// its journal is written can never be published: it ends the unit (removes its staging) at
/// once. One that fails later leaves its journal for recovery (`abort`, or the next write).
pub fn commit(
    layout: &Layout,
    settings: &Settings,
    unit: &Unit,
    overwrite: bool,
    staged: Vec<Staged>,
) -> Result<()> {
    unit.check()?;
    let mut journaled = false;
    let outcome = commit_unit(layout, settings, unit, overwrite, staged, &mut journaled);
    if outcome.is_err() && !journaled {
        let _ = end(layout, unit);
    }
    outcome
}

fn commit_unit(
    layout: &Layout,
    settings: &Settings,
    unit: &Unit,
    overwrite: bool,
    staged: Vec<Staged>,
    journaled: &mut bool,
) -> Result<()> {
    check_messages(&staged)?;
    fs::create_dir_all(layout.target())
        .with_context(|| format!("cannot create {}", layout.target().display()))?;
    let _lock = CommitLock::acquire(layout, settings.lock_timeout)?;
    recover_all(layout)?;
    if let Unit::Batch { batch, .. } = unit
        && own_dir(&layout.batches())?
        && exists(&layout.batch_manifest(*batch))
    {
        // Published before: this is the batch committed again after a restart.
        return end(layout, unit);
    }
    remove_abandoned(layout, unit, settings.staging_expiry);
    check_staged(layout, unit, settings.extension, &staged)?;
    if !overwrite {
        refuse_unread_append(layout)?;
    }
    let journal = Journal {
        unit: unit.clone(),
        extension: settings.extension.to_owned(),
        overwrite,
        retire: retired_entries(layout, unit, overwrite)?,
        publish: staged,
    };
    let stop = |step| stop_after(settings, step);
    write_whole(
        &layout.partial(unit, "journal"),
        &layout.journal(unit),
        &serde_json::to_vec_pretty(&journal)?,
    )?;
    *journaled = true;
    stop(CommitStep::Journaled)?;
    retire(layout, &journal, stop)?;
    let files = publish(layout, &journal, stop)?;
    let manifest = Manifest {
        write: unit.write(),
        batch: match unit {
            Unit::Write { .. } => None,
            Unit::Batch { batch, .. } => Some(*batch),
        },
        files,
        rows: journal.publish.iter().map(|s| s.rows).sum(),
    };
    if let Unit::Batch { .. } = unit {
        make_own_dir(&layout.batches())?;
    }
    write_whole(
        &layout.partial(unit, "manifest"),
        &layout.manifest(unit),
        &serde_json::to_vec_pretty(&manifest)?,
    )?;
    stop(CommitStep::Manifested)?;
    // Committed: what is left is tidying, which the next commit finishes if it fails here.
    if let Err(error) = finish(layout, unit, stop) {
        if settings.stop_after.is_some() {
            return Err(error);
        }
        log::warn!(
            "files: {} is committed, but tidying up failed (the next write into the \
             directory finishes it): {error:#}",
            layout.target().display()
        );
    }
    Ok(())
}

/// Undoes what `unit` did: a commit of it that stopped half-way is undone (or finished, when
/// it wrote its manifest), its staged files are removed, and a batch write is marked ended so
/// that a task of it still running removes what it stages.
pub fn abort(layout: &Layout, settings: &Settings, unit: &Unit) -> Result<()> {
    unit.check()?;
    if exists(&layout.journal(unit)) {
        let _lock = CommitLock::acquire(layout, settings.lock_timeout)?;
        recover_all(layout)?;
    }
    let target = match unit {
        // The end mark needs the directory (a task still running would create it anyway);
        // one that cannot be created holds nothing staged.
        Unit::Write { .. } => fs::create_dir_all(layout.target()).is_ok(),
        Unit::Batch { .. } => layout.target().is_dir(),
    };
    if !target {
        return Ok(());
    }
    end(layout, unit)
}

/// Refuses commit messages that do not describe one task each: two for one partition, or rows
/// without a file.
fn check_messages(staged: &[Staged]) -> Result<()> {
    let mut partitions = HashSet::new();
    for message in staged {
        ensure!(
            partitions.insert(message.partition),
            "two commit messages for partition {}: {}",
            message.partition,
            message.describe()
        );
        ensure!(
            message.file || message.rows == 0,
            "commit message {} counts rows but staged no file",
            message.describe()
        );
    }
    Ok(())
}

/// Checks that every file the messages say was staged is a regular file in this unit's own
/// staging directory, where the sink names it (the messages name no path).
fn check_staged(layout: &Layout, unit: &Unit, extension: &str, staged: &[Staged]) -> Result<()> {
    let with_files: Vec<&Staged> = staged.iter().filter(|s| s.file).collect();
    if with_files.is_empty() {
        return Ok(());
    }
    let dir = layout.staging(unit);
    let own = own_dir(&layout.staging_root())? && own_dir(&dir)?;
    for message in with_files {
        let path = layout.staged_file(unit, message.partition, message.attempt, extension);
        if own && regular_file(&path)? {
            continue;
        }
        let found = if !own {
            format!("{} is not there", dir.display())
        } else if exists(&path) {
            format!("{} is not a regular file (a link?)", path.display())
        } else {
            format!(
                "{} is not there (staging untouched for longer than stagingExpiry is removed \
                 as abandoned)",
                path.display()
            )
        };
        bail!(
            "commit message {} does not match what this write staged: {found}",
            message.describe()
        );
    }
    Ok(())
}

/// Refuses an append whose rows Spark's readers would not read: beside directories they take
/// as partitions (`k=1/`) or tables, or under the log of Spark's streaming file sink
/// (`_spark_metadata`, which lists the only files `spark.read` reads).
fn refuse_unread_append(layout: &Layout) -> Result<()> {
    let target = layout.target();
    let dirs: Vec<String> = layout
        .read_entries()
        .with_context(|| format!("cannot list {}", target.display()))?
        .into_iter()
        .filter(|name| target.join(name).is_dir())
        .collect();
    ensure!(
        dirs.is_empty(),
        "cannot append to {}: it holds directories Spark's readers take as partitions or tables \
         ({}); files appended beside them would not be read by spark.read. Overwrite it \
         (mode(\"overwrite\") replaces them) or write into another directory",
        target.display(),
        dirs.join(", ")
    );
    let metadata = target.join("_spark_metadata");
    ensure!(
        !exists(&metadata),
        "cannot append to {}: {} is the log of Spark's streaming file sink, and spark.read \
         reads only the files it lists, so files appended here would not be read. Overwrite \
         it (mode(\"overwrite\") replaces it) or write into another directory",
        target.display(),
        metadata.display()
    );
    Ok(())
}

/// The entries a commit of `unit` moves aside: the previous `_SUCCESS` (a batch write writes
/// its own), files of micro-batch `unit` left by a commit of an older version of the sink that
/// stopped half-way, and for an overwrite every entry Spark's readers read (files and
/// directories whose names start with neither `_` nor `.`, and `_spark_metadata`), each with
/// its Hadoop checksum `.<name>.crc`.
fn retired_entries(layout: &Layout, unit: &Unit, overwrite: bool) -> Result<Vec<String>> {
    let mut names = Vec::new();
    let read = layout
        .read_entries()
        .with_context(|| format!("cannot list {}", layout.target().display()))?;
    if overwrite {
        names.extend(read);
        names.push("_spark_metadata".to_owned());
    } else if let Unit::Batch { batch, .. } = unit {
        let prefix = format!("{}-", batch_name(*batch));
        names.extend(read.into_iter().filter(|name| name.starts_with(&prefix)));
    }
    if let Unit::Write { .. } = unit {
        names.push("_SUCCESS".to_owned());
    }
    let checksums: Vec<String> = names.iter().map(|name| format!(".{name}.crc")).collect();
    names.extend(checksums);
    names.retain(|name| exists(&layout.target().join(name)));
    Ok(names)
}

/// Step 2: moves the entries the commit replaces aside.
fn retire(
    layout: &Layout,
    journal: &Journal,
    stop: impl Fn(CommitStep) -> Result<()>,
) -> Result<()> {
    let aside = layout.retired(&journal.unit);
    make_own_dir(&aside)?;
    for name in &journal.retire {
        let from = layout.target().join(name);
        let to = aside.join(name);
        fs::rename(&from, &to)
            .with_context(|| format!("cannot move {} to {}", from.display(), to.display()))?;
        stop(CommitStep::Retiring)?;
    }
    stop(CommitStep::Retiring)?;
    stop(CommitStep::Retired)
}

/// Step 3: renames each staged file to its published name; returns the names.
fn publish(
    layout: &Layout,
    journal: &Journal,
    stop: impl Fn(CommitStep) -> Result<()>,
) -> Result<Vec<String>> {
    let unit = &journal.unit;
    let mut names = Vec::new();
    for message in journal.publish.iter().filter(|s| s.file) {
        let staged =
            layout.staged_file(unit, message.partition, message.attempt, &journal.extension);
        let target = layout.published_file(unit, message.partition, &journal.extension);
        ensure!(
            !exists(&target),
            "cannot publish {}: {} is already there",
            staged.display(),
            target.display()
        );
        fs::rename(&staged, &target)
            .with_context(|| format!("cannot move {} to {}", staged.display(), target.display()))?;
        names.push(file_name(&target));
        stop(CommitStep::Publishing)?;
    }
    stop(CommitStep::Publishing)?;
    stop(CommitStep::Published)?;
    Ok(names)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Step 5, after the commit point: deletes what was retired, the unit's staging and partial
/// files, marks it ended, then removes the journal.
fn finish(layout: &Layout, unit: &Unit, stop: impl Fn(CommitStep) -> Result<()>) -> Result<()> {
    remove_own_dir(&layout.retired(unit))?;
    end(layout, unit)?;
    stop(CommitStep::Cleaned)?;
    remove_file(&layout.journal(unit))
}

/// Fails the commit after `step` when the option `stopCommitAfter` says so.
fn stop_after(settings: &Settings, step: CommitStep) -> Result<()> {
    if settings.stop_after == Some(step) {
        bail!(
            "stopped the commit after step `{}` (option stopCommitAfter): the directory is as a \
             crash there would leave it",
            step.to_option_text().unwrap_or_default()
        );
    }
    Ok(())
}

/// Finishes or undoes every commit a crash (or a failure) left half-way: each journal in
/// `_commits/`. Under the commit lock.
fn recover_all(layout: &Layout) -> Result<()> {
    let mut names = list(&layout.commits())?;
    names.sort();
    for name in names {
        let Some(key) = name.strip_suffix(".journal") else {
            continue;
        };
        let path = layout.commits().join(&name);
        let journal = read_journal(&path, key)?;
        let outcome = if committed(layout, &journal.unit)? {
            finish(layout, &journal.unit, |_| Ok(()))
        } else {
            roll_back(layout, &journal)
        };
        outcome.with_context(|| {
            format!(
                "cannot recover the commit that stopped half-way, recorded in {}",
                path.display()
            )
        })?;
        log::info!("files: recovered the commit recorded in {}", path.display());
    }
    Ok(())
}

/// Reads back a journal: data the sink wrote, but read from disk, so checked as any outside
/// data would be (its unit must be the one its name says, its write id a plain name, its
/// extension one of the sink's).
fn read_journal(path: &Path, key: &str) -> Result<Journal> {
    let refuse = |reason: String| {
        format_err!(
            "{} is not a journal this sink wrote ({reason}): no commit can run in {} until it \
             is removed (check first that every row is in place)",
            path.display(),
            path.parent()
                .and_then(Path::parent)
                .map(|dir| dir.display().to_string())
                .unwrap_or_default()
        )
    };
    ensure!(regular_file(path)?, refuse("not a regular file".into()));
    let text = fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let journal: Journal = serde_json::from_slice(&text).map_err(|e| refuse(e.to_string()))?;
    journal.unit.check().map_err(|e| refuse(format!("{e:#}")))?;
    if journal.unit.key() != key {
        return Err(refuse(format!(
            "it records the commit of `{}`",
            journal.unit.key()
        )));
    }
    if !["parquet", "jsonl"].contains(&journal.extension.as_str()) {
        return Err(refuse(format!("extension `{}`", journal.extension)));
    }
    check_messages(&journal.publish).map_err(|e| refuse(format!("{e:#}")))?;
    Ok(journal)
}

/// Whether `unit` reached its commit point: its manifest is there and names it.
fn committed(layout: &Layout, unit: &Unit) -> Result<bool> {
    if let Unit::Batch { .. } = unit
        && !own_dir(&layout.batches())?
    {
        return Ok(false);
    }
    let manifest = layout.manifest(unit);
    if !regular_file(&manifest)? {
        return Ok(false);
    }
    let text =
        fs::read(&manifest).with_context(|| format!("cannot read {}", manifest.display()))?;
    let batch = match unit {
        Unit::Write { .. } => None,
        Unit::Batch { batch, .. } => Some(*batch),
    };
    Ok(serde_json::from_slice::<ManifestWriter>(&text)
        .is_ok_and(|m| m.write.as_deref() == Some(unit.write()) && m.batch == batch))
}

/// Undoes a commit that stopped before its commit point: deletes the files it published (their
/// names are its own), puts back every entry it moved aside, removes a batch write's staging
/// (a micro-batch's is left for the query that runs it again, or for its abort).
fn roll_back(layout: &Layout, journal: &Journal) -> Result<()> {
    let unit = &journal.unit;
    for message in journal.publish.iter().filter(|s| s.file) {
        remove_file(&layout.published_file(unit, message.partition, &journal.extension))?;
    }
    let aside = layout.retired(unit);
    if own_dir(&aside)? {
        for name in list(&aside)? {
            let from = aside.join(&name);
            let to = layout.target().join(&name);
            ensure!(
                !exists(&to),
                "cannot put {} back: {} is there",
                from.display(),
                to.display()
            );
            fs::rename(&from, &to)
                .with_context(|| format!("cannot move {} to {}", from.display(), to.display()))?;
        }
        fs::remove_dir(&aside).with_context(|| format!("cannot remove {}", aside.display()))?;
    }
    match unit {
        Unit::Write { .. } => end(layout, unit)?,
        // Its staging may by now hold what a restarted query staged for it again.
        Unit::Batch { .. } => remove_partials(layout, unit)?,
    }
    remove_file(&layout.journal(unit))
}

/// Ends `unit`: marks a batch write ended (a task of it that runs late sees the mark and
/// removes what it staged), then removes its staging and its partial files.
fn end(layout: &Layout, unit: &Unit) -> Result<()> {
    if let Unit::Write { .. } = unit {
        mark_ended(layout, unit)?;
    }
    remove_partials(layout, unit)?;
    if own_dir(&layout.staging_root())? {
        remove_own_dir(&layout.staging(unit))?;
    }
    layout.remove_empty_staging();
    Ok(())
}

fn remove_partials(layout: &Layout, unit: &Unit) -> Result<()> {
    remove_file(&layout.partial(unit, "journal"))?;
    remove_file(&layout.partial(unit, "manifest"))
}

/// Records that batch write `unit` has ended: `_commits/<write>.ended`.
fn mark_ended(layout: &Layout, unit: &Unit) -> Result<()> {
    make_own_dir(&layout.commits())?;
    let mark = layout.ended(unit);
    if !exists(&mark) {
        create_new(&mark)?;
    }
    Ok(())
}

/// Whether `unit` has ended, for a task of it: a batch write committed or aborted (its mark),
/// a micro-batch published (its manifest; a micro-batch aborted is run again after a restart).
pub fn ended(layout: &Layout, unit: &Unit) -> bool {
    match unit {
        Unit::Write { .. } => exists(&layout.ended(unit)),
        Unit::Batch { batch, .. } => {
            matches!(own_dir(&layout.batches()), Ok(true)) && exists(&layout.batch_manifest(*batch))
        }
    }
}

/// Removes what writes that will never commit left behind: staging directories untouched for
/// longer than `expiry` (a write killed before its commit or abort), partial files as old, and
/// end marks past their use. Never this unit's own staging; never fails the commit.
fn remove_abandoned(layout: &Layout, own: &Unit, expiry: Duration) {
    let now = SystemTime::now();
    let older = |path: &Path, age: Duration| {
        last_change(path)
            .ok()
            .and_then(|changed| now.duration_since(changed).ok())
            .is_some_and(|elapsed| elapsed > age)
    };
    let remove = |path: &Path| {
        let outcome = match fs::symlink_metadata(path) {
            Ok(meta) if meta.is_dir() => remove_own_dir(path),
            Ok(_) => remove_file(path),
            Err(_) => Ok(()),
        };
        match outcome {
            Ok(()) => log::info!("files: removed {}, abandoned", path.display()),
            Err(error) => log::warn!(
                "files: cannot remove abandoned {}: {error:#}",
                path.display()
            ),
        }
    };
    let root = layout.staging_root();
    if matches!(own_dir(&root), Ok(true)) {
        let own_key = own.key();
        for name in list(&root).unwrap_or_default() {
            let path = root.join(&name);
            if name != own_key && older(&path, expiry) {
                remove(&path);
            }
        }
    }
    let commits = layout.commits();
    for name in list(&commits).unwrap_or_default() {
        let path = commits.join(&name);
        let old = if name.ends_with(".partial") {
            older(&path, expiry)
        } else if name.ends_with(".ended") {
            older(&path, expiry.min(END_MARK_LIFETIME))
        } else {
            false
        };
        if old {
            remove(&path);
        }
    }
    layout.remove_empty_staging();
}

/// Writes `bytes` to `path` whole or not at all: written (and synced) beside, in a file of this
/// unit's own, then renamed over it.
fn write_whole(partial: &Path, path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = create_new(partial)?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}", partial.display()))?;
    fs::rename(partial, path)
        .with_context(|| format!("cannot move {} to {}", partial.display(), path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sink_tests::{COMMIT_POINT, STEPS};

    #[test]
    fn the_steps_are_named_as_the_tests_stop_them() {
        let names: Vec<String> = CommitStep::ALL
            .iter()
            .map(|step| step.to_option_text().unwrap())
            .collect();
        assert_eq!(names, STEPS);
        assert_eq!(CommitStep::ALL[COMMIT_POINT], CommitStep::Manifested);
    }
}
