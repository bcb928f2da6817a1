// A range with values the field's type cannot hold.
use datasource_py::prelude::*;

#[data_source(name = "bytes")]
pub struct Bytes {
    #[option(default = 8, range = 0..=1000)]
    width: u8,
    #[option(default = 0, range = -5..10)]
    offset: u32,
    #[option(default = 1, range = 1..=128)]
    fine: i8,
}

fn main() {}
