//! Example data sources built with the SDK; `maturin build` makes the `pyspark_fakepeople` wheel.
//! Spark registers `fakepeople` by itself (it is the module's `DefaultSource`);
//! `pyspark_fakepeople.register(spark)` also registers `fakerange` and `fakewide`.

mod people;
mod range;
mod rng;
mod text;
mod wide;

pub use people::{Address, Country, FakePeople, Person};
pub use range::{FakeRange, Numbered};
pub use wide::{FakeWide, WideRow};

use std::ops::Range;

use datasource_py::arrow_array::RecordBatch;
use datasource_py::prelude::*;

datasource_py::export!(pyspark_fakepeople => FakePeople, FakeRange, FakeWide);

/// The options `fakerange` and `fakewide` share: how many rows, in how many partitions, and
/// how their batches are built.
#[derive(Options, Debug, Clone)]
pub struct GeneratedRows {
    /// Rows to produce.
    #[option(required, range = 0..)]
    num_rows: u64,
    /// Spark partitions to split the rows into.
    #[option(default = 2, range = 1..=1024)]
    num_partitions: u32,
    /// How batches are built.
    #[option(default = "arrow")]
    path: BuildPath,
    /// Rows per Arrow batch.
    #[option(default = 8192, range = 1..=1_000_000)]
    batch_rows: usize,
}

/// How a benchmark source builds its batches.
#[derive(OptionValue, Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuildPath {
    /// Fill Arrow arrays directly.
    Arrow,
    /// Push rows through the derived builder.
    Rows,
    /// Build one batch and hand it over again and again: what is left is the SDK's own cost
    /// (the values repeat, so use it only to measure).
    Repeat,
}

impl GeneratedRows {
    fn partitions(&self) -> Vec<Range<u64>> {
        split_range(0..self.num_rows, self.num_partitions.into())
    }

    /// The batches of `rows` as `path` asks: `rows` pushes `row(i)` through the derived
    /// builder, `arrow` calls `batch` for each `batch_rows`-long stretch, `repeat` hands the
    /// first such batch over again and again.
    fn batches<R: Row>(
        &self,
        rows: Range<u64>,
        row: impl Fn(u64) -> R + Send + 'static,
        batch: impl Fn(Range<u64>) -> Result<RecordBatch> + Send + 'static,
    ) -> Result<Batches> {
        let batch_rows = self.batch_rows;
        match self.path {
            BuildPath::Rows => Ok(Batches::from_fallible_rows_in_batches(
                rows.map(move |i| Ok(row(i))),
                batch_rows,
            )),
            BuildPath::Repeat => {
                let first = batch(0..batch_rows as u64)?;
                Ok(Batches::from_row_ranges(rows, batch_rows, move |ids| {
                    Ok(first.slice(0, (ids.end - ids.start) as usize))
                }))
            }
            BuildPath::Arrow => Ok(Batches::from_row_ranges(rows, batch_rows, batch)),
        }
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
