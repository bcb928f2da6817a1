use datasource_py::prelude::*;

#[data_source]
pub struct Numbers {
    count: u64,
}

fn main() {}
