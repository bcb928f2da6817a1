//! What an executor does: read the lines of a stretch of a file into Arrow batches.

use std::fs::File;
use std::io::{BufRead, BufReader, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datasource_py::arrow_array::builder::{ArrayBuilder, Int64Builder, StringBuilder};
use datasource_py::arrow_array::{RecordBatch, StringArray};
use datasource_py::prelude::*;
use datasource_py::{Context, JsonDecoder, format_err};

use crate::{Stretch, names};

/// Lines per batch at most.
const BATCH_ROWS: usize = 1 << 20;
/// Bytes of lines per batch at most (the last line may go past it): the SDK's default size,
/// where Spark's per-batch costs are spread thin.
const BATCH_BYTES: usize = datasource_py::DEFAULT_BATCH_BYTES;

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
    /// line that started before belongs to the stretch before).
    /// With `json`, a schema, each line is parsed as a JSON record of it.
    pub(crate) fn open(dir: &Path, stretch: Stretch, json: Option<SchemaRef>) -> Result<Self> {
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
        Ok(LineBatches {
            path,
            file: stretch.file,
            json: json
                .map(|schema| JsonDecoder::new(schema, BATCH_ROWS))
                .transpose()?,
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
        let mut bytes = 0;
        while self.at < self.end && positions.len() < BATCH_ROWS && bytes < BATCH_BYTES {
            self.line.clear();
            let read = self.reader.read_until(b'\n', &mut self.line)?;
            if self.line.last() != Some(&b'\n') {
                return Err(format_err!(
                    "`{}` ends at byte {} in a line its offset says is complete: was it \
                     truncated or rewritten?",
                    self.path.display(),
                    self.at + read as u64
                ));
            }
            if let Some(json) = &mut self.json {
                json.decode(&self.line).with_context(|| {
                    format!("`{}`: the line at byte {}", self.path.display(), self.at)
                })?;
            } else {
                let line = self.line.strip_suffix(b"\n").unwrap_or(&self.line);
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                let text = std::str::from_utf8(line).map_err(|error| {
                    format_err!(
                        "`{}`: the line at byte {} is not UTF-8 ({error})",
                        self.path.display(),
                        self.at
                    )
                })?;
                values.append_value(text);
            }
            positions.append_value(self.at as i64);
            self.at += read as u64;
            bytes += read;
        }
        if let Some(json) = &mut self.json {
            let first = positions.finish();
            let schema = json.schema();
            return Ok(json
                .flush()
                .with_context(|| {
                    format!(
                        "`{}`: the lines from byte {}",
                        self.path.display(),
                        first.values().first().copied().unwrap_or_default()
                    )
                })?
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
