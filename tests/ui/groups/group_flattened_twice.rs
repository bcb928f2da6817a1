// One group flattened by two fields: both would read the same options.
use datasource_py::prelude::*;

/// A connection.
#[derive(Options)]
pub struct Connection {
    url: String,
}

/// Copies between two databases.
#[data_source(name = "copy")]
pub struct Copy {
    #[option(flatten)]
    from: Connection,
    #[option(flatten)]
    to: Connection,
}

fn main() {}
