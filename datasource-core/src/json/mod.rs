//! JSON as Spark reads and writes it: [`JsonDecoder`] turns JSON records into batches of a
//! schema with the rules of Spark's own JSON reader (`spark.read.schema(...).json(...)`), so a
//! source that parses JSON gives the rows Spark would; [`JsonLinesWriter`] writes batches that
//! Spark's reader reads back as the same values. [`Batches::from_serialized`](crate::Batches::from_serialized) and
//! [`Batches::from_json_lines`](crate::Batches::from_json_lines) build on the decoder.
//!
//! The reader's rules (Spark 4.0 to 4.3 agree on each), in short:
//!
//! - A line is one record: an object is one row, an array of objects one row each; a blank line
//!   is none. What follows the first value on a line is not read.
//! - Names match columns exactly (case counts); other names are skipped; a missing one is null.
//! - Integers take integer literals in range only; `FLOAT`/`DOUBLE` take any number and `NaN`,
//!   `Infinity`, `-Infinity` (bare or as strings); `DECIMAL` takes numbers and numeric strings,
//!   rounded half up; `STRING` takes any value (a non-string as its exact text); `BINARY` takes
//!   base64; `DATE` and `TIMESTAMP` take Spark's date-time text ([`crate::datetime`]),
//!   `TIMESTAMP` also whole seconds since 1970; zone-less text is read in the session's zone.
//! - A value that does not fit is null and the record is malformed; a struct keeps its other
//!   fields, an array or a map fails whole; text that is not JSON fails the whole record. What
//!   becomes of a malformed record is the [`ParseMode`]'s choice.

mod columns;
mod convert;
mod flat;
mod numbers;
mod tape;
mod write;

use arrow_array::{ArrayRef, RecordBatch, RecordBatchOptions};
use arrow_schema::{DataType, Fields, SchemaRef};
use serde::Serialize;

use crate::Result;
use crate::datetime::SessionZone;

use columns::{Bytes, Members};
use convert::{Context, Outcome, Problem, convert_object};
use tape::{Kind, Node};

pub use write::JsonLinesWriter;

/// What becomes of a malformed record: one whose text is not JSON, or one of whose values does
/// not fit its column. Spark's `mode` option of its JSON reader.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseMode {
    /// The record's rows are kept, with what fitted (a record that is not JSON: all null), and
    /// the record's text goes into the column `corrupt_column` where the schema has one.
    /// Spark's default (`PERMISSIVE`, `columnNameOfCorruptRecord`).
    Permissive {
        /// The name of the `STRING` column that takes a malformed record's text (ignored
        /// where the schema has no such column).
        corrupt_column: String,
    },
    /// The record's rows are dropped (`DROPMALFORMED`).
    DropMalformed,
    /// The record is an error: [`JsonDecoder::decode_line`] says what did not fit (`FAILFAST`).
    FailFast,
}

impl ParseMode {
    /// `PERMISSIVE` with Spark's column for malformed records, `_corrupt_record`.
    pub fn permissive() -> Self {
        ParseMode::Permissive {
            corrupt_column: "_corrupt_record".into(),
        }
    }
}

/// A record that does not fit (under [`ParseMode::FailFast`]): what, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Malformed {
    /// The column that did not fit (`a`, `s.x`, `tags[2]`); `None` when the text is not JSON.
    pub column: Option<String>,
    message: String,
}

