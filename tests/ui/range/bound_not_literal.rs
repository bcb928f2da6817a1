use datasource_py::prelude::*;

const MAX: u32 = 10;

#[data_source(name = "numbers")]
pub struct Numbers {
    #[option(range = 0..MAX)]
    n: u32,
}

fn main() {}
