use datasource_py::prelude::*;

#[data_source(name = "numbers")]
pub struct Numbers {
    #[option(range = "a".."z")]
    n: u32,
}

fn main() {}
