use datasource_py::prelude::*;

#[data_source(name = "numbers")]
pub struct Numbers {
    #[option(default = "abc")]
    n: u64,
}

fn main() {}
