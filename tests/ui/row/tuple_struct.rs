use datasource_py::prelude::*;

#[derive(Row)]
pub struct Pair(i64, String);

fn main() {}
