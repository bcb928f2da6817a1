// A string default for a `#[derive(OptionValue)]` enum is checked against its choices when the
// crate compiles.
use datasource_py::prelude::*;

#[derive(OptionValue)]
pub enum Codec {
    None,
    Snappy,
}

#[data_source(name = "files")]
pub struct Files {
    #[option(default = "lz4")]
    codec: Codec,
}

fn main() {}
