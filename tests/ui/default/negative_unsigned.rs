use datasource_py::prelude::*;

#[data_source(name = "numbers")]
pub struct Numbers {
    #[option(default = -1)]
    count: u32,
}

fn main() {}
