use datasource_py::prelude::*;

#[data_source(name = "numbers")]
pub struct Numbers {
    #[option(range = 1..10, choices = ["1", "2"])]
    level: u32,
}

fn main() {}
