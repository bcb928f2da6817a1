// An inverted range is reported once: the default is not also measured against it.
use datasource_py::prelude::*;

#[data_source(name = "inverted")]
pub struct Inverted {
    #[option(default = 5, range = 10..=1)]
    level: u32,
}

fn main() {}
