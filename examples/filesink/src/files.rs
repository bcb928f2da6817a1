//! The `files` sink: one file per task, staged, then published by the driver.

use std::fs::{self, File};
use std::io::BufWriter;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use datasource_py::arrow_array::RecordBatch;
use datasource_py::prelude::*;
use datasource_py::{format_err, json};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use serde::{Deserialize, Serialize};

use crate::commit::{self, CommitStep, Settings};
use crate::layout::{Layout, Unit, create_new};

/// The most a column's dictionary may hold in a row group before the column is written plain.
/// A column with more distinct values than fit is not categorical, and hashing each value into a
/// dictionary that is then given up was most of the encoding time: on the bench's wide rows,
/// 490 ns a row with parquet's default (1 MiB) against 280 ns at 64 KiB, for files 4% larger.
const DICTIONARY_PAGE_BYTES: usize = 64 * 1024;

/// Parquet or JSON Lines files in a directory: each write (or micro-batch) published all at
/// once at commit, or not at all.
#[data_source(name = "files")]
#[derive(Debug)]
pub struct Files {
    /// The directory written to (`df.write.save(path)`).
    path: PathBuf,
    /// The files' format.
    #[option(default = "parquet")]
    format: FileFormat,
    /// How long a staging directory may sit untouched before a later commit removes it as
    /// abandoned (what a write killed before its commit or abort left in `_staging/`).
    #[option(default = Duration::from_secs(24 * 3600))]
    staging_expiry: Duration,
    /// How long a commit waits for another commit into the same directory to finish.
    #[option(default = Duration::from_secs(600))]
    lock_timeout: Duration,
    /// Fail the task of this partition once it has staged its file (to test aborts).
    fail_on_task: Option<u32>,
    /// Panic in the task of this partition (to test that panics become Python errors).
    panic_on_task: Option<u32>,
    /// Stop the commit after this step and fail it, leaving the directory as a crash there
    /// would (to test recovery).
    stop_commit_after: Option<CommitStep>,
}

/// A file format of the sink.
#[derive(OptionValue, Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// Apache Parquet, Snappy-compressed (`spark.read.parquet`).
    Parquet,
    /// One JSON object per line (`spark.read.json`).
    #[option(name = "jsonl")]
    JsonLines,
}

impl FileFormat {
    fn extension(self) -> &'static str {
        match self {
            FileFormat::Parquet => "parquet",
            FileFormat::JsonLines => "jsonl",
        }
    }
}

/// What the driver found of the target before the tasks: whether the directory was made for
/// this write (logged at commit and abort).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// Whether the target directory was made for this write.
    pub created: bool,
}

/// What a task tells the driver: which task it was and what it staged. No path: the driver
/// names the staged file itself, in the write's own staging directory, from these numbers, and
/// checks that it is there. A message with any other field is refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Staged {
    /// The task's Spark partition: it numbers the staged and the published file.
    pub partition: u32,
    /// The task's attempt: tells the staged files of two attempts of one partition apart.
    pub attempt: u32,
    /// Whether the task staged a file (not when it had no rows).
    pub file: bool,
    /// The rows the task wrote into its file.
    pub rows: u64,
}

impl Staged {
    /// The message as it travelled, for errors.
    pub(crate) fn describe(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| format!("{self:?}"))
    }
}

/// A staged file being written: removed when dropped (the task failed or panicked) unless kept.
struct StagedFile {
    path: PathBuf,
    kept: bool,
}

impl Drop for StagedFile {
    fn drop(&mut self) {
        if !self.kept {
            let _ = fs::remove_file(&self.path);
        }
    }
}

impl Files {
    fn layout(&self) -> Layout {
        Layout::new(&self.path)
    }

    /// Makes the target directory where there is none, once, on the driver, before any task: a
    /// path that cannot be one fails the write here, at `save()`, and tasks never race to make
    /// it.
    fn prepare_target(&self) -> Result<Target> {
        let target = self.layout();
        let target = target.target();
        if target.is_dir() {
            return Ok(Target::default());
        }
        fs::create_dir_all(target)
            .with_context(|| format!("cannot create {}", target.display()))?;
        Ok(Target { created: true })
    }

