use datasource_py::prelude::*;

#[data_source(name = "numbers")]
pub enum Numbers {
    Few,
    Many,
}

fn main() {}
