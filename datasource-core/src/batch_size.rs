//! How many rows each batch a source hands Spark holds. Every batch costs Spark a fixed amount
//! on top of its rows (bench/README.md measures it), so batches should be large; but a batch is
//! held whole in memory on both sides, so not too large. The SDK therefore sizes batches by
//! bytes, learning a stream's bytes per row from the batches it has built.

use arrow_array::{Array, RecordBatch};

/// The Arrow data per batch the SDK aims at by default. In `make bench` (bench/README.md), the
/// pipe limit was fastest at 2 to 8 MiB a batch for narrow rows and about 10 MiB for wide ones,
/// and slower again at 40 MiB; 8 MiB sits in that range for both.
pub const DEFAULT_BATCH_BYTES: usize = 8 << 20;

/// The most rows an automatically sized batch holds, however small its rows.
pub const MAX_AUTO_BATCH_ROWS: usize = 1 << 20;

/// The rows of a stream's first automatically sized batch, built before its row size is known.
const FIRST_AUTO_BATCH_ROWS: usize = 4096;

/// How many rows each batch holds.
///
/// ```
/// use datasource_core::BatchSize;
/// assert_eq!(BatchSize::default(), BatchSize::Bytes(datasource_core::DEFAULT_BATCH_BYTES));
/// assert_eq!(BatchSize::from(8192), BatchSize::Rows(8192));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchSize {
    /// About this many bytes of Arrow data per batch (at most [`MAX_AUTO_BATCH_ROWS`] rows, at
    /// least one): the row count follows from the batches already built.
    Bytes(usize),
    /// This many rows per batch (the last may hold fewer).
    Rows(usize),
}

impl Default for BatchSize {
    fn default() -> Self {
        BatchSize::Bytes(DEFAULT_BATCH_BYTES)
    }
}

impl From<usize> for BatchSize {
    fn from(rows: usize) -> Self {
        BatchSize::Rows(rows)
    }
}

impl From<Option<usize>> for BatchSize {
    /// `Some(rows)`: that many rows; `None`: the default size by bytes.
    fn from(rows: Option<usize>) -> Self {
        rows.map_or_else(BatchSize::default, BatchSize::Rows)
    }
}

/// The row count of each next batch of one stream: what the SDK's row helpers use, for a
/// source that builds its batches itself (from a database cursor, say).
///
/// ```
/// use datasource_core::batch_size::{BatchSize, BatchSizer};
/// let mut sizer = BatchSizer::new(BatchSize::default());
/// let first = sizer.rows(); // before any batch: a small first batch
/// # let batch = datasource_core::arrow_array::RecordBatch::new_empty(std::sync::Arc::new(datasource_core::arrow_schema::Schema::empty()));
/// sizer.observe(&batch); // after each batch: learns the bytes per row
/// # assert_eq!(sizer.rows(), first);
/// ```
#[derive(Debug, Clone)]
pub struct BatchSizer {
    target_bytes: Option<usize>,
    rows: usize,
}

impl BatchSizer {
    /// Sizes batches as `size` says.
    pub fn new(size: BatchSize) -> Self {
        match size {
            BatchSize::Rows(rows) => BatchSizer {
                target_bytes: None,
                rows: rows.max(1),
            },
            BatchSize::Bytes(bytes) => BatchSizer {
                target_bytes: Some(bytes.max(1)),
                rows: FIRST_AUTO_BATCH_ROWS,
            },
        }
    }

    /// The rows of the next batch.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Learns the stream's bytes per row from a batch it built.
    pub fn observe(&mut self, batch: &RecordBatch) {
        let Some(target) = self.target_bytes else {
            return;
        };
        if batch.num_rows() == 0 {
            return;
        }
        let bytes: usize = batch.columns().iter().map(|c| used_bytes(c.as_ref())).sum();
        let per_row = (bytes / batch.num_rows()).max(1);
        self.rows = (target / per_row).clamp(1, MAX_AUTO_BATCH_ROWS);
    }
}

/// The bytes an array's values take (not the capacity its buffers were allocated with).
fn used_bytes(array: &dyn Array) -> usize {
    array
        .to_data()
        .get_slice_memory_size()
        .unwrap_or_else(|_| array.get_array_memory_size())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{Int64Array, StringArray};
    use arrow_schema::{DataType, Field, Schema};

    use super::*;

    fn batch(rows: usize, label_bytes: usize) -> RecordBatch {
        let schema = Schema::new(vec![
            Field::new("id", DataType::Int64, false),
            Field::new("label", DataType::Utf8, false),
        ]);
        let label = "x".repeat(label_bytes);
        RecordBatch::try_new(
            Arc::new(schema),
            vec![
                Arc::new(Int64Array::from_iter_values(0..rows as i64)),
                Arc::new(StringArray::from_iter_values(std::iter::repeat_n(
                    label, rows,
                ))),
            ],
        )
        .unwrap()
    }

    #[test]
    fn rows_follow_from_the_bytes_per_row_seen() {
        let mut sizer = BatchSizer::new(BatchSize::Bytes(1 << 20));
        assert_eq!(sizer.rows(), FIRST_AUTO_BATCH_ROWS);
        // 8 (id) + 4 (offset) + 20 (label) bytes a row.
        sizer.observe(&batch(1000, 20));
        assert_eq!(sizer.rows(), (1 << 20) / 32);
        // Very wide rows: never fewer than one.
        sizer.observe(&batch(2, 4 << 20));
        assert_eq!(sizer.rows(), 1);
        // Tiny rows: never more than the cap.
        let mut tiny = BatchSizer::new(BatchSize::Bytes(1 << 30));
        tiny.observe(&batch(100, 0));
        assert_eq!(tiny.rows(), MAX_AUTO_BATCH_ROWS);
    }

    #[test]
    fn a_fixed_row_count_stays_fixed() {
        assert_eq!(BatchSizer::new(BatchSize::Rows(0)).rows(), 1);
        let mut sizer = BatchSizer::new(8192.into());
        sizer.observe(&batch(10, 1000));
        assert_eq!(sizer.rows(), 8192);
    }
}
