use datasource_py::prelude::*;

#[data_source(name = "web")]
pub struct Web {
    #[option(required = true)]
    url: String,
}

fn main() {}
