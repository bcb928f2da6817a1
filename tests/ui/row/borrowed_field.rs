// A row owns its values: a borrowed field gets told what to write instead.
use datasource_py::prelude::*;

#[derive(Row)]
pub struct Named<'a> {
    name: &'a str,
}

fn main() {}
