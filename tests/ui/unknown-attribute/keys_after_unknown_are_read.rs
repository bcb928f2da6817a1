// The unknown key is the only error: `name` after it is still read, so it is not "missing".
use datasource_py::prelude::*;

#[data_source(version = "1", name = "numbers")]
pub struct Numbers {
    #[option(colour = "red", default = 5)]
    count: u64,
}

fn main() {}
