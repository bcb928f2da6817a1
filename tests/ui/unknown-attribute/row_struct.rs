use datasource_py::prelude::*;

#[derive(Row)]
#[spark(rename_all = "camelCase")]
pub struct Person {
    full_name: String,
}

fn main() {}