/// Decodes JSON records into batches of a schema, with Spark's rules (see the
/// [module](self)): a record at a time, flushed when the source likes.
///
/// ```
/// # use std::sync::Arc;
/// # use datasource_core::arrow_schema::{DataType, Field, Schema};
/// # use datasource_core::json::{JsonDecoder, ParseMode};
/// let schema = Arc::new(Schema::new(vec![
///     Field::new("id", DataType::Int64, true),
///     Field::new("_corrupt_record", DataType::Utf8, true),
/// ]));
/// let mut decoder = JsonDecoder::new(schema)?.with_mode(ParseMode::permissive())?;
/// decoder.decode_line(br#"{"id": 7}"#)?;
/// decoder.decode_line(br#"{"id": 1.5}"#)?; // kept: a null, and the line in _corrupt_record
/// assert!(JsonDecoder::new(decoder.schema())?.decode_line(br#"{"id": "x"}"#).is_err());
/// assert_eq!(decoder.flush()?.unwrap().num_rows(), 2);
/// # Ok::<(), datasource_core::Error>(())
/// ```
pub struct JsonDecoder {
    schema: SchemaRef,
    /// The schema's fields but the corrupt-record column, and where each is in the schema.
    data_fields: Fields,
    data_positions: Vec<usize>,
    record: Members,
    /// The corrupt-record column (PERMISSIVE, where the schema has it): its position and text.
    corrupt: Option<(usize, Bytes)>,
    mode: ParseMode,
    zone: SessionZone,
    tape: Vec<Node>,
    scratch: Vec<u8>,
    rows: usize,
    /// Whether flat records take the fast path ([`flat`]); off only to test that it changes
    /// nothing.
    fast: bool,
}

impl std::fmt::Debug for JsonDecoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JsonDecoder")
            .field("schema", &self.schema)
            .field("mode", &self.mode)
            .field("rows", &self.rows)
            .finish_non_exhaustive()
    }
}

impl JsonDecoder {
    /// A decoder into `schema` (a schema Spark reads: Spark's types, maps with `STRING` keys),
    /// failing on a malformed record ([`ParseMode::FailFast`]) and reading zone-less timestamps
    /// as UTC until told otherwise. An error names a column whose type JSON cannot hold.
    pub fn new(schema: SchemaRef) -> Result<Self> {
        let mut decoder = JsonDecoder {
            data_fields: Fields::empty(),
            data_positions: Vec::new(),
            record: Members::new(std::iter::empty(), &mut Vec::new()).expect("no fields"),
            corrupt: None,
            mode: ParseMode::FailFast,
            zone: SessionZone::Fixed(chrono::FixedOffset::east_opt(0).expect("UTC")),
            tape: Vec::new(),
            scratch: Vec::new(),
            rows: 0,
            fast: true,
            schema,
        };
        decoder.arrange()?;
        Ok(decoder)
    }

    /// What becomes of malformed records from now on.
    pub fn with_mode(mut self, mode: ParseMode) -> Result<Self> {
        self.mode = mode;
        self.arrange()?;
        Ok(self)
    }

    /// The zone that timestamps written without one are read in: the session's
    /// ([`SessionZone::of_session`] with [`Task::session_time_zone`](crate::Task)).
    pub fn with_session_zone(mut self, zone: SessionZone) -> Self {
        self.zone = zone;
        self
    }

    /// The same decoder with the fast path off: every record through the full reader.
    #[cfg(test)]
    pub(crate) fn without_fast_path(mut self) -> Self {
        self.fast = false;
        self
    }

    /// Sets up the columns for the schema and mode (before any row).
    fn arrange(&mut self) -> Result<()> {
        let corrupt_name = match &self.mode {
            ParseMode::Permissive { corrupt_column } => Some(corrupt_column.as_str()),
            _ => None,
        };
        let mut data = Vec::new();
        let mut positions = Vec::new();
        self.corrupt = None;
        for (index, field) in self.schema.fields().iter().enumerate() {
            if Some(field.name().as_str()) == corrupt_name {
                crate::ensure!(
                    field.data_type() == &DataType::Utf8 && field.is_nullable(),
                    "column `{}` holds malformed records' text: it must be a nullable STRING, \
                     not {}",
                    field.name(),
                    field.data_type()
                );
                self.corrupt = Some((index, Bytes::new()));
            } else {
                data.push(field.clone());
                positions.push(index);
            }
        }
        let mut path = Vec::new();
        self.record = Members::new(&data, &mut path).ok_or_else(|| {
            let column = path.join(".");
            crate::format_err!(
                "column `{column}`: its type cannot be read from JSON (Spark reads JSON into \
                 its own types, and maps with STRING keys only)"
            )
        })?;
        self.data_fields = data.into();
        self.data_positions = positions;
        Ok(())
    }

