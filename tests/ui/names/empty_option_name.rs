use datasource_py::prelude::*;

#[data_source(name = "numbers")]
pub struct Numbers {
    #[option(name = "")]
    count: u64,
}

fn main() {}
