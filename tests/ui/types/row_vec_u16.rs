use datasource_py::prelude::*;

#[derive(Row)]
pub struct Samples {
    values: Vec<u16>,
}

fn main() {}
