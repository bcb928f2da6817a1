// A source Spark can do nothing with: `export!` says so on the type, naming what to implement.
use datasource_py::prelude::*;

/// Options, but no `impl BatchReader`.
#[data_source(name = "idle")]
pub struct Idle {
    count: u64,
}

export!(pyspark_idle => Idle);

fn main() {}