    fn settings(&self) -> Settings {
        Settings {
            extension: self.format.extension(),
            stop_after: self.stop_commit_after,
            staging_expiry: self.staging_expiry,
            lock_timeout: self.lock_timeout,
        }
    }

    /// Writes `batches` into one file of `unit`'s staging directory; none when there are no
    /// rows. A task that fails or panics removes its file; one that runs after its write ended
    /// (a task Spark had not stopped yet when it aborted) leaves nothing, and one of a
    /// micro-batch already published stages nothing.
    fn stage(&self, unit: &Unit, task: &Task, batches: Batches) -> Result<Staged> {
        if self.panic_on_task == Some(task.partition_id) {
            panic!("asked to panic in task {}", task.partition_id);
        }
        unit.check()?;
        let layout = self.layout();
        let mut staged = Staged {
            partition: task.partition_id,
            attempt: task.attempt_number,
            file: false,
            rows: 0,
        };
        // A task of a write that has ended: one Spark was still stopping when it aborted or
        // committed (an error nobody waits for), or of a micro-batch already published, run
        // again after a restart (it stages nothing, and the commit skips the batch).
        let late = || -> Result<Staged> {
            match unit {
                Unit::Batch { .. } => Ok(staged.clone()),
                Unit::Write { .. } => Err(format_err!(
                    "write `{}` ended (committed or aborted) before task {} staged its file: \
                     it stages nothing",
                    unit.key(),
                    task.partition_id
                )),
            }
        };
        if commit::ended(&layout, unit) {
            return late();
        }
        let schema = batches.schema().cloned();
        let mut batches = batches.peekable();
        if batches.peek().is_none() {
            return Ok(staged);
        }
        let dir = layout.make_staging(unit)?;
        let path = layout.staged_file(
            unit,
            task.partition_id,
            task.attempt_number,
            self.format.extension(),
        );
        let file = create_new(&path)?;
        let mut guard = StagedFile {
            path: path.clone(),
            kept: false,
        };
        // Checked once the file exists: a commit or abort marks its unit ended before it
        // removes the staging, so either it removes this file or this task sees the mark.
        if commit::ended(&layout, unit) {
            drop(file);
            drop(guard);
            let _ = fs::remove_dir(&dir);
            layout.remove_empty_staging();
            return late();
        }
        staged.rows = self
            .write_file(file, schema, batches)
            .with_context(|| format!("cannot write {}", path.display()))?;
        staged.file = true;
        guard.kept = true;
        if self.fail_on_task == Some(task.partition_id) {
            bail!(
                "asked to fail task {} (its file is staged)",
                task.partition_id
            );
        }
        Ok(staged)
    }

    /// Encodes `batches` into `file` in the sink's format; returns the rows written. The only
    /// place a file's content is made.
    /// `schema`: the batches' (known where Spark sends them), else the first batch's.
    fn write_file(
        &self,
        file: File,
        schema: Option<SchemaRef>,
        batches: impl Iterator<Item = Result<RecordBatch>>,
    ) -> Result<u64> {
        let file = BufWriter::new(file);
        let mut rows = 0;
        let mut batches = batches.peekable();
        match self.format {
            FileFormat::Parquet => {
                let schema = match (schema, batches.peek()) {
                    (Some(schema), _) => schema,
                    (None, Some(Ok(batch))) => batch.schema(),
                    (None, _) => {
                        return Err(batches
                            .next()
                            .and_then(Result::err)
                            .unwrap_or_else(|| format_err!("no batch to write")));
                    }
                };
                let properties = WriterProperties::builder()
                    .set_compression(Compression::SNAPPY)
                    .set_dictionary_page_size_limit(DICTIONARY_PAGE_BYTES)
                    .build();
                let mut writer = ArrowWriter::try_new(file, schema, Some(properties))?;
                for batch in batches {
                    let batch = batch?;
                    rows += batch.num_rows() as u64;
                    writer.write(&batch)?;
                }
                writer.close()?;
            }
            FileFormat::JsonLines => {
                let mut writer = json::JsonLinesWriter::new(file);
                for batch in batches {
                    let batch = batch?;
                    rows += batch.num_rows() as u64;
                    writer.write(&batch)?;
                }
                writer.finish()?;
            }
        }
        Ok(rows)
    }
}

