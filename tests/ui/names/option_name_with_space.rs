// Spark users type option names as keys: no spaces or control characters.
use datasource_py::prelude::*;

#[data_source(name = "spaced")]
pub struct Spaced {
    #[option(name = "num rows")]
    rows: u64,
}

fn main() {}
