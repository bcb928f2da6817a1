use datasource_py::prelude::*;

#[data_source(name = "web")]
pub struct Web {
    #[option(optional)]
    url: String,
}

fn main() {}
