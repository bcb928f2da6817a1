use datasource_py::prelude::*;

#[derive(Row)]
pub struct Counter {
    count: u32,
}

fn main() {}
