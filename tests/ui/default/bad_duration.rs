use datasource_py::prelude::*;

#[data_source(name = "slow")]
pub struct Slow {
    #[option(default = "soon")]
    t: std::time::Duration,
}

fn main() {}
