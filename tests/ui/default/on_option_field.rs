use datasource_py::prelude::*;

#[data_source(name = "numbers")]
pub struct Numbers {
    #[option(default = 10)]
    limit: Option<u64>,
}

fn main() {}
