//! Batches of records decoded with Spark's JSON rules ([`JsonDecoder`]).

use std::io::BufRead;

use arrow_schema::SchemaRef;
use serde::Serialize;

use super::Batches;
use crate::Result;
use crate::batch_size::{BatchSize, BatchSizer};
use crate::json::JsonDecoder;

impl Batches {
    /// Records of any serde type (a struct, a map, a `serde_json::Value`) decoded into
    /// `schema` with Spark's JSON rules ([`JsonDecoder`]), in batches of `size`: the way to
    /// rows whose shape is known only at run time (a schema from a remote catalog or the
    /// user's `.schema(...)`).
    ///
    /// A record's field is matched to a column by name; a missing or null field is a null,
    /// and a field the schema lacks is ignored. A value that does not fit its column (a string
    /// where a number belongs) ends the partition with an error naming the column.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use datasource_core::{Batches, BatchSize};
    /// # use datasource_core::arrow_schema::{DataType, Field, Schema};
    /// let schema = Arc::new(Schema::new(vec![
    ///     Field::new("id", DataType::Int64, false),
    ///     Field::new("tags", DataType::new_list(DataType::Utf8, true), true),
    /// ]));
    /// let records = (0..3).map(|i| Ok(serde_json::json!({"id": i, "tags": ["a"]})));
    /// let batches = Batches::from_serialized(schema, records, BatchSize::default());
    /// assert_eq!(batches.map(|b| b.unwrap().num_rows()).sum::<usize>(), 3);
    /// ```
    pub fn from_serialized<S, I>(schema: SchemaRef, records: I, size: impl Into<BatchSize>) -> Self
    where
        S: Serialize,
        I: IntoIterator<Item = Result<S>>,
        I::IntoIter: Send + 'static,
    {
        let mut records = records.into_iter();
        let mut sizer = BatchSizer::new(size.into());
        let mut decoder = match JsonDecoder::new(schema.clone()) {
            Ok(decoder) => Some(decoder),
            Err(error) => return Batches::from_record_batches(std::iter::once(Err(error))),
        };
        let mut text = Vec::new();
        let stream = std::iter::from_fn(move || {
            let active = decoder.as_mut()?;
            let rows = sizer.rows();
            while active.len() < rows {
                match records.next() {
                    Some(Ok(record)) => {
                        text.clear();
                        let decoded = serde_json::to_writer(&mut text, &record)
                            .map_err(crate::Error::from)
                            .and_then(|()| Ok(active.decode_line(&text)?));
                        if let Err(error) = decoded {
                            decoder = None;
                            return Some(Err(error));
                        }
                    }
                    Some(Err(error)) => {
                        decoder = None;
                        return Some(Err(error));
                    }
                    None => break,
                }
            }
            let ended = active.len() < rows;
            let flushed = active.flush();
            if ended {
                decoder = None;
            }
            match flushed {
                Ok(Some(batch)) => {
                    sizer.observe(&batch);
                    Some(Ok(batch))
                }
                Ok(None) => None,
                Err(error) => {
                    decoder = None;
                    Some(Err(error))
                }
            }
        });
        Batches::from_record_batches(stream).with_schema(schema)
    }

    /// JSON Lines text decoded into `schema` with Spark's JSON rules, in batches of `size` (a
    /// row count, or a [`BatchSize`]); a malformed line ends the partition with an error naming its line number and the
    /// column.
    pub fn from_json_lines<R>(schema: SchemaRef, text: R, size: impl Into<BatchSize>) -> Self
    where
        R: BufRead + Send + 'static,
    {
        let mut decoder = match JsonDecoder::new(schema.clone()) {
            Ok(decoder) => Some(decoder),
            Err(error) => return Batches::from_record_batches(std::iter::once(Err(error))),
        };
        let mut lines = text.split(b'\n').enumerate();
        let mut sizer = BatchSizer::new(size.into());
        let stream = std::iter::from_fn(move || {
            let active = decoder.as_mut()?;
            let rows = sizer.rows();
            while active.len() < rows {
                match lines.next() {
                    Some((number, Ok(mut line))) => {
                        if line.last() == Some(&b'\r') {
                            line.pop();
                        }
                        if let Err(error) = active.decode_line(&line) {
                            decoder = None;
                            return Some(Err(crate::format_err!("line {}: {error}", number + 1)));
                        }
                    }
                    Some((_, Err(error))) => {
                        decoder = None;
                        return Some(Err(error.into()));
                    }
                    None => break,
                }
            }
            let flushed = active.flush();
            match flushed {
                Ok(Some(batch)) => {
                    sizer.observe(&batch);
                    Some(Ok(batch))
                }
                Ok(None) => {
                    decoder = None;
                    None
                }
                Err(error) => {
                    decoder = None;
                    Some(Err(error))
                }
            }
        });
        Batches::from_record_batches(stream).with_schema(schema)
    }
}
