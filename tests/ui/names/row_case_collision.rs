use datasource_py::prelude::*;

#[derive(Row)]
pub struct Person {
    name: String,
    #[spark(rename = "NAME")]
    display_name: String,
}

fn main() {}
