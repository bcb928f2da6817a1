//! `fakewide`: twenty columns of mixed types (a timestamp, a decimal, a list, nullable ones),
//! each a simple function of the row id so pure-Python sources can produce the very same data
//! for the benchmark. `path` picks raw Arrow arrays or the derived row builder.

use std::ops::Range;
use std::sync::Arc;

use datasource_py::arrow_array::builder::StringBuilder;
use datasource_py::arrow_array::{
    ArrayRef, BinaryArray, BooleanArray, Date32Array, Decimal128Array, Float32Array, Float64Array,
    Int8Array, Int16Array, Int32Array, Int64Array, ListArray, RecordBatch,
    TimestampMicrosecondArray,
};
use datasource_py::arrow_buffer::{BooleanBuffer, OffsetBuffer};
use datasource_py::arrow_schema::{DataType, Field};
use datasource_py::chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use datasource_py::prelude::*;
use datasource_py::{Binary, Decimal};

use crate::GeneratedRows;
use crate::text::{append_prefixed, prefixed, write_prefixed};
use datasource_py::types::SPARK_TIMESTAMP_TZ;

/// Twenty mixed columns, each a function of the row id; `path` picks how batches are built.
#[data_source(name = "fakewide")]
#[derive(Debug, Clone)]
pub struct FakeWide {
    #[option(flatten)]
    rows: GeneratedRows,
}

/// One wide row.
#[derive(Row, Debug, Clone, PartialEq, Default)]
pub struct WideRow {
    pub id: i64,
    pub int_col: i32,
    pub short_col: i16,
    pub byte_col: i8,
    pub double_col: f64,
    pub float_col: f32,
    pub bool_col: bool,
    pub str_col: String,
    pub date_col: NaiveDate,
    pub ts_col: DateTime<Utc>,
    pub ntz_col: NaiveDateTime,
    pub dec_col: Decimal<12, 2>,
    pub list_col: Vec<i64>,
    pub opt_long: Option<i64>,
    pub opt_str: Option<String>,
    pub double2: f64,
    pub long2: i64,
    pub int2: i32,
    pub str2: String,
    pub bin_col: Binary,
}

/// Microseconds since the epoch of row 0's timestamps (2020-09-13T12:26:40Z).
const TS_BASE_MICROS: i64 = 1_600_000_000_000_000;

fn micros(i: i64) -> i64 {
    TS_BASE_MICROS + i * 1000
}

/// The row with number `i`.
pub fn wide_row(i: i64) -> WideRow {
    let ts = DateTime::from_timestamp_micros(micros(i)).expect("in range");
    WideRow {
        id: i,
        int_col: (i % 100_000) as i32,
        short_col: (i % 1000) as i16,
        byte_col: (i % 100) as i8,
        double_col: i as f64 * 0.25,
        float_col: (i % 1000) as f32 * 0.5,
        bool_col: i % 2 == 0,
        str_col: prefixed("row-", i),
        date_col: NaiveDate::from_num_days_from_ce_opt(719_163 + (i % 20_000) as i32)
            .expect("in range"),
        ts_col: ts,
        ntz_col: ts.naive_utc(),
        dec_col: Decimal::from_unscaled((i % 1_000_000_000) as i128).expect("fits"),
        list_col: vec![i, i + 1, i + 2],
        opt_long: (i % 10 != 0).then_some(i),
        opt_str: (i % 7 != 0).then(|| prefixed("n", i % 1000)),
        double2: i as f64 / 3.0,
        long2: i * 7,
        int2: ((i * 3) % 65_536) as i32,
        str2: prefixed("k", i % 100),
        bin_col: Binary((i as u64).to_le_bytes()[..4].to_vec()),
    }
}

/// `wide_row(i)` written into `row`, keeping its strings' and lists' allocations.
fn fill_wide_row(row: &mut WideRow, i: i64) {
    let ts = DateTime::from_timestamp_micros(micros(i)).expect("in range");
    row.id = i;
    row.int_col = (i % 100_000) as i32;
    row.short_col = (i % 1000) as i16;
    row.byte_col = (i % 100) as i8;
    row.double_col = i as f64 * 0.25;
    row.float_col = (i % 1000) as f32 * 0.5;
    row.bool_col = i % 2 == 0;
    write_prefixed(&mut row.str_col, "row-", i);
    row.date_col =
        NaiveDate::from_num_days_from_ce_opt(719_163 + (i % 20_000) as i32).expect("in range");
    row.ts_col = ts;
    row.ntz_col = ts.naive_utc();
    row.dec_col = Decimal::from_unscaled((i % 1_000_000_000) as i128).expect("fits");
    row.list_col.clear();
    row.list_col.extend([i, i + 1, i + 2]);
    row.opt_long = (i % 10 != 0).then_some(i);
    if i % 7 == 0 {
        row.opt_str = None;
    } else {
        write_prefixed(row.opt_str.get_or_insert_default(), "n", i % 1000);
    }
    row.double2 = i as f64 / 3.0;
    row.long2 = i * 7;
    row.int2 = ((i * 3) % 65_536) as i32;
    write_prefixed(&mut row.str2, "k", i % 100);
    row.bin_col.0.clear();
    row.bin_col
        .0
        .extend_from_slice(&(i as u64).to_le_bytes()[..4]);
}

