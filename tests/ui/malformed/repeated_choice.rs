use datasource_py::prelude::*;

#[data_source(name = "files")]
pub struct Files {
    #[option(choices = ["json", "csv", "JSON"])]
    format: String,
}

fn main() {}
