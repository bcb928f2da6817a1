// `flatten` on a field that is not a group of options: reported on its type.
use datasource_py::prelude::*;

#[data_source(name = "files")]
pub struct Files {
    #[option(flatten)]
    paths: Vec<String>,
}

fn main() {}
