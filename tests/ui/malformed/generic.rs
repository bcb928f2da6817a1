use datasource_py::prelude::*;

#[data_source(name = "numbers")]
pub struct Numbers<T> {
    count: T,
}

fn main() {}
