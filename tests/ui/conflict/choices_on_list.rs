// `choices` on a list would judge the whole comma-separated value, not each item.
use datasource_py::prelude::*;

#[data_source(name = "columns")]
pub struct Columns {
    #[option(choices = ["a", "b"])]
    columns: Vec<String>,
}

fn main() {}
