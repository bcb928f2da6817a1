use datasource_py::prelude::*;

#[data_source(name = "files")]
pub struct Files {
    #[option(choices = [])]
    format: String,
}

fn main() {}
