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
