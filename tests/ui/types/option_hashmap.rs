use datasource_py::prelude::*;

#[data_source(name = "headers")]
pub struct Headers {
    headers: std::collections::HashMap<String, String>,
}

fn main() {}
