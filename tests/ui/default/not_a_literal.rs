use datasource_py::prelude::*;

const LIMIT: u64 = 10;

#[data_source(name = "numbers")]
pub struct Numbers {
    #[option(default = LIMIT)]
    n: u64,
}

fn main() {}
