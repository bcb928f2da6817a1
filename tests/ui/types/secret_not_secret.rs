use datasource_py::prelude::*;

#[data_source(name = "web")]
pub struct Web {
    #[option(secret)]
    password: String,
    #[option(secret)]
    token: Option<String>,
}

fn main() {}
