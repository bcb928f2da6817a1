// A flattened group takes no option keys: its own fields declare its options.
use datasource_py::prelude::*;

#[derive(Options)]
pub struct Connection {
    url: String,
}

#[data_source(name = "db")]
pub struct Db {
    #[option(flatten, name = "conn", default = 1)]
    connection: Connection,
}

fn main() {}
