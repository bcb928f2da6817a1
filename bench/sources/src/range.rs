//! `fakerange`: (id, value, label) rows, built either straight into Arrow arrays or one row at a
//! time, to compare the SDK's two read paths.

use std::ops::Range;
use std::sync::Arc;

use datasource_py::arrow_array::builder::StringBuilder;
use datasource_py::arrow_array::cast::AsArray;
use datasource_py::arrow_array::types::Int64Type;
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
    /// Fail with an error when this row is read (to test error handling).
    fail_at_row: Option<u64>,
    /// Panic when this row is read (to test that panics become Python errors).
    panic_at_row: Option<u64>,
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

impl FakeRange {
    /// `batch`, unless it holds the row asked to fail or panic at.
    fn misbehave(&self, batch: RecordBatch) -> Result<RecordBatch> {
        let ids = batch.column(0).as_primitive::<Int64Type>();
        for &id in ids.values() {
            if self.panic_at_row == Some(id as u64) {
                panic!("asked to panic at row {id}");
            }
            if self.fail_at_row == Some(id as u64) {
                bail!("asked to fail at row {id}");
            }
        }
        Ok(batch)
    }
}

impl SourceSchema for FakeRange {
    fn schema(&self) -> Result<SchemaRef> {
        Ok(Numbered::schema())
    }
}

impl BatchReader for FakeRange {
    /// The ids the pushed filters admit, as sorted, disjoint ranges.
    type Plan = Vec<Range<u64>>;
    /// A share of those ranges.
    type Partition = Vec<Range<u64>>;

    fn plan(&self, scan: &Scan) -> Result<Vec<Range<u64>>> {
        Ok(scan
            .filters()
            .iter()
            .fold(only(0..self.rows.num_rows), |ids, filter| {
                admitted(filter).map_or(ids.clone(), |admits| intersect(&ids, &admits))
            }))
    }

    fn partitions(&self, scan: &Scan<Vec<Range<u64>>>) -> Result<Vec<Vec<Range<u64>>>> {
        Ok(self.rows.partitions_of(scan.plan()))
    }

    fn read(
        self: Arc<Self>,
        _scan: &Scan<Vec<Range<u64>>>,
        _task: &Task,
        ranges: Vec<Range<u64>>,
    ) -> Result<Batches> {
        let stretches = ranges
            .into_iter()
            .map(|rows| {
                let row = numbered;
                let fill = |row: &mut Numbered, id: u64| {
                    row.id = id as i64;
                    row.value = value_of(id);
                    write_prefixed(&mut row.label, "row-", id);
                };
                self.rows.batches(rows, row, fill, Self::arrow_batch)
            })
            .collect::<Result<Vec<Batches>>>()?;
        let batches = Batches::from_record_batches(stretches.into_iter().flatten());
        if self.fail_at_row.is_none() && self.panic_at_row.is_none() {
            return Ok(batches);
        }
        Ok(Batches::from_record_batches(
            batches.map(move |batch| self.misbehave(batch?)),
        ))
    }
}

/// `fakerange` takes comparisons of `id` with whole numbers, and `id IN (...)`, and generates
/// only the rows they admit; Spark applies the rest.
impl FilterPushdown for FakeRange {
    fn push_filters(&self, _scan: &Scan, filters: &[Filter]) -> Result<Vec<Pushdown>> {
        Ok(filters
            .iter()
            .map(|filter| match admitted(filter) {
                Some(_) => Pushdown::Exact,
                None => Pushdown::Unsupported,
            })
            .collect())
    }
}

