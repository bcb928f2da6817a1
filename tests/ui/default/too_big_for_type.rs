use datasource_py::prelude::*;

#[data_source(name = "numbers")]
pub struct Numbers {
    #[option(default = 300)]
    small: u8,
}

fn main() {}
