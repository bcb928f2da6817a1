use datasource_py::prelude::*;

pub struct Endpoint {
    pub host: String,
    pub port: u16,
}

#[data_source(name = "web")]
pub struct Web {
    endpoint: Option<Endpoint>,
}

fn main() {}
