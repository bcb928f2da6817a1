//! The flagship example built with the SDK; `maturin build` makes the `pyspark_fakepeople`
//! wheel. `fakepeople`: synthetic people, every Spark type the SDK carries, read in batches
//! (Spark registers it by itself: it is the module's `DefaultSource`); `fakestream`: the same
//! people as a stream.

#![deny(missing_docs)]

mod people;
mod rng;
mod stream;

pub use people::{Address, Country, FakePeople, Person, Population};
pub use stream::{FakeStream, NextId};

datasource_py::export!(pyspark_fakepeople => FakePeople, FakeStream);

#[cfg(test)]
mod tests {
    use datasource_py::DataSource;

    #[test]
    fn readme_lists_the_options() {
        let readme = include_str!("../README.md");
        for table in [
            super::FakePeople::options_markdown(),
            super::FakeStream::options_markdown(),
        ] {
            assert!(readme.contains(&table), "README.md is missing:\n{table}");
        }
    }
}
