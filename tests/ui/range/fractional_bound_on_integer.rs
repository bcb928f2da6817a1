// A whole-number option takes whole bounds.
use datasource_py::prelude::*;

#[data_source(name = "ratio")]
pub struct Ratio {
    #[option(range = 0.5..=2.5)]
    parts: u32,
}

fn main() {}
