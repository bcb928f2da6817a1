use datasource_py::prelude::*;

#[data_source(crate = "datasource_py")]
pub struct Numbers {
    count: u64,
}

fn main() {}
