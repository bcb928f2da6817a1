use datasource_py::prelude::*;

#[data_source(name = "numbers", version = "1")]
pub struct Numbers {
    count: u64,
}

fn main() {}