/// A string column of `prefix` + `number(i)`, null where `number` gives `None`.
fn strings(
    ids: &Range<i64>,
    bytes_each: usize,
    prefix: &str,
    number: impl Fn(i64) -> Option<i64>,
) -> ArrayRef {
    let len = (ids.end - ids.start) as usize;
    let mut builder = StringBuilder::with_capacity(len, len * bytes_each);
    for i in ids.clone() {
        match number(i) {
            Some(n) => append_prefixed(&mut builder, prefix, n),
            None => builder.append_null(),
        }
    }
    Arc::new(builder.finish())
}

fn arrow_batch(ids: Range<i64>) -> Result<RecordBatch> {
    let each = || ids.clone();
    let len = (ids.end - ids.start) as usize;
    // Element k of the flattened lists is id k / 3 plus k % 3: one pass, no growth.
    let list_values =
        Int64Array::from_iter_values((0..3 * (len as i64)).map(|k| ids.start + k / 3 + k % 3));
    let list = ListArray::new(
        Arc::new(Field::new("element", DataType::Int64, false)),
        OffsetBuffer::from_lengths(std::iter::repeat_n(3, len)),
        Arc::new(list_values),
        None,
    );
    // Every value is the id's 4 low bytes: fixed-width offsets, one values buffer.
    let bytes: Vec<u8> = each()
        .flat_map(|i| {
            let [a, b, c, d, ..] = (i as u64).to_le_bytes();
            [a, b, c, d]
        })
        .collect();
    let binary = BinaryArray::new(
        OffsetBuffer::from_lengths(std::iter::repeat_n(4, len)),
        bytes.into(),
        None,
    );
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from_iter_values(each())),
        Arc::new(Int32Array::from_iter_values(
            each().map(|i| (i % 100_000) as i32),
        )),
        Arc::new(Int16Array::from_iter_values(
            each().map(|i| (i % 1000) as i16),
        )),
        Arc::new(Int8Array::from_iter_values(each().map(|i| (i % 100) as i8))),
        Arc::new(Float64Array::from_iter_values(
            each().map(|i| i as f64 * 0.25),
        )),
        Arc::new(Float32Array::from_iter_values(
            each().map(|i| (i % 1000) as f32 * 0.5),
        )),
        Arc::new(BooleanArray::new(
            BooleanBuffer::collect_bool(len, |k| (ids.start + k as i64) % 2 == 0),
            None,
        )),
        strings(&ids, 12, "row-", Some),
        Arc::new(Date32Array::from_iter_values(
            each().map(|i| (i % 20_000) as i32),
        )),
        Arc::new(
            TimestampMicrosecondArray::from_iter_values(each().map(micros))
                .with_timezone(SPARK_TIMESTAMP_TZ),
        ),
        Arc::new(TimestampMicrosecondArray::from_iter_values(
            each().map(micros),
        )),
        Arc::new(
            Decimal128Array::from_iter_values(each().map(|i| (i % 1_000_000_000) as i128))
                .with_precision_and_scale(12, 2)?,
        ),
        Arc::new(list),
        Arc::new(
            each()
                .map(|i| (i % 10 != 0).then_some(i))
                .collect::<Int64Array>(),
        ),
        strings(&ids, 4, "n", |i| (i % 7 != 0).then_some(i % 1000)),
        Arc::new(Float64Array::from_iter_values(
            each().map(|i| i as f64 / 3.0),
        )),
        Arc::new(Int64Array::from_iter_values(each().map(|i| i * 7))),
        Arc::new(Int32Array::from_iter_values(
            each().map(|i| ((i * 3) % 65_536) as i32),
        )),
        strings(&ids, 3, "k", |i| Some(i % 100)),
        Arc::new(binary),
    ];
    Ok(RecordBatch::try_new(WideRow::schema(), columns)?)
}

impl SourceSchema for FakeWide {
    fn schema(&self) -> Result<SchemaRef> {
        Ok(WideRow::schema())
    }
}

impl BatchReader for FakeWide {
    type Plan = ();
    type Partition = Range<u64>;

    fn partitions(&self, _scan: &Scan) -> Result<Vec<Range<u64>>> {
        Ok(self.rows.partitions())
    }

    fn read(self: Arc<Self>, _scan: &Scan, _: &Task, rows: Range<u64>) -> Result<Batches> {
        self.rows.batches(
            rows,
            |i| wide_row(i as i64),
            |row, i| fill_wide_row(row, i as i64),
            |ids| arrow_batch(ids.start as i64..ids.end as i64),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datasource_py::RawOptions;
    use datasource_py::testing::read_all;

    fn collect(path: &str) -> Vec<RecordBatch> {
        let raw: RawOptions = [("numRows", "10001"), ("path", path), ("batchRows", "3000")]
            .into_iter()
            .collect();
        read_all(FakeWide::from_options(&raw).unwrap()).unwrap()
    }

    #[test]
    fn every_path_builds_the_same_batches() {
        let arrow = collect("arrow");
        assert_eq!(arrow, collect("rows"));
        assert_eq!(arrow, collect("filled"));
        assert_eq!(arrow.iter().map(|b| b.num_rows()).sum::<usize>(), 10001);
        assert_eq!(arrow[0].num_columns(), 20);
    }
}