    /// The schema of the batches.
    pub fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    /// The rows decoded and not yet flushed.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// Whether no row waits to be flushed.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Decodes one JSON Lines record (`line` without its line break): no row for a blank line,
    /// one for an object, one per object of an array. Under [`ParseMode::FailFast`] a malformed
    /// record is an error (its rows are not kept); otherwise it is handled as the mode says.
    pub fn decode_line(&mut self, line: &[u8]) -> Result<(), Malformed> {
        let start = self.rows;
        if self.fast && flat::decode_flat(line, &mut self.record, &self.zone) {
            self.record.len += 1;
            self.rows = self.record.len;
            if let Some((_, corrupt)) = &mut self.corrupt {
                corrupt.push_null_text();
            }
            return Ok(());
        }
        let explain = self.mode == ParseMode::FailFast;
        let (outcome, problem, syntax, failure) = match tape::parse(line, &mut self.tape) {
            Ok(false) => return Ok(()),
            Ok(true) => {
                let mut context = Context {
                    text: line,
                    tape: &self.tape,
                    zone: &self.zone,
                    scratch: &mut self.scratch,
                    explain,
                    problem: None,
                    record_failure: None,
                };
                let outcome = match self.tape[0].kind {
                    Kind::Object => {
                        let outcome = convert_object(&mut context, &mut self.record, 0);
                        self.record.len += 1;
                        outcome
                    }
                    Kind::Array => convert_array_of_records(&mut context, &mut self.record),
                    // A number, a string, a literal: no record at all.
                    _ => {
                        context.record_failure = Some("not an object (or an array of objects)");
                        Outcome::Record
                    }
                };
                let failure = context.record_failure;
                (outcome, context.problem.take(), None, failure)
            }
            Err(error) => (Outcome::Record, None, Some(error), None),
        };
        let rows = self.record.len;
        match (outcome, &self.mode) {
            (Outcome::Done, _) => {
                self.rows = rows;
                if let Some((_, corrupt)) = &mut self.corrupt {
                    for _ in start..rows {
                        corrupt.push_null_text();
                    }
                }
                Ok(())
            }
            (_, ParseMode::FailFast) => {
                self.record.truncate(start);
                Err(malformed(line, outcome, problem, syntax, failure))
            }
            (_, ParseMode::DropMalformed) => {
                self.record.truncate(start);
                Ok(())
            }
            (Outcome::Record, ParseMode::Permissive { .. }) => {
                self.record.truncate(start);
                for field in &mut self.record.fields {
                    field.push_null();
                }
                self.record.len = start + 1;
                self.rows = start + 1;
                self.mark_corrupt(line, 1);
                Ok(())
            }
            (_, ParseMode::Permissive { .. }) => {
                self.rows = rows;
                self.mark_corrupt(line, rows - start);
                Ok(())
            }
        }
    }

    /// The line's text in the corrupt-record column, for each of its `rows`.
    fn mark_corrupt(&mut self, line: &[u8], rows: usize) {
        if let Some((_, corrupt)) = &mut self.corrupt {
            let text = String::from_utf8_lossy(line);
            for _ in 0..rows {
                corrupt.data.extend_from_slice(text.as_bytes());
                let _ = corrupt.close();
            }
        }
    }

    /// Decodes records of any serde type (a struct, a map, a `serde_json::Value`), each as the
    /// JSON text serde makes of it.
    pub fn decode_serialized<S: Serialize>(&mut self, records: &[S]) -> Result<()> {
        let mut text = Vec::new();
        for record in records {
            text.clear();
            serde_json::to_writer(&mut text, record)?;
            self.decode_line(&text)?;
        }
        Ok(())
    }

