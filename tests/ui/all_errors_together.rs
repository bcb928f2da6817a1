//! Every mistake in one struct is reported in one compile, each on its own token.

use datasource_py::prelude::*;

#[data_source(nmae = "numbers")]
pub struct Numbers {
    #[option(default = "abc")]
    count: u64,
    #[option(required, default = 4)]
    num_partitions: u32,
    #[option(range = 10..=1)]
    level: u32,
    #[option(secret)]
    password: String,
    #[option(name = "COUNT")]
    other_count: u64,
    #[option(colour = "red")]
    brush: u32,
}

fn main() {}