impl BatchWriter for Files {
    type Plan = Target;
    type Commit = Staged;

    fn plan(&self, _: &WriteJob) -> Result<Target> {
        self.prepare_target()
    }

    fn write(
        self: Arc<Self>,
        job: &WriteJob<Target>,
        task: &Task,
        batches: Batches,
    ) -> Result<Staged> {
        self.stage(&write_unit(job), task, batches)
    }

    fn commit(&self, job: &WriteJob<Target>, staged: Vec<Staged>) -> Result<()> {
        commit::commit(
            &self.layout(),
            &self.settings(),
            &write_unit(job),
            job.overwrite(),
            staged,
        )
    }

    /// Undoes the write. A directory made for it stays, with the write's end mark in it: a
    /// task Spark has not stopped yet must find that mark.
    fn abort(&self, job: &WriteJob<Target>, _: Vec<Option<Staged>>) -> Result<()> {
        commit::abort(&self.layout(), &self.settings(), &write_unit(job))?;
        if job.plan().created {
            log::info!(
                "files: {} was made for a write that was aborted",
                self.path.display()
            );
        }
        Ok(())
    }
}

fn write_unit<P>(job: &WriteJob<P>) -> Unit {
    Unit::Write {
        write: job.id().to_owned(),
    }
}

fn batch_unit<P>(job: &WriteJob<P>, batch: u64) -> Unit {
    Unit::Batch {
        write: job.id().to_owned(),
        batch,
    }
}

impl StreamWriter for Files {
    type Plan = Target;
    type Commit = Staged;

    fn plan(&self, _: &WriteJob) -> Result<Target> {
        self.prepare_target()
    }

    fn write(
        self: Arc<Self>,
        job: &WriteJob<Target>,
        task: &Task,
        batches: Batches,
    ) -> Result<Staged> {
        let batch = task
            .batch_id
            .ok_or_else(|| format_err!("a streaming write task without a micro-batch id"))?;
        self.stage(&batch_unit(job, batch), task, batches)
    }

    /// Publishes micro-batch `batch_id` once: a batch whose manifest exists was published
    /// before (this is a commit run again after a restart) and is left as it is.
    fn commit(&self, job: &WriteJob<Target>, batch_id: u64, staged: Vec<Staged>) -> Result<()> {
        commit::commit(
            &self.layout(),
            &self.settings(),
            &batch_unit(job, batch_id),
            job.overwrite(),
            staged,
        )
    }

