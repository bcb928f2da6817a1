// `secret` is gone: the type says whether a value is secret (`Secret<T>`), so the key is
// refused with that explanation, whatever the type.
use datasource_py::prelude::*;

#[data_source(name = "web")]
pub struct Web {
    #[option(secret)]
    password: String,
    #[option(secret)]
    token: Option<Secret<String>>,
}

fn main() {}
