use datasource_py::prelude::*;

#[data_source(name = "numbers", name = "figures")]
pub struct Numbers {
    count: u64,
}

fn main() {}