    /// The rows decoded so far, as one batch of the schema (`None` if there are none).
    pub fn flush(&mut self) -> Result<Option<RecordBatch>> {
        if self.rows == 0 {
            return Ok(None);
        }
        let rows = std::mem::take(&mut self.rows);
        self.record.len = 0;
        let data = self.record.finish(&self.data_fields).map_err(|error| {
            crate::format_err!(
                "{error} (a column declared NOT NULL got a null: Spark's JSON reader reads \
                 every column as nullable, so declare it without NOT NULL)"
            )
        })?;
        let mut columns: Vec<Option<ArrayRef>> = vec![None; self.schema.fields().len()];
        for (position, array) in self.data_positions.iter().zip(data) {
            columns[*position] = Some(array);
        }
        if let Some((position, corrupt)) = &mut self.corrupt {
            let field = self.schema.field(*position);
            columns[*position] = Some(
                columns::Column::String(std::mem::replace(corrupt, Bytes::new())).finish(field)?,
            );
        }
        let columns: Vec<ArrayRef> = columns.into_iter().flatten().collect();
        let options = RecordBatchOptions::new().with_row_count(Some(rows));
        Ok(Some(RecordBatch::try_new_with_options(
            self.schema.clone(),
            columns,
            &options,
        )?))
    }
}

/// The error of a malformed record: the column and value that did not fit, or why the record
/// as a whole could not be read.
fn malformed(
    line: &[u8],
    outcome: Outcome,
    problem: Option<Problem>,
    syntax: Option<tape::SyntaxError>,
    failure: Option<&'static str>,
) -> Malformed {
    if let Some(error) = syntax {
        return Malformed {
            column: None,
            message: format!("the record is not JSON as Spark reads it: {error}"),
        };
    }
    match (problem, failure) {
        (Some(problem), _) if outcome != Outcome::Record => {
            let mut path = problem.path;
            path.reverse();
            let column = path.iter().fold(String::new(), |mut text, part| {
                if !text.is_empty() && !part.starts_with('[') {
                    text.push('.');
                }
                text.push_str(part);
                text
            });
            let value = excerpt(&line[problem.start as usize..problem.end as usize]);
            Malformed {
                message: format!(
                    "column `{column}`: got {value}, expected {}",
                    problem.expected
                ),
                column: Some(column),
            }
        }
        (_, failure) => Malformed {
            column: None,
            message: format!(
                "the record {} is {}",
                excerpt(line.trim_ascii()),
                failure.unwrap_or("not one Spark reads")
            ),
        },
    }
}

/// `[{...}, {...}]` as one row per object; anything else in it fails the whole record.
fn convert_array_of_records(context: &mut Context<'_>, record: &mut Members) -> Outcome {
    let end = context.tape[0].next as usize;
    let mut child = 1;
    let mut outcome = Outcome::Done;
    while child < end {
        if context.tape[child].kind != Kind::Object {
            context.record_failure = Some("an array holding something other than objects");
            return Outcome::Record;
        }
        match convert_object(context, record, child) {
            Outcome::Done => {}
            Outcome::Record => return Outcome::Record,
            _ => outcome = Outcome::Partial,
        }
        record.len += 1;
        child = context.tape[child].next as usize;
    }
    outcome
}

/// A value's text for a message: quoted, escaped, cut to 60 characters.
fn excerpt(text: &[u8]) -> String {
    let text = String::from_utf8_lossy(text);
    let cut: String = text
        .chars()
        .take(60)
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect();
    let more = if text.chars().count() > 60 { "..." } else { "" };
    format!("`{cut}{more}`")
}

impl Bytes {
    fn push_null_text(&mut self) {
        self.offsets.push(*self.offsets.last().unwrap_or(&0));
        self.nulls.append_null();
    }
}

#[cfg(test)]
mod tests;
