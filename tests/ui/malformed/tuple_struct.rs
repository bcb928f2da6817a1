use datasource_py::prelude::*;

#[data_source(name = "numbers")]
pub struct Numbers(u64);

fn main() {}
