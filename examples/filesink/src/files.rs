//! The `files` sink: one file per task, staged, then published by the driver.

use std::fs::{self, File};
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datasource_py::arrow_array::RecordBatch;
use datasource_py::format_err;
use datasource_py::prelude::*;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use serde::{Deserialize, Serialize};

use crate::layout::{Layout, remove_dir, remove_empty_staging};

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
    /// Fail the task of this partition once it has staged its file (to test aborts).
    fail_on_task: Option<u32>,
    /// Panic in the task of this partition (to test that panics become Python errors).
    panic_on_task: Option<u32>,
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

/// What a task staged: its file (none for a task without rows) and its rows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Staged {
    pub partition: u32,
    pub file: Option<PathBuf>,
    pub rows: u64,
}

/// What `_SUCCESS` and `_batches/<id>` record.
#[derive(Debug, Serialize)]
struct Manifest<'a> {
    files: Vec<&'a Path>,
    rows: u64,
}

impl Files {
    fn layout(&self) -> Layout {
        Layout::new(&self.path)
    }

    /// Writes `batches` into one file of `staging`; none when there are no rows.
    fn stage(&self, staging: &Path, task: &Task, batches: Batches) -> Result<Staged> {
        if self.panic_on_task == Some(task.partition_id) {
            panic!("asked to panic in task {}", task.partition_id);
        }
        fs::create_dir_all(staging)
            .with_context(|| format!("cannot create {}", staging.display()))?;
        let file = staging.join(format!(
            "part-{:05}-{}.{}",
            task.partition_id,
            task.attempt_number,
            self.format.extension()
        ));
        let mut batches = batches.peekable();
        if batches.peek().is_none() {
            return Ok(Staged {
                partition: task.partition_id,
                file: None,
                rows: 0,
            });
        }
        let rows = self
            .write_file(&file, batches)
            .with_context(|| format!("cannot write {}", file.display()))?;
        if self.fail_on_task == Some(task.partition_id) {
            bail!(
                "asked to fail task {} (its file is staged)",
                task.partition_id
            );
        }
        Ok(Staged {
            partition: task.partition_id,
            file: Some(file),
            rows,
        })
    }

