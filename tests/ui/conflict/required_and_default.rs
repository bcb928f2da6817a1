use datasource_py::prelude::*;

#[data_source(name = "numbers")]
pub struct Numbers {
    #[option(required, default = 10)]
    count: u64,
}

fn main() {}
