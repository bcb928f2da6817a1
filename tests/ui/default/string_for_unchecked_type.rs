// A string default is only taken where the compiler can check it; a list of numbers needs a
// value of its type.
use datasource_py::prelude::*;

#[data_source(name = "weights")]
pub struct Weights {
    #[option(default = "1,2,x")]
    weights: Vec<u32>,
}

fn main() {}
