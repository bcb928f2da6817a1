//! Tests of whole classes of defects, through the sink's public face only (its options, the
//! `BatchWriter`/`StreamWriter` traits, commit messages as the JSON text that travels through
//! Spark): hostile commit messages and links, concurrent writers, a crash at every step of a
//! commit, overwrite over every layout Spark writes, tasks that fail, panic or run late, and
//! staging abandoned by killed writes. The file system is the oracle: every row is read back
//! from the Parquet files Spark's readers would read.

// A write's tasks are given as a list of id ranges, one per task: often just one task.
#![allow(clippy::single_range_in_vec_init)]

use std::collections::BTreeSet;
use std::fs::{self, File};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use datasource_py::arrow_array::{Array, Int64Array, RecordBatch, StringArray};
use datasource_py::arrow_schema::{DataType, Field, Schema, SchemaRef};
use datasource_py::testing::write_all;
use datasource_py::{BatchWriter, Batches, DataSource, RawOptions, StreamWriter, Task, WriteJob};
use datasource_py::{Result, format_err};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::files::Target;
use crate::{Files, Staged};

// -- helpers ------------------------------------------------------------------------------

fn files(dir: &Path, extra: &[(&str, &str)]) -> Files {
    let mut raw: RawOptions = [("path", dir.to_str().unwrap())].into_iter().collect();
    for (key, value) in extra {
        raw.insert(key, *value);
    }
    Files::from_options(&raw).unwrap()
}

fn schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("label", DataType::Utf8, true),
    ]))
}

fn batch(ids: std::ops::Range<i64>) -> RecordBatch {
    let labels: Vec<String> = ids.clone().map(|i| format!("n{i}")).collect();
    RecordBatch::try_new(
        schema(),
        vec![
            Arc::new(Int64Array::from_iter_values(ids)),
            Arc::new(StringArray::from(labels)),
        ],
    )
    .unwrap()
}

/// A fresh directory of this test's own.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("filesink-class-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `ids` as a Parquet file at `path` (as Spark would, under any name).
fn parquet_file(path: &Path, ids: std::ops::Range<i64>) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut writer = ArrowWriter::try_new(File::create(path).unwrap(), schema(), None).unwrap();
    writer.write(&batch(ids)).unwrap();
    writer.close().unwrap();
}

fn ids_of(file: &Path) -> Vec<i64> {
    let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(file).unwrap())
        .unwrap()
        .build()
        .unwrap();
    let mut ids = Vec::new();
    for batch in reader {
        let batch = batch.unwrap();
        let column = batch
            .column_by_name("id")
            .unwrap()
            .as_any()
            .downcast_ref::<Int64Array>()
            .unwrap()
            .clone();
        ids.extend((0..column.len()).map(|i| column.value(i)));
    }
    ids
}

/// The ids Spark's Parquet reader reads in `dir`: every file under it, following directories
/// (partitions) and links as Spark does, skipping names that start with `_` or `.`.
fn read_ids(dir: &Path) -> Vec<i64> {
    let mut ids = Vec::new();
    collect_ids(dir, &mut ids, &|name| !name.starts_with(['_', '.']));
    ids.sort();
    ids
}

/// Every id in any Parquet file under `dir`, hidden or not, but not what tasks staged: what a
/// crash cannot have lost.
fn kept_ids(dir: &Path) -> BTreeSet<i64> {
    let mut ids = Vec::new();
    collect_ids(dir, &mut ids, &|name| {
        name != "_staging" && !name.ends_with(".crc") && name != "lock"
    });
    ids.into_iter().collect()
}

fn collect_ids(dir: &Path, ids: &mut Vec<i64>, keep: &dyn Fn(&str) -> bool) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if !keep(&name) {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            collect_ids(&path, ids, keep);
        } else if name.ends_with(".parquet") {
            ids.extend(ids_of(&path));
        }
    }
}

/// Every entry under `dir`, relative, directories ending in `/` (links not followed).
fn tree(dir: &Path) -> BTreeSet<String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeSet<String>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let relative = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if fs::symlink_metadata(&path).unwrap().is_dir() {
                out.insert(format!("{relative}/"));
                walk(root, &path, out);
            } else {
                out.insert(relative);
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(dir, dir, &mut out);
    out
}

fn range(ids: std::ops::Range<i64>) -> Vec<i64> {
    ids.collect()
}

fn sorted(mut ids: Vec<i64>) -> Vec<i64> {
    ids.sort();
    ids
}

fn task(partition: u32, batch: Option<u64>) -> Task {
    match batch {
        Some(batch) => Task::new(partition).with_batch_id(batch),
        None => Task::new(partition),
    }
}

fn batches(ids: std::ops::Range<i64>) -> Batches {
    Batches::from_record_batches(vec![Ok(batch(ids))])
}

