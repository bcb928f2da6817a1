use datasource_py::prelude::*;

#[data_source(name = "paint")]
pub struct Paint {
    #[option(colour = "red")]
    brush: u32,
}

fn main() {}
