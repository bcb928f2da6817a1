use datasource_py::prelude::*;

#[data_source(name = "numbers")]
pub struct Numbers {
    #[option(default = 0, range = 1..=64)]
    num_partitions: u32,
}

fn main() {}
