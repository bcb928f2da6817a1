//! Batches of a schema known only at run time, built by arrow-json's decoder: from records of
//! any serde type ([`Batches::from_serialized`]), from JSON Lines text
//! ([`Batches::from_json_lines`]), or piece by piece ([`JsonDecoder`]).

use std::io::BufRead;

use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_json::ReaderBuilder;
use arrow_json::reader::Decoder;
use arrow_schema::{ArrowError, DataType, Field, FieldRef, Schema, SchemaRef};
use serde::Serialize;

use crate::Result;
use crate::batch_size::{BatchSize, BatchSizer};
use crate::read::Batches;

impl Batches {
    /// Records of any serde type (a struct, a map, a `serde_json::Value`) decoded into
    /// `schema`, column by column, in batches of `size`: the way to rows whose shape is known
    /// only at run time (a schema from a remote catalog or the user's `.schema(...)`).
    ///
    /// A record's field is matched to a column by name; a missing or null field is a null,
    /// and a field the schema lacks is ignored. A value that does not fit its column (a string
    /// where a number belongs, a null in a `NOT NULL` column) ends the partition with an
    /// error naming the column.
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
        // `serialize` takes any number of rows; the batch size only sizes the first buffers.
        let mut decoder = match JsonDecoder::new(schema, sizer.rows()) {
            Ok(decoder) => Some(decoder),
            Err(error) => return Batches::from_record_batches(std::iter::once(Err(error))),
        };
        let stream = std::iter::from_fn(move || {
            let active = decoder.as_mut()?;
            let rows = sizer.rows();
            let mut pending = 0;
            while pending < rows {
                match records.next() {
                    Some(Ok(record)) => {
                        if let Err(error) = active.serialize(std::slice::from_ref(&record)) {
                            decoder = None;
                            return Some(Err(error));
                        }
                        pending += 1;
                    }
                    Some(Err(error)) => {
                        decoder = None;
                        return Some(Err(error));
                    }
                    None => break,
                }
            }
            let flushed = active.flush();
            if pending < rows {
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
        Batches::from_record_batches(stream)
    }

    /// JSON Lines text (one object per line) decoded into `schema` by arrow-json, in batches
    /// of `size` rows; as [`Batches::from_serialized`] for fields, nulls and errors.
    pub fn from_json_lines<R>(schema: SchemaRef, text: R, rows: usize) -> Self
    where
        R: BufRead + Send + 'static,
    {
        let decoding = Decoding::new(schema);
        match ReaderBuilder::new(decoding.decoded.clone())
            .with_batch_size(rows.max(1))
            .build(text)
        {
            Ok(reader) => {
                Batches::from_record_batches(reader.map(move |batch| Ok(decoding.finish(batch?)?)))
            }
            Err(error) => Batches::from_record_batches(std::iter::once(Err(error.into()))),
        }
    }
}

/// arrow-json's decoder, for a schema Spark reads (Spark's `UTC` timestamps included): JSON
/// text or serde records in, record batches of the schema out. For a source that feeds it
/// piece by piece (a line at a time, a page at a time) and flushes when it likes.
pub struct JsonDecoder {
    decoder: Decoder,
    decoding: Decoding,
}

impl std::fmt::Debug for JsonDecoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JsonDecoder")
            .field("schema", &self.decoding.wanted)
            .finish_non_exhaustive()
    }
}

impl JsonDecoder {
    /// A decoder into `schema`, flushing at most `batch_rows` rows of JSON text at a time.
    pub fn new(schema: SchemaRef, batch_rows: usize) -> Result<Self> {
        let decoding = Decoding::new(schema);
        let decoder = ReaderBuilder::new(decoding.decoded.clone())
            .with_batch_size(batch_rows.max(1))
            .build_decoder()?;
        Ok(JsonDecoder { decoder, decoding })
    }

    /// Decodes JSON text (records separated by whitespace, such as JSON Lines) and returns how
    /// many bytes it took: fewer than given once `batch_rows` rows are waiting (flush, then go
    /// on with the rest). A record that does not fit the schema is an error naming the column.
    pub fn decode(&mut self, text: &[u8]) -> Result<usize> {
        Ok(self.decoder.decode(text)?)
    }

    /// Adds records of any serde type (however many).
    pub fn serialize<S: Serialize>(&mut self, records: &[S]) -> Result<()> {
        Ok(self.decoder.serialize(records)?)
    }

    /// The schema of the batches.
    pub fn schema(&self) -> SchemaRef {
        self.decoding.wanted.clone()
    }

    /// The rows decoded and not yet flushed.
    pub fn len(&self) -> usize {
        self.decoder.len()
    }

    /// Whether no row waits to be flushed.
    pub fn is_empty(&self) -> bool {
        self.decoder.is_empty()
    }

