use datasource_py::prelude::*;

#[data_source(name = "numbers")]
pub struct Numbers {
    #[option(default = 1, default = 2)]
    count: u64,
}

fn main() {}
