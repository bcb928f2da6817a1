//! `fakerange`: (id, value, label) rows, built either straight into Arrow arrays or one row at a
//! time, to compare the SDK's two read paths.

use std::ops::Range;
use std::sync::Arc;

use datasource_py::arrow_array::builder::StringBuilder;
use datasource_py::arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch};
use datasource_py::prelude::*;

use crate::GeneratedRows;
use crate::text::{append_prefixed, prefixed, write_prefixed};

/// Numbered rows with a derived double and a label; `path` picks how batches are built.
#[data_source(name = "fakerange")]
#[derive(Debug, Clone)]
pub struct FakeRange {
    #[option(flatten)]
    rows: GeneratedRows,
}

/// One numbered row.
#[derive(Row, Debug, Clone, PartialEq, Default)]
pub struct Numbered {
    pub id: i64,
    pub value: f64,
    pub label: String,
}

fn value_of(id: u64) -> f64 {
    id as f64 * 0.5
}

/// The row with number `id`.
pub fn numbered(id: u64) -> Numbered {
    Numbered {
        id: id as i64,
        value: value_of(id),
        label: prefixed("row-", id),
    }
}

impl FakeRange {
    fn arrow_batch(ids: Range<u64>) -> Result<RecordBatch> {
        let len = (ids.end - ids.start) as usize;
        let id = Int64Array::from_iter_values(ids.clone().map(|i| i as i64));
        let value = Float64Array::from_iter_values(ids.clone().map(value_of));
        let mut label = StringBuilder::with_capacity(len, len * 12);
        for i in ids {
            append_prefixed(&mut label, "row-", i);
        }
        let columns: Vec<ArrayRef> = vec![Arc::new(id), Arc::new(value), Arc::new(label.finish())];
        Ok(RecordBatch::try_new(Numbered::schema(), columns)?)
    }
}

impl SourceSchema for FakeRange {
    fn schema(&self) -> Result<SchemaRef> {
        Ok(Numbered::schema())
    }
}

impl BatchReader for FakeRange {
    type Partition = Range<u64>;

    fn partitions(&self, _scan: &Scan) -> Result<Vec<Range<u64>>> {
        Ok(self.rows.partitions())
    }

    fn read(self: Arc<Self>, _scan: &Scan, rows: Range<u64>) -> Result<Batches> {
        let row = numbered;
        let fill = |row: &mut Numbered, id: u64| {
            row.id = id as i64;
            row.value = value_of(id);
            write_prefixed(&mut row.label, "row-", id);
        };
        self.rows.batches(rows, row, fill, Self::arrow_batch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datasource_py::{RawOptions, read_all};

    fn collect(path: &str) -> Vec<RecordBatch> {
        let raw: RawOptions = [("numRows", "20001"), ("path", path), ("batchRows", "5000")]
            .into_iter()
            .collect();
        read_all(FakeRange::from_options(&raw).unwrap()).unwrap()
    }

    #[test]
    fn every_path_builds_the_same_batches() {
        let arrow = collect("arrow");
        assert_eq!(arrow, collect("rows"));
        assert_eq!(arrow, collect("filled"));
        assert_eq!(arrow.iter().map(|b| b.num_rows()).sum::<usize>(), 20001);
        assert_eq!(arrow[0].num_rows(), 5000);
    }

    #[test]
    fn repeat_hands_over_one_batch_again() {
        let repeated = collect("repeat");
        assert_eq!(repeated.iter().map(|b| b.num_rows()).sum::<usize>(), 20001);
        assert_eq!(repeated[0], collect("arrow")[1]);
        assert_eq!(repeated[1], repeated[0]);
    }

    #[test]
    fn by_default_batches_are_sized_by_bytes() {
        let raw: RawOptions = [("numRows", "1000000"), ("numPartitions", "1")]
            .into_iter()
            .collect();
        let batches = read_all(FakeRange::from_options(&raw).unwrap()).unwrap();
        let bytes: usize = batches[1].get_array_memory_size();
        let rows = batches[1].num_rows();
        assert!(rows > 8192, "{rows} rows");
        // About DEFAULT_BATCH_BYTES of used data; allocated capacity may be up to twice that.
        assert!(
            bytes <= 2 * datasource_py::DEFAULT_BATCH_BYTES + 1024,
            "{bytes} bytes"
        );
        assert!(
            bytes >= datasource_py::DEFAULT_BATCH_BYTES / 2,
            "{bytes} bytes"
        );
    }
}
