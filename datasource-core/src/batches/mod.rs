//! [`Batches`]: the stream of Arrow record batches a source reads into Spark and a sink is
//! handed by it. Every way to make one lives in this folder: from rows (`rows.rs`), from a
//! thread of its own (`producer.rs`), from records decoded as Spark reads JSON (`json.rs`).

mod ffi;
mod json;
mod producer;
mod rows;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;

pub use producer::{BatchSender, Stopped};

use crate::Result;
use crate::filter::{Filter, apply_filters};
use crate::row::{Row, Rows};

/// A stream of Arrow record batches, produced as Spark pulls them: what
/// [`BatchReader::read`](crate::BatchReader::read) returns and what
/// [`BatchWriter::write`](crate::BatchWriter::write) is given.
///
/// Made from rows of a `#[derive(Row)]` type ([`from_rows`](Batches::from_rows) and its
/// siblings, sized by bytes unless told a row count: [`BatchSize`](crate::BatchSize)), from
/// record batches built directly ([`from_record_batches`](Batches::from_record_batches)), from a
/// producer on a thread of its own ([`from_producer`](Batches::from_producer)) or from records
/// decoded with Spark's JSON rules ([`from_serialized`](Batches::from_serialized)). An error
/// item ends the stream: Spark fails the task with it, after the batches before it.
pub struct Batches {
    schema: Option<SchemaRef>,
    stream: Box<dyn Iterator<Item = Result<RecordBatch>> + Send>,
}

impl std::fmt::Debug for Batches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batches")
            .field("schema", &self.schema)
            .finish_non_exhaustive()
    }
}

impl Batches {
    /// No batches at all.
    pub fn empty() -> Self {
        Self::from_record_batches(std::iter::empty())
    }

    /// Record batches built directly (the fastest path). A reader's must have its scan's schema,
    /// which is checked before they reach Spark.
    pub fn from_record_batches<I>(batches: I) -> Self
    where
        I: IntoIterator<Item = Result<RecordBatch>>,
        I::IntoIter: Send + 'static,
    {
        Batches {
            schema: None,
            stream: Box::new(batches.into_iter()),
        }
    }

    /// The batches of each part in turn: `parts` opens them one at a time (a file, a page of
    /// results), as Spark pulls. A part that fails to open ends the stream with its error.
    ///
    /// ```
    /// # use datasource_core::{Batches, Result};
    /// # use datasource_core::arrow_array::{Int64Array, RecordBatch};
    /// # use std::sync::Arc;
    /// fn open(part: i64) -> Result<Batches> {
    ///     let ids = Int64Array::from(vec![part]);
    ///     Ok(Batches::from_record_batches([Ok(RecordBatch::try_from_iter([("id", Arc::new(ids) as _)])?)]))
    /// }
    /// let batches = Batches::try_flatten((0..3).map(open));
    /// assert_eq!(batches.count(), 3);
    /// ```
    pub fn try_flatten<I, P>(parts: I) -> Self
    where
        I: IntoIterator<Item = Result<P>>,
        I::IntoIter: Send + 'static,
        P: IntoIterator<Item = Result<RecordBatch>>,
        P::IntoIter: Send + 'static,
    {
        let mut parts = parts.into_iter();
        let mut current: Option<P::IntoIter> = None;
        let mut done = false;
        Self::from_record_batches(std::iter::from_fn(move || {
            loop {
                if done {
                    return None;
                }
                if let Some(batches) = &mut current {
                    match batches.next() {
                        Some(Err(error)) => {
                            done = true;
                            return Some(Err(error));
                        }
                        Some(batch) => return Some(batch),
                        None => current = None,
                    }
                }
                match parts.next()? {
                    Ok(part) => current = Some(part.into_iter()),
                    Err(error) => {
                        done = true;
                        return Some(Err(error));
                    }
                }
            }
        }))
    }

    /// These batches, known to have `schema` (what [`schema`](Batches::schema) then gives).
    pub fn with_schema(mut self, schema: SchemaRef) -> Self {
        self.schema = Some(schema);
        self
    }

    /// The schema of every batch, where it is known before the first: always for the batches a
    /// sink is given (its [`WriteJob::schema`](crate::WriteJob::schema)) and for batches of
    /// rows; `None` for record batches handed over with no schema said.
    pub fn schema(&self) -> Option<&SchemaRef> {
        self.schema.as_ref()
    }

    /// These batches without the rows `filters` reject (see [`Filter::evaluate`]): what a
    /// source that accepted `filters` as exact, but cannot skip rows itself, returns. Filtering
    /// here, before the data crosses into Spark, saves Spark the transfer of the rows dropped.
    pub fn filtered(self, filters: Vec<Filter>) -> Batches {
        if filters.is_empty() {
            return self;
        }
        let schema = self.schema.clone();
        let stream = self
            .map(move |batch| apply_filters(&batch?, &filters))
            .filter(|batch| !matches!(batch, Ok(batch) if batch.num_rows() == 0));
        Batches {
            schema,
            stream: Box::new(stream),
        }
    }

    /// The rows of these batches as `R`s (a `#[derive(Row)]` type whose columns the batches
    /// have, in order): what a sink of typed rows reads. An error in a batch, or a batch of
    /// other columns, is an error item.
    pub fn rows<R: Row>(self) -> impl Iterator<Item = Result<R>> + Send {
        self.flat_map(|batch| {
            let rows: Box<dyn Iterator<Item = Result<R>> + Send> =
                match batch.and_then(|batch| Ok(Rows::<R>::new(&batch)?)) {
                    Ok(rows) => Box::new(rows.map(Ok)),
                    Err(error) => Box::new(std::iter::once(Err(error))),
                };
            rows
        })
    }
}

impl Iterator for Batches {
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        self.stream.next()
    }
}

#[cfg(test)]
mod tests;
