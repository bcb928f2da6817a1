//! Example data sources built with the SDK; `maturin build` makes the `pyspark_fakepeople` wheel.
//! Spark registers `fakepeople` by itself (it is the module's `DefaultSource`);
//! `pyspark_fakepeople.register(spark)` also registers `fakerange` and `fakewide`.

mod people;
mod range;
mod rng;
mod text;
mod wide;

pub use people::{Address, FakePeople, Person};
pub use range::{FakeRange, Numbered};
pub use wide::{FakeWide, WideRow};

use std::ops::Range;

use datasource_py::arrow_array::RecordBatch;
use datasource_py::{Batches, Result, Row};

datasource_py::export!(pyspark_fakepeople => FakePeople, FakeRange, FakeWide);

/// The batches of `rows` as the benchmark sources' `path` option asks: `rows` pushes
/// `row(i)` through the derived builder, `arrow` calls `batch` for each `batch_rows`-long
/// stretch, `repeat` hands the first such batch over again and again (so only the SDK's own
/// cost is left).
fn batches_by_path<R: Row>(
    path: &str,
    rows: Range<u64>,
    batch_rows: usize,
    row: impl Fn(u64) -> R + Send + 'static,
    batch: impl Fn(Range<u64>) -> Result<RecordBatch> + Send + 'static,
) -> Result<Batches<R>> {
    match path {
        "rows" => Ok(Batches::from_fallible_rows_in_batches(
            rows.map(move |i| Ok(row(i))),
            batch_rows,
        )),
        "repeat" => {
            let first = batch(0..batch_rows as u64)?;
            Ok(Batches::from_row_ranges(rows, batch_rows, move |ids| {
                Ok(first.slice(0, (ids.end - ids.start) as usize))
            }))
        }
        _ => Ok(Batches::from_row_ranges(rows, batch_rows, batch)),
    }
}

#[cfg(test)]
mod tests {
    use datasource_py::DataSource;

    #[test]
    fn readme_lists_the_options() {
        let readme = include_str!("../README.md");
        for table in [
            super::FakePeople::options_markdown(),
            super::FakeRange::options_markdown(),
            super::FakeWide::options_markdown(),
        ] {
            assert!(readme.contains(&table), "README.md is missing:\n{table}");
        }
    }
}
