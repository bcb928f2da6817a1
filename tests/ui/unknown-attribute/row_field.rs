use datasource_py::prelude::*;

#[derive(Row)]
pub struct Person {
    #[spark(name = "fullName")]
    name: String,
}

fn main() {}
