use datasource_py::prelude::*;

#[data_source(name = "kinds")]
pub struct Kinds {
    #[option(default = 1)]
    flag: bool,
    #[option(default = true)]
    label: String,
    #[option(default = "half")]
    ratio: f64,
    #[option(default = "ab")]
    separator: char,
}

fn main() {}