/// The ids a filter on `id` admits, as sorted, disjoint ranges; `None` for any other filter.
fn admitted(filter: &Filter) -> Option<Vec<Range<u64>>> {
    // Ids are 0 to 2^63 - 1: a bound below 0 admits all or none of them.
    let at_least = |low: i64| only(low.max(0) as u64..u64::MAX);
    let below = |high: i64| only(0..high.max(0) as u64);
    let whole = |value: &Literal| match value {
        Literal::Int(value) => Some(*value),
        _ => None,
    };
    if !filter.column().is("id") {
        return None;
    }
    Some(match filter {
        Filter::EqualTo { value, .. } | Filter::EqualNullSafe { value, .. } => {
            let id = whole(value)?;
            if id < 0 {
                vec![]
            } else {
                only(id as u64..id as u64 + 1)
            }
        }
        Filter::GreaterThan { value, .. } => at_least(whole(value)?.saturating_add(1)),
        Filter::GreaterThanOrEqual { value, .. } => at_least(whole(value)?),
        Filter::LessThan { value, .. } => below(whole(value)?),
        Filter::LessThanOrEqual { value, .. } => below(whole(value)?.saturating_add(1)),
        Filter::In { values, .. } => {
            // A NULL in the list never makes `id IN (...)` true: it admits nothing.
            let mut ids: Vec<u64> = values
                .iter()
                .filter(|value| **value != Literal::Null)
                .map(whole)
                .collect::<Option<Vec<i64>>>()?
                .into_iter()
                .filter_map(|id| u64::try_from(id).ok())
                .collect();
            ids.sort_unstable();
            ids.dedup();
            ids.into_iter().map(|id| id..id + 1).collect()
        }
        _ => return None,
    })
}

/// One range of ids.
fn only(ids: Range<u64>) -> Vec<Range<u64>> {
    std::iter::once(ids).collect()
}

/// The ids in both sets of sorted, disjoint ranges.
fn intersect(a: &[Range<u64>], b: &[Range<u64>]) -> Vec<Range<u64>> {
    let mut both = Vec::new();
    for x in a {
        for y in b {
            let (start, end) = (x.start.max(y.start), x.end.min(y.end));
            if start < end {
                both.push(start..end);
            }
        }
    }
    both.sort_by_key(|range| range.start);
    both
}

#[cfg(test)]
mod tests {
    use super::*;
    use datasource_py::testing::{read_all, read_all_pushed};
    use datasource_py::{ColumnPath, RawOptions};

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
    fn id_filters_are_taken_and_only_their_rows_generated() {
        let id = || ColumnPath::new("ID");
        let filters = vec![
            Filter::GreaterThanOrEqual {
                column: id(),
                value: Literal::Int(10),
            },
            Filter::LessThan {
                column: id(),
                value: Literal::Int(15),
            },
            Filter::In {
                column: id(),
                values: vec![
                    Literal::Int(3),
                    Literal::Int(12),
                    Literal::Null,
                    Literal::Int(14),
                ],
            },
            Filter::GreaterThan {
                column: ColumnPath::new("value"),
                value: Literal::Float(6.5),
            },
        ];
        let raw: RawOptions = [("numRows", "100"), ("numPartitions", "3")]
            .into_iter()
            .collect();
        let source = FakeRange::from_options(&raw).unwrap();
        let pushed = read_all_pushed(source, filters.clone()).unwrap();
        assert_eq!(pushed.handed_back, filters[3..]);
        let ids: Vec<i64> = pushed
            .batches
            .iter()
            .flat_map(|b| datasource_py::row::Rows::<Numbered>::new(b).unwrap())
            .map(|row| row.id)
            .collect();
        assert_eq!(ids, [12, 14]);
    }

    #[test]
    fn bounds_outside_the_ids_admit_all_or_nothing() {
        let below_zero = Filter::GreaterThan {
            column: ColumnPath::new("id"),
            value: Literal::Int(i64::MIN),
        };
        assert_eq!(admitted(&below_zero), Some(only(0..u64::MAX)));
        let nothing = Filter::LessThan {
            column: ColumnPath::new("id"),
            value: Literal::Int(-3),
        };
        assert_eq!(admitted(&nothing), Some(only(0..0)));
        let not = Filter::Not(Box::new(nothing));
        assert_eq!(admitted(&not), None);
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
            bytes <= 2 * datasource_py::batch_size::DEFAULT_BATCH_BYTES + 1024,
            "{bytes} bytes"
        );
        assert!(
            bytes >= datasource_py::batch_size::DEFAULT_BATCH_BYTES / 2,
            "{bytes} bytes"
        );
    }
}
