// Options are judged by their type, not its spelling: an alias of a string takes no range.
use datasource_py::prelude::*;

type Name = String;

#[data_source(name = "names")]
pub struct Names {
    #[option(range = 1..=3)]
    name: Name,
}

fn main() {}
