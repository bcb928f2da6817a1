use datasource_py::prelude::*;

#[derive(Row)]
pub struct Person {
    #[spark(rename = "")]
    name: String,
}

fn main() {}
