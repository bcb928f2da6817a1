use datasource_py::prelude::*;

#[data_source(name = "numbers")]
pub struct Numbers {
    num_rows: u64,
    #[option(name = "NUMROWS")]
    other: u64,
}

fn main() {}
