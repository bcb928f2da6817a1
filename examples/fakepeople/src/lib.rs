//! Example data sources built with the SDK; `maturin build` makes the `pyspark_fakepeople` wheel.
//! Spark registers `fakepeople` by itself (it is the module's `DefaultSource`);
//! `pyspark_fakepeople.register(spark)` also registers `fakerange`.

mod people;
mod range;
mod rng;

pub use people::{Address, FakePeople, Person};
pub use range::{FakeRange, Numbered};

datasource_py::export!(pyspark_fakepeople => FakePeople, FakeRange);
