//! `tail`: a Spark stream of the lines appended to the files of a directory (JSON Lines, logs),
//! like `tail -f` on every file at once.
//!
//! The offset is each file's byte position: where the last micro-batch stopped reading it. A
//! trigger lists the directory; what a file has past its position, up to its last line break,
//! is new (a last line still being written waits for its line break). New files are picked up
//! from their first byte. A micro-batch is split into tasks of at most `maxPartitionBytes`, each
//! reading whole lines, and every line carries its file and byte position: with a checkpoint,
//! each line reaches the sink exactly once, across crashes and restarts. Given a schema
//! (`spark.readStream.schema(...)`), each line is parsed as a JSON record of it instead, in
//! Rust.

#![deny(missing_docs)]

mod lines;
mod names;
mod scan;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use datasource_py::prelude::*;
use serde::{Deserialize, Serialize};

use datasource_py::datetime::SessionZone;
use datasource_py::format_err;
use datasource_py::json::ParseMode;
use lines::JsonRecords;
pub use lines::Line;
use scan::{Budget, Listing};

datasource_py::export!(pyspark_tail => Tail);

/// The lines appended to the files of a directory, as a stream: each line once, with its file
/// and byte position.
#[data_source(name = "tail")]
#[derive(Debug)]
pub struct Tail {
    /// The directory whose files are followed (not its subdirectories).
    #[option(required)]
    path: PathBuf,
    /// Only files whose names end with this are read; names starting with `.` or `_` never
    /// are.
    #[option(default = ".jsonl")]
    suffix: String,
    /// At most this many lines per micro-batch (Spark's `ReadMaxRows`); unset: all new lines.
    #[option(range = 1..)]
    max_rows_per_trigger: Option<u64>,
    /// At most this many bytes of a file per Spark task: longer stretches are split.
    #[option(default = 33_554_432, range = 1..)]
    max_partition_bytes: u64,
    /// Spark tasks a micro-batch is split into at least (as long as each gets 1 MiB).
    #[option(default = 2, range = 1..=10_000)]
    min_partitions: u64,
    /// What a line that does not fit the schema becomes, as in Spark's `json` reader (whose
    /// default is `PERMISSIVE`; a stream that turns lines into nulls unnoticed loses data, so
    /// this one fails unless told).
    #[option(default = "failfast")]
    mode: Mode,
    /// The column of the user's schema that gets a malformed line's text (`mode` PERMISSIVE).
    #[option(default = "_corrupt_record")]
    column_name_of_corrupt_record: String,
    /// Where this query committed each file, as it runs: no later offset may go back before it.
    #[option(skip)]
    committed: Mutex<Positions>,
}

/// What a line that does not fit the schema becomes (Spark's `mode` of its JSON reader).
#[derive(OptionValue, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The query fails, naming the file, the line and the column.
    #[option(name = "FAILFAST")]
    FailFast,
    /// The line's values that fit are kept, the others null, and its text goes into
    /// `columnNameOfCorruptRecord` where the schema has that column.
    #[option(name = "PERMISSIVE")]
    Permissive,
    /// The line is skipped.
    #[option(name = "DROPMALFORMED")]
    DropMalformed,
}

/// The least a task reads when a micro-batch is split for `minPartitions`.
const MIN_TASK_BYTES: u64 = 1 << 20;

/// Where the stream is: each file's byte position, up to which its lines were read.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, Eq)]
pub struct Positions {
    /// Each file's key (its name, see `names.rs`) and the byte up to which its lines were read.
    pub files: BTreeMap<String, u64>,
}

impl Positions {
    fn of(&self, file: &str) -> u64 {
        self.files.get(file).copied().unwrap_or(0)
    }

    /// Checks an offset from Spark's checkpoint: each name one file of `dir`.
    fn check(&self, dir: &std::path::Path) -> Result<()> {
        for file in self.files.keys() {
            names::path_of(dir, file)?;
        }
        Ok(())
    }

    /// The first file `self` has before where `earlier` has it: (file, here, there).
    fn behind<'a>(&'a self, earlier: &'a Positions) -> Option<(&'a str, u64, u64)> {
        earlier
            .files
            .iter()
            .find(|(file, at)| self.of(file) < **at)
            .map(|(file, at)| (file.as_str(), self.of(file), *at))
    }
}

/// The bytes `start..end` of one file: its lines (a line belongs to the stretch it starts in).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Stretch {
    /// The file's key, an entry of the directory (see `names.rs`).
    pub file: String,
    /// The stretch's first byte (a line that started before it belongs to the stretch before).
    pub start: u64,
    /// The byte past the stretch; a line that starts before it is read to its end.
    pub end: u64,
}

impl Tail {
    fn listing(&self) -> Result<Listing> {
        Listing::of(&self.path, &self.suffix)
    }

    /// Checks a micro-batch's offsets, which come from Spark's checkpoint: names of this
    /// directory's files only, an end never before its start, and a start never before what
    /// this query already committed.
    fn check_offsets(&self, start: &Positions, end: Option<&Positions>) -> Result<()> {
        start.check(&self.path)?;
        let committed = self
            .committed
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((file, at, done)) = start.behind(&committed) {
            bail!(
                "the checkpoint's offset puts `{}` at byte {at}, before byte {done} where this \
                 query already committed it: its lines would be read twice (was the \
                 checkpoint edited?)",
                names::shown(file)
            );
        }
        if let Some(end) = end {
            end.check(&self.path)?;
            if let Some((file, at, from)) = end.behind(start) {
                bail!(
                    "the checkpoint's micro-batch ends `{}` at byte {at}, before its start at \
                     byte {from} (was the checkpoint edited?)",
                    names::shown(file)
                );
            }
        }
        Ok(())
    }
}