/// A batch write's tasks, run as Spark runs them: one per entry of `tasks`.
fn stage_write(
    sink: &Arc<Files>,
    job: &WriteJob<Target>,
    tasks: &[std::ops::Range<i64>],
) -> Vec<Staged> {
    tasks
        .iter()
        .enumerate()
        .map(|(partition, ids)| {
            BatchWriter::write(
                sink.clone(),
                job,
                &task(partition as u32, None),
                batches(ids.clone()),
            )
            .unwrap()
        })
        .collect()
}

/// A micro-batch's tasks. (Spark commits or aborts it with a writer built afresh: a
/// [`job`] of its own, as the tests below do.)
fn stage_batch(
    sink: &Arc<Files>,
    job: &WriteJob<Target>,
    batch: u64,
    tasks: &[std::ops::Range<i64>],
) -> Vec<Staged> {
    tasks
        .iter()
        .enumerate()
        .map(|(partition, ids)| {
            StreamWriter::write(
                sink.clone(),
                job,
                &task(partition as u32, Some(batch)),
                batches(ids.clone()),
            )
            .unwrap()
        })
        .collect()
}

static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// A write as the SDK plans one: a fresh id.
/// A write planned with the target directory already there.
fn job(overwrite: bool) -> WriteJob<Target> {
    let n = NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    WriteJob::new(
        format!("w{n:04}-{}", std::process::id()),
        schema(),
        overwrite,
    )
    .with_plan(Target::default())
}

/// Commit messages as the text that travels through Spark, decoded as the SDK decodes them.
fn decode(texts: &[String]) -> Result<Vec<Staged>> {
    texts
        .iter()
        .map(|text| {
            serde_json::from_str(text).map_err(|e| {
                format_err!("files: commit message does not decode: {e}; got `{text}`")
            })
        })
        .collect()
}

#[cfg(unix)]
fn symlink(to: &Path, at: &Path) {
    std::os::unix::fs::symlink(to, at).unwrap();
}

// -- defect class: paths built from data the sink did not create ---------------------------

/// A directory outside the target, with a file in it, that nothing may move or delete.
struct Victim {
    dir: PathBuf,
    file: PathBuf,
}

impl Victim {
    fn new(root: &Path) -> Victim {
        let dir = root.join("outside");
        let file = dir.join("part-00000-0.parquet");
        parquet_file(&file, 900..903);
        Victim { dir, file }
    }

    fn assert_untouched(&self, case: &str) {
        assert_eq!(
            ids_of(&self.file),
            range(900..903),
            "{case}: the victim changed"
        );
        assert_eq!(
            tree(&self.dir),
            ["part-00000-0.parquet".to_owned()].into(),
            "{case}: something was written or deleted outside the target"
        );
    }
}

/// What a hostile case plants before the commit: `(root, target, another write's staged file)`.
type Plant = fn(&Path, &Path, &Path);

