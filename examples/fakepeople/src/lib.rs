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

datasource_py::export!(pyspark_fakepeople => FakePeople, FakeRange, FakeWide);

/// `batch` (of `batch_rows` rows) again and again, sliced to fit `rows`: a source whose only
/// cost is the SDK's, for the benchmark.
fn repeat_batch<R: datasource_py::Row>(
    batch: datasource_py::arrow_array::RecordBatch,
    rows: std::ops::Range<u64>,
    batch_rows: usize,
) -> datasource_py::Batches<R> {
    datasource_py::Batches::from_row_ranges(rows, batch_rows, move |ids| {
        Ok(batch.slice(0, (ids.end - ids.start) as usize))
    })
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
