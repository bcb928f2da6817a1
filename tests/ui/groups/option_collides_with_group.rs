// A field reading an option that a flattened group also reads: Spark would hand both the one value.
use datasource_py::prelude::*;

/// Retrying.
#[derive(Options)]
pub struct Retry {
    #[option(default = 3)]
    max_retries: u32,
}

#[data_source(name = "api")]
pub struct Api {
    #[option(default = 5)]
    max_retries: u32,
    #[option(flatten)]
    retry: Retry,
}

fn main() {}
