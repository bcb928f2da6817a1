use datasource_py::prelude::*;

#[data_source(name = "my format")]
pub struct Numbers {
    count: u64,
}

fn main() {}