impl SourceSchema for Tail {
    fn schema(&self) -> Result<SchemaRef> {
        Ok(Line::schema())
    }

    /// With a schema of the user's, each line is a JSON record of it, parsed in Rust as Spark's
    /// `json` reader parses it (a schema JSON cannot fill is refused here, at `load()`).
    fn user_schema(&self, user: &SchemaRef) -> Result<UserSchema> {
        let mode = match self.mode {
            Mode::Permissive => ParseMode::Permissive {
                corrupt_column: self.column_name_of_corrupt_record.clone(),
            },
            _ => ParseMode::FailFast,
        };
        datasource_py::json::JsonDecoder::new(user.clone())?.with_mode(mode)?;
        Ok(UserSchema::Exact)
    }
}

impl StreamReader for Tail {
    type Offset = Positions;
    /// Stretches of files, packed up to `maxPartitionBytes`.
    type Partition = Vec<Stretch>;

    fn initial_offset(&self) -> Result<Positions> {
        Ok(Positions::default())
    }

    fn latest_offset(
        &self,
        start: &Positions,
        limit: ReadLimit,
        until: Option<&Positions>,
    ) -> Result<Positions> {
        self.check_offsets(start, until)?;
        let listing = self.listing()?;
        let mut end = start.clone();
        if let ReadLimit::MinRows(rows) = limit {
            let all = self.latest_offset(start, ReadLimit::AllAvailable, until)?;
            let available = listing.count_lines(start, &all)?;
            return Ok(if available >= rows { all } else { end });
        }
        let mut budget = Budget::new(limit);
        for (file, size) in listing.files() {
            if budget.exhausted() {
                break;
            }
            let from = start.of(file);
            let mut to = listing.complete_end(file, from, size)?;
            if let Some(until) = until {
                to = to.min(until.of(file)).max(from);
            }
            if to > from {
                to = budget.take(&listing, file, from, to)?;
                end.files.insert(file.to_owned(), to);
            }
        }
        Ok(end)
    }

    /// Where the complete lines of every file end now: Spark shows it beside the query's own
    /// offset in its progress.
    fn report_latest_offset(&self) -> Result<Option<Positions>> {
        let listing = self.listing()?;
        let mut latest = Positions::default();
        for (file, size) in listing.files() {
            let end = listing.complete_end(file, 0, size)?;
            if end > 0 {
                latest.files.insert(file.to_owned(), end);
            }
        }
        Ok(Some(latest))
    }

    fn default_read_limit(&self) -> ReadLimit {
        self.max_rows_per_trigger
            .map_or(ReadLimit::AllAvailable, ReadLimit::MaxRows)
    }

    fn partitions(
        &self,
        _scan: &Scan,
        start: &Positions,
        end: &Positions,
    ) -> Result<Vec<Vec<Stretch>>> {
        self.check_offsets(start, Some(end))?;
        let total: u64 = end
            .files
            .iter()
            .map(|(file, &to)| to - start.of(file))
            .sum();
        let task_bytes = total
            .div_ceil(self.min_partitions)
            .max(MIN_TASK_BYTES)
            .min(self.max_partition_bytes);
        let stretches = end
            .files
            .iter()
            .flat_map(|(file, &to)| split(file, start.of(file), to, task_bytes));
        Ok(pack(stretches, task_bytes))
    }

    fn commit(&self, end: &Positions) -> Result<()> {
        end.check(&self.path)?;
        let mut committed = self
            .committed
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        for (file, &at) in &end.files {
            let entry = committed.files.entry(file.clone()).or_default();
            *entry = (*entry).max(at);
        }
        Ok(())
    }

    fn read(self: Arc<Self>, scan: &Scan, task: &Task, stretches: Vec<Stretch>) -> Result<Batches> {
        let dir = self.path.clone();
        let json = match scan.user_schema() {
            Some(schema) => Some(JsonRecords {
                schema: schema.clone(),
                mode: match self.mode {
                    Mode::FailFast => ParseMode::FailFast,
                    Mode::DropMalformed => ParseMode::DropMalformed,
                    Mode::Permissive => ParseMode::Permissive {
                        corrupt_column: self.column_name_of_corrupt_record.clone(),
                    },
                },
                zone: SessionZone::of_session(task.session_time_zone.as_deref())
                    .map_err(|e| format_err!("{e}"))?,
            }),
            None => None,
        };
        // Read and parsed on a thread of their own, a batch ahead: while Spark takes one batch
        // (the Python worker writes it to the JVM, which reads it), the next is made.
        Ok(Batches::from_producer(move |out| {
            for stretch in stretches {
                for batch in lines::LineBatches::open(&dir, stretch, json.as_ref())? {
                    out.send(batch?)?;
                }
            }
            Ok(())
        }))
    }
}

/// `from..to` of `file` in stretches of at most `max` bytes.
fn split(file: &str, from: u64, to: u64, max: u64) -> impl Iterator<Item = Stretch> + '_ {
    (from..to).step_by(max as usize).map(move |start| Stretch {
        file: file.to_owned(),
        start,
        end: start.saturating_add(max).min(to),
    })
}

/// Stretches packed in order into partitions of at most `max` bytes (small files share one).
fn pack(stretches: impl Iterator<Item = Stretch>, max: u64) -> Vec<Vec<Stretch>> {
    let mut partitions: Vec<Vec<Stretch>> = Vec::new();
    let mut bytes = u64::MAX;
    for stretch in stretches {
        let length = stretch.end - stretch.start;
        if bytes.saturating_add(length) > max {
            partitions.push(Vec::new());
            bytes = 0;
        }
        bytes += length;
        partitions.last_mut().expect("one was pushed").push(stretch);
    }
    partitions
}

#[cfg(test)]
mod tests;
