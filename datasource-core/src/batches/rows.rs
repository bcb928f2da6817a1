//! Batches of rows of a `#[derive(Row)]` type, and of row ranges built directly, sized by bytes
//! unless told a row count.

use std::ops::Range;

use arrow_array::RecordBatch;

use super::Batches;
use crate::Result;
use crate::batch_size::{BatchSize, BatchSizer};
use crate::row::{Row, RowBatcher};

impl Batches {
    /// Rows of a `#[derive(Row)]` type, in batches of the default size ([`BatchSize`]).
    pub fn from_rows<R, I>(rows: I) -> Self
    where
        R: Row,
        I: IntoIterator<Item = R>,
        I::IntoIter: Send + 'static,
    {
        Self::from_fallible_rows(rows.into_iter().map(Ok))
    }

    /// Rows that may fail to be produced; the first error ends the partition with that error.
    pub fn from_fallible_rows<R, I>(rows: I) -> Self
    where
        R: Row,
        I: IntoIterator<Item = Result<R>>,
        I::IntoIter: Send + 'static,
    {
        Self::from_fallible_rows_sized(rows, BatchSize::default())
    }

    /// [`Batches::from_rows`], in batches of `size` (a row count, or a [`BatchSize`]).
    pub fn from_rows_sized<R, I>(rows: I, size: impl Into<BatchSize>) -> Self
    where
        R: Row,
        I: IntoIterator<Item = R>,
        I::IntoIter: Send + 'static,
    {
        Self::from_fallible_rows_sized(rows.into_iter().map(Ok), size)
    }

    /// [`Batches::from_fallible_rows`], in batches of `size` (a row count, or a [`BatchSize`]).
    pub fn from_fallible_rows_sized<R, I>(rows: I, size: impl Into<BatchSize>) -> Self
    where
        R: Row,
        I: IntoIterator<Item = Result<R>>,
        I::IntoIter: Send + 'static,
    {
        let mut rows = rows.into_iter();
        Self::batched(size.into(), move |batcher: &mut RowBatcher<R>| {
            rows.next().map(|row| row.map(|row| batcher.push(row)))
        })
    }

    /// One row per item, written by `fill` into a row that is reused: a string, list or map
    /// field keeps its allocation from row to row (clear it and write the new value), so no
    /// row allocates. The typed path that costs the least; the first error of `fill` ends the
    /// partition with that error.
    ///
    /// ```
    /// # use datasource_core::{Batches, BatchSize, Row};
    /// # use datasource_macros::Row;
    /// use std::fmt::Write;
    ///
    /// #[derive(Row, Default)]
    /// # #[spark(crate = "datasource_core")]
    /// struct Labelled { id: i64, label: String }
    ///
    /// let batches = Batches::from_filled_rows(0..10u64, BatchSize::default(), |row: &mut Labelled, id| {
    ///     row.id = id as i64;
    ///     row.label.clear();
    ///     write!(row.label, "row-{id}")?;
    ///     Ok(())
    /// });
    /// assert_eq!(batches.map(|b| b.unwrap().num_rows()).sum::<usize>(), 10);
    /// ```
    pub fn from_filled_rows<R, I, F>(items: I, size: impl Into<BatchSize>, mut fill: F) -> Self
    where
        R: Row + Default,
        I: IntoIterator,
        I::IntoIter: Send + 'static,
        F: FnMut(&mut R, I::Item) -> Result<()> + Send + 'static,
    {
        let mut items = items.into_iter();
        let mut row = R::default();
        Self::batched(size.into(), move |batcher: &mut RowBatcher<R>| {
            items.next().map(|item| {
                fill(&mut row, item)?;
                batcher.push_ref(&row);
                Ok(())
            })
        })
    }

    /// Batches of the rows `push_next` pushes, one at a time, into a batcher; it gives `None`
    /// at the end of the rows, or an error that ends the stream.
    fn batched<R: Row>(
        size: BatchSize,
        mut push_next: impl FnMut(&mut RowBatcher<R>) -> Option<Result<()>> + Send + 'static,
    ) -> Self {
        let mut sizer = BatchSizer::new(size);
        let mut batcher = RowBatcher::<R>::new(sizer.rows());
        let mut done = false;
        let stream = std::iter::from_fn(move || {
            if done {
                return None;
            }
            let rows = sizer.rows();
            while batcher.len() < rows {
                match push_next(&mut batcher) {
                    Some(Ok(())) => {}
                    Some(Err(error)) => {
                        done = true;
                        return Some(Err(error));
                    }
                    None => {
                        done = true;
                        break;
                    }
                }
            }
            if batcher.is_empty() {
                return None;
            }
            let batch = batcher.finish();
            sizer.observe(&batch);
            batcher.reserve(sizer.rows());
            Some(Ok(batch))
        });
        Self::from_record_batches(stream).with_schema(R::schema())
    }

    /// Record batches built directly, one per stretch of `rows` of `size` (a row count, or a
    /// [`BatchSize`]: then the stretches follow from the bytes of the batches already built):
    /// `build` gets each stretch and returns its batch.
    ///
    /// ```
    /// # use datasource_core::{Batches, Row};
    /// # use datasource_macros::Row;
    /// # use datasource_core::arrow_array::{Int64Array, RecordBatch};
    /// # use std::sync::Arc;
    /// #[derive(Row)]
    /// # #[spark(crate = "datasource_core")]
    /// struct N { n: i64 }
    ///
    /// let batches = Batches::from_row_ranges(0..10, 4, |ids| {
    ///     let n = Int64Array::from_iter_values(ids.map(|i| i as i64));
    ///     Ok(RecordBatch::try_new(N::schema(), vec![Arc::new(n)])?)
    /// });
    /// let sizes: Vec<usize> = batches.map(|b| b.unwrap().num_rows()).collect();
    /// assert_eq!(sizes, [4, 4, 2]);
    /// ```
    pub fn from_row_ranges<F>(rows: Range<u64>, size: impl Into<BatchSize>, mut build: F) -> Self
    where
        F: FnMut(Range<u64>) -> Result<RecordBatch> + Send + 'static,
    {
        let mut sizer = BatchSizer::new(size.into());
        let (mut next, end) = (rows.start, rows.end);
        let stream = std::iter::from_fn(move || {
            if next >= end {
                return None;
            }
            let stop = next.saturating_add(sizer.rows() as u64).min(end);
            let built = build(next..stop);
            match &built {
                Ok(batch) => {
                    sizer.observe(batch);
                    next = stop;
                }
                Err(_) => next = end,
            }
            Some(built)
        });
        Self::from_record_batches(stream)
    }
}
