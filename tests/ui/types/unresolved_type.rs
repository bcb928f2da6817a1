use datasource_py::prelude::*;

#[data_source(name = "web")]
pub struct Web {
    url: Strng,
}

#[derive(Row)]
pub struct Page {
    title: Strng,
}

fn main() {}