    /// The rows decoded so far, as one batch of the schema (`None` if there are none); an
    /// error if a record was left half-decoded.
    pub fn flush(&mut self) -> Result<Option<RecordBatch>> {
        match self.decoder.flush()? {
            Some(batch) => Ok(Some(self.decoding.finish(batch)?)),
            None => Ok(None),
        }
    }
}

/// The schema arrow-json decodes into, and back. Without the `chrono-tz` feature (a time-zone
/// database this crate does without) arrow-json parses only offset zones: Spark's `UTC` label
/// is decoded as `+00:00`, the same instant, and relabelled.
struct Decoding {
    wanted: SchemaRef,
    decoded: SchemaRef,
}

impl Decoding {
    fn new(wanted: SchemaRef) -> Self {
        let fields: Vec<Field> = wanted
            .fields()
            .iter()
            .map(|f| {
                f.as_ref()
                    .clone()
                    .with_data_type(offset_zoned(f.data_type()))
            })
            .collect();
        let decoded = Arc::new(Schema::new_with_metadata(fields, wanted.metadata().clone()));
        Decoding { wanted, decoded }
    }

    fn finish(&self, batch: RecordBatch) -> Result<RecordBatch, ArrowError> {
        if self.decoded == self.wanted {
            return Ok(batch);
        }
        let columns = batch
            .columns()
            .iter()
            .zip(self.wanted.fields())
            .map(|(column, field)| arrow_cast::cast(column, field.data_type()))
            .collect::<Result<Vec<_>, _>>()?;
        RecordBatch::try_new(self.wanted.clone(), columns)
    }
}

/// `data_type` with every `UTC` timestamp zone written as the offset `+00:00`.
fn offset_zoned(data_type: &DataType) -> DataType {
    let field = |f: &FieldRef| {
        Arc::new(
            f.as_ref()
                .clone()
                .with_data_type(offset_zoned(f.data_type())),
        )
    };
    match data_type {
        DataType::Timestamp(unit, Some(zone)) if zone.as_ref() == "UTC" => {
            DataType::Timestamp(*unit, Some("+00:00".into()))
        }
        DataType::List(element) => DataType::List(field(element)),
        DataType::LargeList(element) => DataType::LargeList(field(element)),
        DataType::Map(entries, sorted) => DataType::Map(field(entries), *sorted),
        DataType::Struct(fields) => DataType::Struct(fields.iter().map(field).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::cast::AsArray;
    use arrow_array::types::Int64Type;
    use arrow_schema::{DataType, Field, Schema};

    use super::*;

    fn schema() -> SchemaRef {
        Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int64, false),
            Field::new("name", DataType::Utf8, true),
        ]))
    }

    #[test]
    fn serialized_records_fill_the_schema_in_sized_batches() {
        #[derive(Serialize)]
        struct Record {
            id: i64,
            name: Option<String>,
            ignored: bool,
        }
        let records = (0..10).map(|id| {
            Ok(Record {
                id,
                name: (id % 2 == 0).then(|| format!("n{id}")),
                ignored: true,
            })
        });
        let batches: Vec<_> = Batches::from_serialized(schema(), records, 4)
            .collect::<Result<_>>()
            .unwrap();
        let sizes: Vec<usize> = batches.iter().map(|b| b.num_rows()).collect();
        assert_eq!(sizes, [4, 4, 2]);
        assert_eq!(batches[2].column(0).as_primitive::<Int64Type>().value(1), 9);
        assert!(batches[0].column(1).is_null(1));
    }

    #[test]
    fn a_value_that_does_not_fit_names_its_column() {
        let records = vec![Ok(serde_json::json!({"id": "seven"}))];
        let error = Batches::from_serialized(schema(), records, 4)
            .next()
            .unwrap()
            .unwrap_err();
        assert!(error.to_string().contains("id"), "{error}");
    }

    #[test]
    fn spark_timestamps_decode_in_utc() {
        let schema = Arc::new(Schema::new(vec![Field::new(
            "at",
            DataType::Timestamp(arrow_schema::TimeUnit::Microsecond, Some("UTC".into())),
            true,
        )]));
        let records = vec![Ok(serde_json::json!({"at": "2024-03-10T02:30:00+01:00"}))];
        let batch = Batches::from_serialized(schema.clone(), records, 4)
            .next()
            .unwrap()
            .unwrap();
        assert_eq!(batch.schema(), schema);
        let at = batch
            .column(0)
            .as_primitive::<arrow_array::types::TimestampMicrosecondType>();
        assert_eq!(at.value(0), 1_710_034_200_000_000);
    }

    #[test]
    fn json_lines_decode_into_the_schema() {
        let text = "{\"id\": 1, \"name\": \"a\"}\n{\"id\": 2}\n".as_bytes();
        let batches: Vec<_> = Batches::from_json_lines(schema(), text, 1)
            .collect::<Result<_>>()
            .unwrap();
        assert_eq!(batches.len(), 2);
        assert!(batches[1].column(1).is_null(0));
    }
}