#[cfg(unix)]
#[test]
fn hostile_commit_messages_and_links_never_steer_a_path() {
    // Each case: its name, what it plants, the commit messages (JSON text, `{victim}`,
    // `{other}` and `{target}` replaced), and what the error must say.
    let plant_nothing: Plant = |_, _, _| {};
    let staged_link: Plant = |root, target, _| {
        // Where the write's task 0 would stage its file: a link to the victim.
        let dir = target.join("_staging");
        for entry in fs::read_dir(&dir).unwrap() {
            let staged = entry.unwrap().path().join("part-00000-0.parquet");
            if !staged.exists() {
                symlink(&root.join("outside/part-00000-0.parquet"), &staged);
            }
        }
    };
    let staging_dir_link: Plant = |root, target, _| {
        // The write's own staging directory replaced by a link to the victim's directory.
        let staging = target.join("_staging");
        for entry in fs::read_dir(&staging).unwrap() {
            let path = entry.unwrap().path();
            if fs::read_dir(&path).unwrap().count() == 0 {
                fs::remove_dir(&path).unwrap();
                symlink(&root.join("outside"), &path);
            }
        }
    };
    let staging_root_link: Plant = |root, target, _| {
        let staging = target.join("_staging");
        fs::rename(&staging, root.join("moved-staging")).unwrap();
        symlink(&root.join("outside"), &staging);
    };
    let cases: &[(&str, Plant, &[&str], &[&str])] = &[
        (
            "an absolute path",
            plant_nothing,
            &[r#"{"partition":0,"file":"{victim}","rows":3}"#],
            &["does not decode"],
        ),
        (
            "a path climbing out with ..",
            plant_nothing,
            &[
                r#"{"partition":0,"file":"{target}/_staging/../../outside/part-00000-0.parquet","rows":3}"#,
            ],
            &["does not decode"],
        ),
        (
            "another write's staged file, by path",
            plant_nothing,
            &[r#"{"partition":0,"file":"{other}","rows":2}"#],
            &["does not decode"],
        ),
        (
            "a path beside the numbers",
            plant_nothing,
            &[r#"{"partition":0,"attempt":0,"file":true,"rows":2,"path":"{victim}"}"#],
            &["does not decode", "unknown field `path`"],
        ),
        (
            "a partition this write never staged (another write staged it)",
            plant_nothing,
            &[r#"{"partition":7,"attempt":0,"file":true,"rows":2}"#],
            &[
                "does not match what this write staged",
                "part-00007-0.parquet",
                "is not there",
            ],
        ),
        (
            "an attempt that never ran",
            plant_nothing,
            &[r#"{"partition":0,"attempt":4,"file":true,"rows":2}"#],
            &["does not match what this write staged", r#""attempt":4"#],
        ),
        (
            "a negative partition",
            plant_nothing,
            &[r#"{"partition":-1,"attempt":0,"file":true,"rows":2}"#],
            &["does not decode"],
        ),
        (
            "two messages for one partition",
            plant_nothing,
            &[
                r#"{"partition":0,"attempt":0,"file":true,"rows":2}"#,
                r#"{"partition":0,"attempt":0,"file":true,"rows":2}"#,
            ],
            &["two commit messages for partition 0"],
        ),
        (
            "rows without a file",
            plant_nothing,
            &[r#"{"partition":3,"attempt":0,"file":false,"rows":9}"#],
            &["counts rows but staged no file"],
        ),
        (
            "a staged file that is a link out of the target",
            staged_link,
            &[r#"{"partition":0,"attempt":0,"file":true,"rows":3}"#],
            &["is not a regular file"],
        ),
        (
            "a staging directory that is a link out of the target",
            staging_dir_link,
            &[r#"{"partition":0,"attempt":0,"file":true,"rows":3}"#],
            &[
                "is a symbolic link",
                "neither writes nor deletes through it",
            ],
        ),
        (
            "_staging itself a link out of the target",
            staging_root_link,
            &[r#"{"partition":0,"attempt":0,"file":true,"rows":3}"#],
            &["_staging is a symbolic link"],
        ),
    ];
    for streaming in [false, true] {
        for (name, plant, texts, expected) in cases {
            let case = format!("{name} ({})", if streaming { "stream" } else { "batch" });
            let root = scratch("hostile");
            let target = root.join("target");
            let victim = Victim::new(&root);
            let sink = Arc::new(files(&target, &[]));
            // Earlier output, and another write staging partition 7 (not committed yet).
            write_all(
                files(&target, &[]),
                schema(),
                vec![vec![batch(0..4)]],
                false,
            )
            .unwrap();
            let other = job(false);
            let other_staged = stage_write(
                &sink,
                &other,
                &[0..1, 1..2, 2..3, 3..4, 4..5, 5..6, 6..7, 7..9],
            );
            let other_file = fs::read_dir(target.join("_staging"))
                .unwrap()
                .map(|e| e.unwrap().path())
                .find(|p| p.to_string_lossy().contains(other.id()))
                .unwrap()
                .join("part-00007-0.parquet");
            assert!(other_file.exists());
            // This write: a staging directory with nothing in it yet.
            let this = job(false);
            fs::create_dir_all(target.join("_staging").join(if streaming {
                "batch-0000000003".to_owned()
            } else {
                this.id().to_owned()
            }))
            .unwrap();
            plant(&root, &target, &other_file);
            let before = read_ids(&target);
            let texts: Vec<String> = texts
                .iter()
                .map(|text| {
                    text.replace("{victim}", &victim.file.to_string_lossy())
                        .replace("{other}", &other_file.to_string_lossy())
                        .replace("{target}", &target.to_string_lossy())
                })
                .collect();
            let outcome = decode(&texts).and_then(|messages| {
                if streaming {
                    StreamWriter::commit(&*sink, &job(false), 3, messages)
                } else {
                    BatchWriter::commit(&*sink, &this, messages)
                }
            });
            let error = format!("{:#}", outcome.expect_err(&case));
            for part in *expected {
                assert!(error.contains(part), "{case}: `{part}` not in: {error}");
            }
            // Nothing outside touched, nothing published, the other write's file in place.
            victim.assert_untouched(&case);
            assert_eq!(
                read_ids(&target),
                before,
                "{case}: the published rows changed"
            );
            assert!(!target.join("_batches/batch-0000000003").exists(), "{case}");
            if fs::symlink_metadata(target.join("_staging"))
                .unwrap()
                .is_dir()
            {
                assert!(
                    other_file.exists(),
                    "{case}: another write's staged file moved"
                );
            }
            // Abort (Spark's answer to a failed commit) does not delete through a link either.
            let _ = if streaming {
                StreamWriter::abort(&*sink, &job(false), 3, vec![])
            } else {
                BatchWriter::abort(&*sink, &this, vec![])
            };
            victim.assert_untouched(&format!("{case}, after abort"));
            // The other write still commits whole, where its staging is its own.
            if fs::symlink_metadata(target.join("_staging"))
                .unwrap()
                .is_dir()
            {
                BatchWriter::commit(&*sink, &other, other_staged).unwrap();
                assert_eq!(
                    read_ids(&target),
                    sorted([range(0..4), range(0..9)].concat()),
                    "{case}"
                );
            }
            fs::remove_dir_all(&root).unwrap();
        }
    }
}

#[test]
fn a_journal_that_does_not_describe_its_own_commit_is_refused() {
    // A journal is read back from disk: one that names another write, or paths, is refused
    // (with its name), and nothing is deleted on its word.
    let cases: &[(&str, &str)] = &[
        (
            "another write's",
            r#"{"unit":{"write":{"write":"w-victim"}},"extension":"parquet","overwrite":false,"retire":[],"publish":[{"partition":0,"attempt":0,"file":true,"rows":4}]}"#,
        ),
        (
            "a climbing write id",
            r#"{"unit":{"write":{"write":"../x"}},"extension":"parquet","overwrite":false,"retire":[],"publish":[]}"#,
        ),
        (
            "a climbing extension",
            r#"{"unit":{"write":{"write":"w-forged"}},"extension":"/../../x","overwrite":false,"retire":[],"publish":[]}"#,
        ),
        ("not JSON", "{"),
    ];
    for (name, text) in cases {
        let dir = scratch("journal");
        let victim = Arc::new(files(&dir, &[]));
        let written = WriteJob::new("w-victim", schema(), false).with_plan(Target::default());
        let staged = stage_write(&victim, &written, &[0..4]);
        BatchWriter::commit(&*victim, &written, staged).unwrap();
        fs::write(dir.join("_commits/w-forged.journal"), text).unwrap();
        let error = write_all(files(&dir, &[]), schema(), vec![vec![batch(10..12)]], false)
            .expect_err(name);
        let error = format!("{error:#}");
        assert!(
            error.contains("w-forged.journal")
                && error.contains("is not a journal this sink wrote"),
            "{name}: {error}"
        );
        assert_eq!(
            read_ids(&dir),
            range(0..4),
            "{name}: rows deleted on a forged journal"
        );
        fs::remove_dir_all(&dir).unwrap();
    }
}

// -- defect class: concurrent writers into one directory ----------------------------------

#[test]
fn concurrent_writers_each_publish_every_row_or_fail() {
    // Writers of one process (Spark commits from several Python workers do the same through
    // the file lock) append and stage at once: each publishes all of its rows.
    let dir = scratch("concurrent");
    let threads = 6;
    let writes = 8;
    let outcomes: Vec<Vec<Result<(), String>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let dir = dir.clone();
                scope.spawn(move || {
                    (0..writes)
                        .map(|w| {
                            let start = (t * writes + w) * 100;
                            let tasks = vec![
                                vec![batch(start..start + 30)],
                                vec![],
                                vec![batch(start + 30..start + 50)],
                            ];
                            write_all(files(&dir, &[]), schema(), tasks, false)
                                .map(|_| ())
                                .map_err(|e| format!("{e:#}"))
                        })
                        .collect()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut expected = Vec::new();
    for (t, outcomes) in outcomes.iter().enumerate() {
        for (w, outcome) in outcomes.iter().enumerate() {
            assert_eq!(outcome, &Ok(()), "writer {t}, write {w}");
            let start = (t as i64 * writes + w as i64) * 100;
            expected.extend(start..start + 50);
        }
    }
    assert_eq!(
        read_ids(&dir),
        sorted(expected),
        "every row of every write, once"
    );
    let left: Vec<String> = tree(&dir)
        .into_iter()
        .filter(|name| name.starts_with("_staging") || name.ends_with(".journal"))
        .collect();
    assert!(
        left.is_empty(),
        "nothing left staged or half-committed: {left:?}"
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn concurrent_overwrites_and_appends_publish_each_write_whole() {
    // Any mix of writes at once: each write's rows are all there or all gone (replaced by a
    // later overwrite), never some of them; the last overwrite's rows are all there.
    let dir = scratch("mixed");
    write_all(files(&dir, &[]), schema(), vec![vec![batch(0..10)]], false).unwrap();
    let plan: Vec<(i64, bool)> = (1..=12).map(|n| (n * 1000, n % 4 == 0)).collect();
    std::thread::scope(|scope| {
        for chunk in plan.chunks(3) {
            let dir = dir.clone();
            scope.spawn(move || {
                for (start, overwrite) in chunk {
                    let tasks = vec![
                        vec![batch(*start..start + 7)],
                        vec![batch(start + 7..start + 9)],
                    ];
                    write_all(files(&dir, &[]), schema(), tasks, *overwrite).unwrap();
                }
            });
        }
    });
    let ids: BTreeSet<i64> = read_ids(&dir).into_iter().collect();
    assert_eq!(ids.len(), read_ids(&dir).len(), "no row twice");
    for (start, _) in &plan {
        let present = (*start..start + 9).filter(|id| ids.contains(id)).count();
        assert!(
            present == 0 || present == 9,
            "write {start}: {present} of its 9 rows"
        );
    }
    assert!(plan.iter().any(|(start, _)| ids.contains(start)));
    fs::remove_dir_all(&dir).unwrap();
}

// -- defect class: a crash at any step of a commit ----------------------------------------

/// The steps of a commit, in order (`stopCommitAfter`); from `manifested` on, it is committed.
pub(crate) const STEPS: [&str; 7] = [
    "journaled",
    "retiring",
    "retired",
    "publishing",
    "published",
    "manifested",
    "cleaned",
];
pub(crate) const COMMIT_POINT: usize = 5;

#[derive(Debug, Clone, Copy)]
enum Recovery {
    /// Spark calls abort after a failed commit.
    Abort,
    /// The process died: the next write into the directory finds the journal.
    NextWrite,
}

#[test]
fn a_commit_stopped_at_any_step_loses_no_row_and_the_next_write_recovers_it() {
    for (index, step) in STEPS.iter().enumerate() {
        for overwrite in [false, true] {
            for streaming in [false, true] {
                for recovery in [Recovery::Abort, Recovery::NextWrite] {
                    crash_and_recover(index, step, overwrite, streaming, recovery);
                }
            }
        }
    }
}

fn crash_and_recover(
    index: usize,
    step: &str,
    overwrite: bool,
    streaming: bool,
    recovery: Recovery,
) {
    let case = format!(
        "stopped after `{step}`, {}, {}, recovered by {recovery:?}",
        if overwrite { "overwrite" } else { "append" },
        if streaming {
            "micro-batch"
        } else {
            "batch write"
        }
    );
    let dir = scratch("crash");
    // Earlier rows: written by the sink, and for an overwrite also a directory Spark
    // partitioned and its checksums.
    let old_sink = Arc::new(files(&dir, &[]));
    let mut old = Vec::new();
    if streaming {
        let run = job(false);
        for (batch_id, ids) in [(0, 0..10), (1, 10..20)] {
            let staged = stage_batch(&old_sink, &run, batch_id, std::slice::from_ref(&ids));
            StreamWriter::commit(&*old_sink, &job(false), batch_id, staged).unwrap();
            old.extend(ids);
        }
    } else {
        write_all(
            files(&dir, &[]),
            schema(),
            vec![vec![batch(0..10)], vec![batch(10..20)]],
            false,
        )
        .unwrap();
        old.extend(0..20);
    }
    if overwrite {
        parquet_file(&dir.join("k=1/part-00000-spark.snappy.parquet"), 100..105);
        fs::write(dir.join("k=1/.part-00000-spark.snappy.parquet.crc"), "crc").unwrap();
        old.extend(100..105);
    }
    let old = sorted(old);
    assert_eq!(read_ids(&dir), old, "{case}: setup");

    // The write that stops.
    let new = range(1000..1030);
    let sink = Arc::new(files(&dir, &[("stopCommitAfter", step)]));
    let write = job(overwrite);
    let tasks = [1000..1010, 1010..1025, 1025..1030];
    let error = if streaming {
        let staged = stage_batch(&sink, &write, 2, &tasks);
        StreamWriter::commit(&*sink, &job(overwrite), 2, staged)
    } else {
        let staged = stage_write(&sink, &write, &tasks);
        BatchWriter::commit(&*sink, &write, staged)
    }
    .expect_err(&case);
    assert!(
        format!("{error:#}").contains(&format!("stopped the commit after step `{step}`")),
        "{case}: {error:#}"
    );
    let committed = index >= COMMIT_POINT;
    let expected = match (overwrite, committed) {
        (_, false) => old.clone(),
        (false, true) => sorted([old.clone(), new.clone()].concat()),
        (true, true) => new.clone(),
    };
    // Whatever readers see at this moment, every row of the state recovery will reach is still
    // in the directory (before the commit point: every earlier row, moved aside or not).
    let kept = kept_ids(&dir);
    let lost: Vec<&i64> = expected.iter().filter(|id| !kept.contains(id)).collect();
    assert!(lost.is_empty(), "{case}: rows lost: {lost:?}");
    let after = files(&dir, &[]);
    match recovery {
        Recovery::Abort => {
            if streaming {
                StreamWriter::abort(&after, &job(overwrite), 2, vec![]).unwrap();
            } else {
                BatchWriter::abort(&after, &write, vec![]).unwrap();
            }
            assert_eq!(
                read_ids(&dir),
                expected,
                "{case}: exactly the old or the new rows"
            );
        }
        Recovery::NextWrite if streaming => {
            // The query restarted: a new run writes micro-batch 2 again, the same rows.
            let rerun = job(overwrite);
            let sink = Arc::new(after);
            let staged = stage_batch(&sink, &rerun, 2, &tasks);
            StreamWriter::commit(&*sink, &job(overwrite), 2, staged).unwrap();
            let once = if overwrite {
                new.clone()
            } else {
                sorted([old.clone(), new.clone()].concat())
            };
            assert_eq!(read_ids(&dir), once, "{case}: micro-batch 2 exactly once");
        }
        Recovery::NextWrite => {
            let next = write_all(after, schema(), vec![vec![batch(5000..5003)]], false);
            if overwrite && !committed {
                // Undone: Spark's partition directory is back, so an append beside it is refused.
                let error = format!("{:#}", next.expect_err(&case));
                assert!(error.contains("cannot append"), "{case}: {error}");
                assert_eq!(read_ids(&dir), expected, "{case}: exactly the old rows");
            } else {
                next.unwrap();
                let with_next = sorted([expected.clone(), range(5000..5003)].concat());
                assert_eq!(
                    read_ids(&dir),
                    with_next,
                    "{case}: exactly the old or new rows"
                );
            }
        }
    }
    let left: Vec<String> = tree(&dir)
        .into_iter()
        .filter(|name| {
            name.starts_with("_staging") || name.ends_with(".journal") || name.contains(".retired")
        })
        .collect();
    assert!(left.is_empty(), "{case}: left behind: {left:?}");
    fs::remove_dir_all(&dir).unwrap();
}

// -- defect class: overwrite over what Spark wrote ----------------------------------------

/// A layout Spark (or a user) leaves in a directory: what to plant, the ids readers read in it.
type Layout = (&'static str, fn(&Path), std::ops::Range<i64>);

#[test]
fn overwrite_replaces_every_entry_spark_reads_and_keeps_hidden_ones() {
    let layouts: &[Layout] = &[
        (
            "files of Spark's parquet writer",
            |dir| {
                parquet_file(&dir.join("part-00000-abc.c000.snappy.parquet"), 0..5);
                fs::write(dir.join(".part-00000-abc.c000.snappy.parquet.crc"), "crc").unwrap();
                fs::write(dir.join("_SUCCESS"), "").unwrap();
                fs::write(dir.join("._SUCCESS.crc"), "crc").unwrap();
            },
            0..5,
        ),
        (
            "partitionBy(k)",
            |dir| {
                parquet_file(&dir.join("k=0/part-00000.parquet"), 0..3);
                parquet_file(&dir.join("k=1/part-00000.parquet"), 3..6);
                fs::write(dir.join("k=1/.part-00000.parquet.crc"), "crc").unwrap();
            },
            0..6,
        ),
        (
            "partitionBy(a, b)",
            |dir| {
                parquet_file(&dir.join("a=1/b=x/part-0.parquet"), 0..2);
                parquet_file(&dir.join("a=2/b=y/part-0.parquet"), 2..4);
            },
            0..4,
        ),
        (
            "a partition with a null value",
            |dir| {
                parquet_file(
                    &dir.join("k=__HIVE_DEFAULT_PARTITION__/part-0.parquet"),
                    0..2,
                );
            },
            0..2,
        ),
        (
            "Spark's streaming file sink log",
            |dir| {
                parquet_file(&dir.join("part-00000-stream.parquet"), 0..2);
                fs::create_dir_all(dir.join("_spark_metadata")).unwrap();
                fs::write(dir.join("_spark_metadata/0"), "v1\n{}").unwrap();
            },
            0..2,
        ),
    ];
    for (name, plant, ids) in layouts {
        let root = scratch("overwrite");
        let dir = root.join("target");
        fs::create_dir_all(&dir).unwrap();
        plant(&dir);
        // Hidden entries that are not data: kept.
        fs::create_dir_all(dir.join("_keep")).unwrap();
        fs::write(dir.join("_keep/note"), "mine").unwrap();
        fs::write(dir.join(".hidden"), "mine").unwrap();
        assert_eq!(read_ids(&dir), range(ids.clone()), "{name}: setup");
        write_all(
            files(&dir, &[]),
            schema(),
            vec![vec![batch(500..507)]],
            true,
        )
        .unwrap();
        assert_eq!(read_ids(&dir), range(500..507), "{name}: only the new rows");
        let left: Vec<String> = tree(&dir)
            .into_iter()
            .filter(|entry| {
                !entry.starts_with("part-")
                    && !entry.starts_with("_commits")
                    && !["_SUCCESS", "_keep/", "_keep/note", ".hidden"].contains(&entry.as_str())
            })
            .collect();
        assert!(left.is_empty(), "{name}: left behind: {left:?}");
        assert_eq!(fs::read_to_string(dir.join("_keep/note")).unwrap(), "mine");
        fs::remove_dir_all(&root).unwrap();
    }
}

#[cfg(unix)]
#[test]
fn overwrite_removes_a_link_in_the_target_not_what_it_leads_to() {
    let root = scratch("overwrite-link");
    let dir = root.join("target");
    let victim = Victim::new(&root);
    fs::create_dir_all(&dir).unwrap();
    symlink(&victim.dir, &dir.join("k=9"));
    symlink(&victim.file, &dir.join("part-linked.parquet"));
    assert_eq!(
        read_ids(&dir),
        sorted([range(900..903), range(900..903)].concat())
    );
    write_all(files(&dir, &[]), schema(), vec![vec![batch(1..3)]], true).unwrap();
    assert_eq!(read_ids(&dir), range(1..3));
    victim.assert_untouched("overwrite over links");
    fs::remove_dir_all(&root).unwrap();
}

#[test]
fn an_append_that_readers_would_not_read_is_refused() {
    // Its name, what it plants, the entry the error must name.
    type Case = (&'static str, fn(&Path), &'static str);
    let cases: &[Case] = &[
        (
            "beside partition directories",
            |dir| parquet_file(&dir.join("k=1/p.parquet"), 0..2),
            "k=1",
        ),
        (
            "under Spark's streaming sink log",
            |dir| {
                parquet_file(&dir.join("part-0.parquet"), 0..2);
                fs::create_dir_all(dir.join("_spark_metadata")).unwrap();
            },
            "_spark_metadata",
        ),
    ];
    for (name, plant, named) in cases {
        let dir = scratch("refused");
        plant(&dir);
        let before = tree(&dir);
        let error =
            write_all(files(&dir, &[]), schema(), vec![vec![batch(7..9)]], false).expect_err(name);
        let error = format!("{error:#}");
        assert!(
            error.contains("cannot append") && error.contains(named),
            "{name}: {error}"
        );
        let after: BTreeSet<String> = tree(&dir)
            .into_iter()
            .filter(|entry| !entry.starts_with("_commits"))
            .collect();
        assert_eq!(
            after, before,
            "{name}: nothing published, nothing left staged"
        );
        fs::remove_dir_all(&dir).unwrap();
    }
}

// -- defect class: what failed, panicking, late and killed tasks leave -------------------

/// Batches that fail (or panic) after their first batch, as a stream cut by a killed task.
fn failing_batches(panic: bool) -> Batches {
    let mut sent = false;
    Batches::from_record_batches(std::iter::from_fn(move || {
        if !sent {
            sent = true;
            return Some(Ok(batch(0..5)));
        }
        if panic {
            panic!("the stream broke");
        }
        Some(Err(format_err!("the stream broke")))
    }))
}

#[test]
fn a_task_that_fails_or_panics_mid_file_removes_it() {
    for (name, panic) in [("an error", false), ("a panic", true)] {
        let dir = scratch("task-fails");
        let sink = Arc::new(files(&dir, &[]));
        let write = job(false);
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            BatchWriter::write(sink.clone(), &write, &task(0, None), failing_batches(panic))
        }));
        match (panic, outcome) {
            (false, Ok(Err(error))) => assert!(format!("{error:#}").contains("the stream broke")),
            (true, Err(_)) => {}
            (_, other) => panic!("{name}: {other:?}"),
        }
        let files: Vec<String> = tree(&dir)
            .into_iter()
            .filter(|e| !e.ends_with('/'))
            .collect();
        assert!(files.is_empty(), "{name}: a failed task left {files:?}");
        fs::remove_dir_all(&dir).unwrap();
    }
}

#[test]
fn a_task_that_runs_after_its_write_ended_leaves_nothing() {
    // Spark calls abort while tasks it is still killing run on: one that stages after the
    // abort must not leave a file (nor a `_staging` directory) behind. Same after a commit.
    for (name, commit) in [("after abort", false), ("after commit", true)] {
        let dir = scratch("late");
        let sink = Arc::new(files(&dir, &[]));
        let write = job(false);
        let staged = stage_write(&sink, &write, &[0..3]);
        if commit {
            BatchWriter::commit(&*sink, &write, staged).unwrap();
        } else {
            BatchWriter::abort(&*sink, &write, vec![Some(staged[0].clone()), None]).unwrap();
        }
        let before = read_ids(&dir);
        // The late task of partition 1: its error goes nowhere, Spark has moved on.
        let late = BatchWriter::write(sink.clone(), &write, &task(1, None), batches(10..13));
        assert!(
            format!("{:#}", late.unwrap_err()).contains("ended"),
            "{name}"
        );
        assert!(!dir.join("_staging").exists(), "{name}: {:?}", tree(&dir));
        assert_eq!(read_ids(&dir), before, "{name}");
        fs::remove_dir_all(&dir).unwrap();
    }
}

#[test]
fn a_micro_batch_run_again_is_published_once_whatever_its_late_tasks_do() {
    // A micro-batch's tasks and its commit use different writers (Spark builds one afresh to
    // commit): the batch id is what they share.
    let dir = scratch("late-batch");
    let sink = Arc::new(files(&dir, &[]));
    let run = job(false);
    // Micro-batch 4 aborted: a task still running stages after the abort; the query fails and,
    // restarted (a new run), runs batch 4 again.
    let staged = stage_batch(&sink, &run, 4, &[0..3]);
    StreamWriter::abort(&*sink, &job(false), 4, vec![Some(staged[0].clone()), None]).unwrap();
    stage_batch(&sink, &run, 4, &[0..0, 10..13]);
    let rerun = job(false);
    let staged = stage_batch(&sink, &rerun, 4, &[0..3, 3..5]);
    StreamWriter::commit(&*sink, &job(false), 4, staged).unwrap();
    assert_eq!(
        read_ids(&dir),
        range(0..5),
        "the rerun's rows, not the late task's"
    );
    assert!(!dir.join("_staging").exists(), "{:?}", tree(&dir));
    // Once it is published, a task of it that runs late (or a run of it after a restart that
    // Spark had not recorded) stages nothing: the commit skips the batch.
    let late = stage_batch(&sink, &job(false), 4, &[0..3, 3..5]);
    assert!(late.iter().all(|staged| !staged.file), "{late:?}");
    assert!(!dir.join("_staging").exists(), "{:?}", tree(&dir));
    StreamWriter::commit(&*sink, &job(false), 4, late).unwrap();
    assert_eq!(read_ids(&dir), range(0..5), "published once");
    // The next micro-batch is not ended.
    let next = stage_batch(&sink, &rerun, 5, &[20..22]);
    StreamWriter::commit(&*sink, &job(false), 5, next).unwrap();
    assert_eq!(
        read_ids(&dir),
        sorted([range(0..5), range(20..22)].concat())
    );
    fs::remove_dir_all(&dir).unwrap();
}

/// Backdates `path` (and what it holds) by `age`, as if written that long ago.
fn backdate(path: &Path, age: Duration) {
    let when = std::time::SystemTime::now() - age;
    if path.is_dir() {
        for entry in fs::read_dir(path).unwrap() {
            backdate(&entry.unwrap().path(), age);
        }
    }
    File::open(path).unwrap().set_modified(when).unwrap();
}

#[test]
fn staging_abandoned_by_killed_writes_is_removed_by_a_later_commit() {
    // What a write killed (SIGKILL) before its commit or abort leaves in `_staging/`: removed
    // once untouched for longer than `stagingExpiry`, never while it may be a live write's.
    // Its name, the staging's age, the options of the later write, whether it is removed.
    type Case = (
        &'static str,
        Duration,
        &'static [(&'static str, &'static str)],
        bool,
    );
    let cases: &[Case] = &[
        (
            "two days old, default expiry",
            Duration::from_secs(2 * 86_400),
            &[],
            true,
        ),
        (
            "an hour old, default expiry",
            Duration::from_secs(3600),
            &[],
            false,
        ),
        (
            "a minute old, stagingExpiry 30s",
            Duration::from_secs(60),
            &[("stagingExpiry", "30s")],
            true,
        ),
        (
            "fresh, stagingExpiry 30s",
            Duration::ZERO,
            &[("stagingExpiry", "30s")],
            false,
        ),
    ];
    for (name, age, options, removed) in cases {
        for append in [true, false] {
            let case = format!("{name}, {}", if append { "append" } else { "overwrite" });
            let dir = scratch("abandoned");
            write_all(files(&dir, &[]), schema(), vec![vec![batch(0..3)]], false).unwrap();
            // A killed write's staging, and a killed micro-batch's.
            let killed = Arc::new(files(&dir, &[]));
            let dead = job(false);
            stage_write(&killed, &dead, &[50..60, 60..61]);
            stage_batch(&killed, &job(false), 9, &[70..72]);
            for entry in fs::read_dir(dir.join("_staging")).unwrap() {
                backdate(&entry.unwrap().path(), *age);
            }
            write_all(
                files(&dir, options),
                schema(),
                vec![vec![batch(3..5)]],
                !append,
            )
            .unwrap();
            let staging = dir.join("_staging");
            assert_eq!(!staging.exists(), *removed, "{case}: {:?}", tree(&dir));
            let expected = if append { range(0..5) } else { range(3..5) };
            assert_eq!(read_ids(&dir), expected, "{case}: published rows");
            fs::remove_dir_all(&dir).unwrap();
        }
    }
}
