use datasource_py::prelude::*;

#[data_source(name = "numbers")]
pub struct Numbers {
    #[option(range = 10)]
    n: u32,
}

fn main() {}