    fn write_file(
        &self,
        path: &Path,
        batches: impl Iterator<Item = Result<RecordBatch>>,
    ) -> Result<u64> {
        let file = BufWriter::new(File::create(path)?);
        let mut rows = 0;
        match self.format {
            FileFormat::Parquet => {
                let mut batches = batches.peekable();
                let schema = match batches.peek() {
                    Some(Ok(batch)) => batch.schema(),
                    _ => {
                        return Err(batches.next().map_or_else(
                            || format_err!("no batch to write"),
                            |b| b.err().unwrap_or_else(|| format_err!("no batch to write")),
                        ));
                    }
                };
                let properties = WriterProperties::builder()
                    .set_compression(Compression::SNAPPY)
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
                let mut writer = arrow_json::LineDelimitedWriter::new(file);
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

    /// Renames each staged file to its published name; a file already renamed (a commit run
    /// again) is skipped.
    fn publish(&self, staged: &[Staged], name: impl Fn(u32) -> PathBuf) -> Result<Vec<PathBuf>> {
        let mut published = Vec::new();
        for staged in staged {
            let Some(file) = &staged.file else { continue };
            let target = name(staged.partition);
            if file.exists() {
                fs::rename(file, &target).with_context(|| {
                    format!("cannot move {} to {}", file.display(), target.display())
                })?;
            }
            published.push(target);
        }
        Ok(published)
    }

    fn remove_published(&self, files: Vec<PathBuf>) -> Result<()> {
        for file in files {
            fs::remove_file(&file).with_context(|| format!("cannot remove {}", file.display()))?;
        }
        Ok(())
    }

    fn write_manifest(&self, path: &Path, files: &[PathBuf], staged: &[Staged]) -> Result<()> {
        let manifest = Manifest {
            files: files.iter().map(PathBuf::as_path).collect(),
            rows: staged.iter().map(|s| s.rows).sum(),
        };
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        // Written beside, then renamed: a manifest is whole or absent.
        let partial = path.with_extension("partial");
        fs::write(&partial, serde_json::to_vec_pretty(&manifest)?)?;
        fs::rename(&partial, path)?;
        Ok(())
    }
}

impl BatchWriter for Files {
    type Commit = Staged;

    fn write(self: Arc<Self>, job: &WriteJob, task: &Task, batches: Batches) -> Result<Staged> {
        self.stage(&self.layout().write_staging(job.id()), task, batches)
    }

    fn commit(&self, job: &WriteJob, staged: Vec<Staged>) -> Result<()> {
        let layout = self.layout();
        fs::create_dir_all(layout.target())
            .with_context(|| format!("cannot create {}", layout.target().display()))?;
        if job.overwrite() {
            self.remove_published(layout.published()?)?;
        }
        let extension = self.format.extension();
        let files = self.publish(&staged, |partition| {
            layout.write_file(job.id(), partition, extension)
        })?;
        self.write_manifest(&layout.success(), &files, &staged)?;
        remove_dir(&layout.write_staging(job.id()))?;
        remove_empty_staging(&layout);
        Ok(())
    }

    fn abort(&self, job: &WriteJob, _: Vec<Option<Staged>>) -> Result<()> {
        let layout = self.layout();
        remove_dir(&layout.write_staging(job.id()))?;
        remove_empty_staging(&layout);
        Ok(())
    }
}

impl StreamWriter for Files {
    type Commit = Staged;

    fn write(self: Arc<Self>, _: &WriteJob, task: &Task, batches: Batches) -> Result<Staged> {
        let batch = task
            .batch_id
            .ok_or_else(|| format_err!("a streaming write task without a micro-batch id"))?;
        self.stage(&self.layout().batch_staging(batch), task, batches)
    }

    /// Publishes micro-batch `batch_id` once: a batch whose manifest exists was published
    /// before (this is a commit run again after a restart) and is left as it is.
    fn commit(&self, job: &WriteJob, batch_id: u64, staged: Vec<Staged>) -> Result<()> {
        let layout = self.layout();
        let manifest = layout.batch_manifest(batch_id);
        if !manifest.exists() {
            fs::create_dir_all(layout.target())?;
            if job.overwrite() {
                self.remove_published(layout.published()?)?;
            }
            // Files of an earlier commit of this batch that stopped before its manifest.
            self.remove_published(layout.published_of_batch(batch_id)?)?;
            let extension = self.format.extension();
            let files = self.publish(&staged, |partition| {
                layout.batch_file(batch_id, partition, extension)
            })?;
            self.write_manifest(&manifest, &files, &staged)?;
        }
        remove_dir(&layout.batch_staging(batch_id))?;
        remove_empty_staging(&layout);
        Ok(())
    }

    fn abort(&self, _: &WriteJob, batch_id: u64, _: Vec<Option<Staged>>) -> Result<()> {
        let layout = self.layout();
        remove_dir(&layout.batch_staging(batch_id))?;
        remove_empty_staging(&layout);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datasource_py::arrow_array::{Int64Array, StringArray};
    use datasource_py::arrow_schema::{DataType, Field, Schema};
    use datasource_py::{RawOptions, write_all};

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
    fn a_micro_batch_committed_again_is_published_once() {
        let dir = scratch("stream");
        let sink = Arc::new(files(&dir, &[]));
        let job = WriteJob::new("stream", batch(0..1).schema(), false);
        let stage = |sink: &Arc<Files>, partition: u32, ids| {
            let task = Task {
                partition_id: partition,
                batch_id: Some(7),
                ..Task::default()
            };
            let batches = Batches::from_record_batches(vec![Ok(batch(ids))]);
            StreamWriter::write(sink.clone(), &job, &task, batches).unwrap()
        };
        let staged = vec![stage(&sink, 0, 0..5), stage(&sink, 1, 5..8)];
        StreamWriter::commit(&*sink, &job, 7, staged).unwrap();
        // After a restart, Spark runs batch 7 again and commits it again.
        let again = vec![stage(&sink, 0, 0..5), stage(&sink, 1, 5..8)];
        StreamWriter::commit(&*sink, &job, 7, again).unwrap();
        assert_eq!(rows_in(&dir), 8);
        assert!(dir.join("_batches").join("batch-0000000007").exists());
        fs::remove_dir_all(&dir).unwrap();
    }
}