    fn abort(&self, job: &WriteJob<Target>, batch_id: u64, _: Vec<Option<Staged>>) -> Result<()> {
        commit::abort(&self.layout(), &self.settings(), &batch_unit(job, batch_id))
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use datasource_py::RawOptions;
    use datasource_py::arrow_array::{Int64Array, StringArray};
    use datasource_py::arrow_schema::{DataType, Field, Schema};
    use datasource_py::testing::{StreamWriteRun, write_all};

    use super::*;

    fn files(dir: &Path, extra: &[(&str, &str)]) -> Files {
        let mut raw: RawOptions = [("path", dir.to_str().unwrap())].into_iter().collect();
        for (key, value) in extra {
            raw.insert(key, *value);
        }
        Files::from_options(&raw).unwrap()
    }

    fn batch(ids: std::ops::Range<i64>) -> RecordBatch {
        let schema = Schema::new(vec![
            Field::new("id", DataType::Int64, false),
            Field::new("label", DataType::Utf8, true),
        ]);
        let labels: Vec<String> = ids.clone().map(|i| format!("n{i}")).collect();
        RecordBatch::try_new(
            Arc::new(schema),
            vec![
                Arc::new(Int64Array::from_iter_values(ids)),
                Arc::new(StringArray::from(labels)),
            ],
        )
        .unwrap()
    }

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("filesink-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    fn rows_in(dir: &Path) -> u64 {
        Layout::new(dir)
            .published()
            .unwrap()
            .iter()
            .map(|file| {
                let reader =
                    parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(
                        File::open(file).unwrap(),
                    )
                    .unwrap()
                    .build()
                    .unwrap();
                reader.map(|b| b.unwrap().num_rows() as u64).sum::<u64>()
            })
            .sum()
    }

    #[test]
    fn a_write_is_published_at_commit_and_overwrite_replaces_it() {
        let dir = scratch("commit");
        let schema = batch(0..1).schema();
        let tasks = vec![vec![batch(0..10)], vec![batch(10..25)], vec![]];
        write_all(files(&dir, &[]), schema.clone(), tasks.clone(), false).unwrap();
        write_all(files(&dir, &[]), schema.clone(), tasks, false).unwrap();
        assert_eq!(rows_in(&dir), 50, "appended twice");
        assert!(dir.join("_SUCCESS").exists());
        assert!(!dir.join("_staging").exists(), "nothing left staged");
        write_all(files(&dir, &[]), schema, vec![vec![batch(0..3)]], true).unwrap();
        assert_eq!(rows_in(&dir), 3, "overwritten");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_aborted_write_leaves_the_target_as_it_was() {
        let dir = scratch("abort");
        let schema = batch(0..1).schema();
        write_all(
            files(&dir, &[]),
            schema.clone(),
            vec![vec![batch(0..4)]],
            false,
        )
        .unwrap();
        let before = Layout::new(&dir).published().unwrap();
        let error = write_all(
            files(&dir, &[("failOnTask", "1")]),
            schema,
            vec![vec![batch(0..5)], vec![batch(5..9)]],
            true,
        )
        .unwrap_err();
        assert!(
            error.to_string().contains("asked to fail task 1"),
            "{error}"
        );
        assert_eq!(Layout::new(&dir).published().unwrap(), before);
        assert!(!dir.join("_staging").exists(), "staged files removed");
        assert_eq!(rows_in(&dir), 4);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_plan_makes_the_directory_before_any_task_or_fails_the_write() {
        let dir = scratch("planned");
        let schema = batch(0..1).schema();
        let outcome = write_all(files(&dir, &[]), schema.clone(), vec![vec![]], false).unwrap();
        assert!(outcome.write.plan().created && dir.is_dir());
        let again = write_all(files(&dir, &[]), schema.clone(), vec![vec![]], false).unwrap();
        assert!(!again.write.plan().created, "it was there");
        // A path under a file cannot be a directory: the plan says so, and no task runs (the
        // task would panic).
        let under_a_file = dir.join("_SUCCESS").join("out");
        let error = write_all(
            files(&under_a_file, &[("panicOnTask", "0")]),
            schema,
            vec![vec![batch(0..5)]],
            false,
        )
        .unwrap_err();
        assert!(format!("{error:#}").contains("cannot create"), "{error:#}");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_micro_batch_committed_again_is_published_once() {
        let dir = scratch("stream");
        let options: RawOptions = [("path", dir.to_str().unwrap())].into_iter().collect();
        let mut run =
            StreamWriteRun::<Files>::start(&options, batch(0..1).schema(), false).unwrap();
        let tasks = || vec![vec![batch(0..5)], vec![batch(5..8)]];
        run.write_batch_again(7, tasks()).unwrap();
        // After a restart (a new run, with a writer of its own), Spark runs batch 7 again and
        // commits it again.
        run.restart().unwrap();
        run.write_batch_again(7, tasks()).unwrap();
        assert!(
            !dir.join("_staging").exists(),
            "the second run's staging is removed"
        );
        assert_eq!(rows_in(&dir), 8);
        assert!(dir.join("_batches").join("batch-0000000007").exists());
        fs::remove_dir_all(&dir).unwrap();
    }
}
