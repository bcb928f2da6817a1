use datasource_py::prelude::*;

#[data_source(name = "numbers")]
pub struct Numbers {
    #[option(defualt = 5)]
    count: u64,
}

fn main() {}
