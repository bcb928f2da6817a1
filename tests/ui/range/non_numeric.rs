use datasource_py::prelude::*;

#[data_source(name = "names")]
pub struct Names {
    #[option(range = 0..10)]
    name: String,
}

fn main() {}
