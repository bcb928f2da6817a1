//! What an executor does: read the lines of a stretch of a file into Arrow batches, as they are
//! or parsed as JSON records the way Spark's `json` reader parses them.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datasource_py::arrow_array::builder::{ArrayBuilder, Int64Builder, StringBuilder};
use datasource_py::arrow_array::{RecordBatch, StringArray};
use datasource_py::datetime::SessionZone;
use datasource_py::json::{JsonDecoder, ParseMode};
use datasource_py::prelude::*;
use datasource_py::{Context, format_err};

use crate::{Stretch, names};

/// Lines per batch at most.
const BATCH_ROWS: usize = 1 << 20;
/// Bytes of lines per batch at most (the last line may go past it): the SDK's default size,
/// where Spark's per-batch costs are spread thin.
const BATCH_BYTES: usize = datasource_py::batch_size::DEFAULT_BATCH_BYTES;

/// One line of a followed file.
#[derive(Row, Debug, Clone, PartialEq)]
pub struct Line {
    /// The line, without its line break (`\n` or `\r\n`).
    pub value: String,
    /// The file, relative to the directory.
    pub file: String,
    /// Where the line starts in its file, in bytes.
    pub position: i64,
}

/// How lines are parsed as JSON records: into the user's schema, with Spark's rules, under a
/// mode, reading zone-less timestamps in the session's zone.
#[derive(Debug, Clone)]
pub(crate) struct JsonRecords {
    pub schema: SchemaRef,
    pub mode: ParseMode,
    pub zone: SessionZone,
}

/// The lines of one stretch, in batches: as they are, or parsed as JSON records.
pub(crate) struct LineBatches {
    path: PathBuf,
    file: String,
    /// The decoder of a user's schema; `None`: lines as they are.
    json: Option<JsonDecoder>,
    reader: BufReader<File>,
    /// Where the next line starts.
    at: u64,
    /// Lines starting before this belong to the stretch.
    end: u64,
    line: Vec<u8>,
    failed: bool,
}

impl LineBatches {
    /// Opens `stretch` of a file of `dir`: it starts at the first line that starts in it (a
    /// line that started before belongs to the stretch before). With `json`, each line is
    /// parsed as a JSON record.
    pub(crate) fn open(dir: &Path, stretch: Stretch, json: Option<&JsonRecords>) -> Result<Self> {
        let path = names::path_of(dir, &stretch.file)?;
        let mut file = names::open_inside(dir, &path)?;
        let mut at = stretch.start;
        if at > 0 {
            // The byte before the stretch: a line break means a line starts right here.
            file.seek(SeekFrom::Start(at - 1))?;
        }
        let mut reader = BufReader::with_capacity(1 << 20, file);
        if at > 0 {
            let mut skipped = Vec::new();
            at = at - 1 + reader.read_until(b'\n', &mut skipped)? as u64;
        }
        let json = match json {
            Some(records) => Some(
                JsonDecoder::new(records.schema.clone())?
                    .with_mode(records.mode.clone())?
                    .with_session_zone(records.zone),
            ),
            None => None,
        };
        Ok(LineBatches {
            path,
            file: stretch.file,
            json,
            reader,
            at,
            end: stretch.end,
            line: Vec::new(),
            failed: false,
        })
    }

    fn next_batch(&mut self) -> Result<RecordBatch> {
        let mut values = StringBuilder::with_capacity(8192, BATCH_BYTES);
        let mut positions = Int64Builder::with_capacity(8192);
        let mut rows = 0;
        let mut bytes = 0;
        while self.at < self.end && rows < BATCH_ROWS && bytes < BATCH_BYTES {
            // A line wholly in the reader's buffer is read where it lies; one that runs past
            // the buffer's end is put together in `self.line` first.
            let whole = memchr::memchr(b'\n', self.reader.fill_buf()?).map(|end| end + 1);
            let read = match whole {
                Some(read) => read,
                None => {
                    self.line.clear();
                    let read = self.reader.read_until(b'\n', &mut self.line)?;
                    if self.line.last() != Some(&b'\n') {
                        return Err(format_err!(
                            "`{}` ends at byte {} in a line its offset says is complete: was \
                             it truncated or rewritten?",
                            self.path.display(),
                            self.at + read as u64
                        ));
                    }
                    read
                }
            };
            let line = match whole {
                Some(read) => &self.reader.buffer()[..read],
                None => &self.line[..],
            };
            let line = line.strip_suffix(b"\n").unwrap_or(line);
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            // A file's byte-order mark is no part of its first line.
            let line = match self.at {
                0 => line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line),
                _ => line,
            };
            if let Some(json) = &mut self.json {
                // Spark's reader ends a line at a lone `\r` too (rare: looked for first).
                let decoded = match memchr::memchr(b'\r', line) {
                    None => json.decode_line(line),
                    Some(_) => line
                        .split(|&b| b == b'\r')
                        .try_for_each(|record| json.decode_line(record)),
                };
                if let Err(error) = decoded {
                    let number = line_number(&self.path, self.at)?;
                    bail!(
                        "`{}`, line {number} (byte {}): {error}. Set the option `mode` to \
                         `PERMISSIVE` to read such lines as nulls (their text in the column \
                         named by `columnNameOfCorruptRecord`, `_corrupt_record` by default, \
                         where the schema has one), or to `DROPMALFORMED` to skip them",
                        self.path.display(),
                        self.at
                    );
                }
                rows = json.len();
            } else {
                let text = std::str::from_utf8(line).map_err(|error| {
                    let number = line_number(&self.path, self.at).unwrap_or_default();
                    format_err!(
                        "`{}`, line {number} (byte {}): the line is not UTF-8 ({error})",
                        self.path.display(),
                        self.at
                    )
                })?;
                values.append_value(text);
                positions.append_value(self.at as i64);
                rows += 1;
            }
            if whole.is_some() {
                self.reader.consume(read);
            }
            self.at += read as u64;
            bytes += read;
        }
        if let Some(json) = &mut self.json {
            let schema = json.schema();
            return Ok(json
                .flush()
                .with_context(|| format!("`{}`", self.path.display()))?
                .unwrap_or_else(|| RecordBatch::new_empty(schema)));
        }
        let rows = positions.len();
        let shown = names::shown(&self.file);
        let files = StringArray::from_iter_values(std::iter::repeat_n(shown.as_ref(), rows));
        Ok(RecordBatch::try_new(
            Line::schema(),
            vec![
                Arc::new(values.finish()),
                Arc::new(files),
                Arc::new(positions.finish()),
            ],
        )?)
    }
}

/// The number (from 1) of the line of `path` that starts at byte `at`: the line breaks before
/// it, counted (for an error message only).
fn line_number(path: &Path, at: u64) -> Result<u64> {
    let mut file = File::open(path)?.take(at);
    let mut block = vec![0; 1 << 20];
    let mut breaks = 0;
    loop {
        let read = file.read(&mut block)?;
        if read == 0 {
            return Ok(breaks + 1);
        }
        breaks += memchr::memchr_iter(b'\n', &block[..read]).count() as u64;
    }
}

impl Iterator for LineBatches {
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Result<RecordBatch>> {
        if self.failed || self.at >= self.end {
            return None;
        }
        let batch = self.next_batch();
        self.failed = batch.is_err();
        Some(batch)
    }
}
