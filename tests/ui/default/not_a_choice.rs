use datasource_py::prelude::*;

#[data_source(name = "files")]
pub struct Files {
    #[option(default = "xml", choices = ["json", "csv"])]
    format: String,
}

fn main() {}
