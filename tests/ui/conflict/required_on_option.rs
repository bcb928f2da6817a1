use datasource_py::prelude::*;

#[data_source(name = "web")]
pub struct Web {
    #[option(required)]
    url: Option<String>,
}

fn main() {}
