use datasource_py::prelude::*;

#[derive(Row)]
pub struct Wrapper<T> {
    value: T,
}

fn main() {}
