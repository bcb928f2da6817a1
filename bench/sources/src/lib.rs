//! The sources `make bench` measures (and the tests use as sinks and oracles), in one wheel:
//! `fakerange` (the narrow case, with every way to build batches and filter pushdown),
//! `fakewide` (twenty columns of mixed types) and `fakesink` (a sink that counts, or decodes
//! and checks, what Spark writes). The examples' models are in `examples/`; these carry the
//! benchmark's knobs (`path = repeat`, `batchRows`) and test hooks (`failAtRow`, `panicAtRow`,
//! `failOnTask`).

mod range;
mod sink;
mod text;
mod wide;

pub use range::{FakeRange, Numbered};
pub use sink::{Checked, FakeSink, Tally};
pub use wide::{FakeWide, WideRow};

use std::ops::Range;

use datasource_py::arrow_array::RecordBatch;
use datasource_py::format_err;
use datasource_py::prelude::*;

datasource_py::export!(pyspark_fakerange => FakeRange, FakeWide, FakeSink);

/// The options `fakerange` and `fakewide` share: how many rows, in how many partitions, and
/// how their batches are built.
#[derive(Options, Debug, Clone)]
pub struct GeneratedRows {
    /// Rows to produce (ids are `BIGINT`s, so at most 2^63 - 1).
    #[option(required, range = 0..=9_223_372_036_854_775_807)]
    num_rows: u64,
    /// Spark partitions to split the rows into.
    #[option(default = 2, range = 1..=1024)]
    num_partitions: u32,
    /// How batches are built.
    #[option(default = "arrow")]
    path: BuildPath,
    /// Rows per Arrow batch; unset: as many as make about 8 MiB (the SDK's default).
    #[option(range = 1..=1_000_000)]
    batch_rows: Option<usize>,
}

/// How a benchmark source builds its batches.
#[derive(OptionValue, Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuildPath {
    /// Fill Arrow arrays directly.
    Arrow,
    /// Push rows through the derived builder, one owned row each.
    Rows,
    /// Refill one reused row through the derived builder: no allocation per row.
    Filled,
    /// Build one batch and hand it over again and again: what is left is the SDK's own cost
    /// (the values repeat, so use it only to measure).
    Repeat,
}

impl GeneratedRows {
    fn partitions(&self) -> Vec<Range<u64>> {
        split_range(0..self.num_rows, self.num_partitions.into())
    }

    /// `ids` (sorted, disjoint ranges) split into at most `numPartitions` shares of about as
    /// many rows each.
    fn partitions_of(&self, ids: &[Range<u64>]) -> Vec<Vec<Range<u64>>> {
        let total: u64 = ids.iter().map(|r| r.end - r.start).sum();
        let mut shares = Vec::new();
        for share in split_range(0..total, self.num_partitions.into()) {
            // The ranges of `ids` covering positions `share` of the admitted ids.
            let (mut skip, mut take) = (share.start, share.end - share.start);
            let mut ranges = Vec::new();
            for range in ids {
                let len = range.end - range.start;
                if skip >= len {
                    skip -= len;
                    continue;
                }
                let start = range.start + skip;
                let end = (start + take).min(range.end);
                take -= end - start;
                skip = 0;
                ranges.push(start..end);
                if take == 0 {
                    break;
                }
            }
            shares.push(ranges);
        }
        shares
    }

    /// The batches of `rows` as `path` asks: `rows` pushes `row(i)` through the derived
    /// builder, `filled` has `fill` write each id into one reused row, `arrow` calls `batch`
    /// for each stretch of ids, `repeat` hands the first such batch over again and again.
    fn batches<R: Row + Default>(
        &self,
        rows: Range<u64>,
        row: impl Fn(u64) -> R + Send + 'static,
        fill: impl Fn(&mut R, u64) + Send + 'static,
        batch: impl Fn(Range<u64>) -> Result<RecordBatch> + Send + 'static,
    ) -> Result<Batches> {
        let size = BatchSize::from(self.batch_rows);
        match self.path {
            BuildPath::Rows => Ok(Batches::from_fallible_rows_sized(
                rows.map(move |i| Ok(row(i))),
                size,
            )),
            BuildPath::Filled => Ok(Batches::from_filled_rows(rows, size, move |r, i| {
                fill(r, i);
                Ok(())
            })),
            BuildPath::Repeat => {
                // A batch of the size a stream of them settles on (the first is built before
                // the size is known, so take the second), handed over again and again.
                let settled = Batches::from_row_ranges(0..u64::MAX, size, batch)
                    .nth(1)
                    .transpose()?
                    .ok_or_else(|| format_err!("an endless stream of batches ended"))?;
                let len = settled.num_rows();
                Ok(Batches::from_row_ranges(rows, len, move |ids| {
                    Ok(settled.slice(0, (ids.end - ids.start) as usize))
                }))
            }
            BuildPath::Arrow => Ok(Batches::from_row_ranges(rows, size, batch)),
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
            super::FakeRange::options_markdown(),
            super::FakeWide::options_markdown(),
            super::FakeSink::options_markdown(),
        ] {
            assert!(readme.contains(&table), "README.md is missing:\n{table}");
        }
    }
}
