// `validate` names a function of `&Self` that returns `Result<()>`.
use datasource_py::prelude::*;

#[data_source(name = "window", validate = Self::check)]
pub struct Window {
    #[option(default = 0)]
    first: u64,
}

impl Window {
    fn check(&self) -> bool {
        self.first > 0
    }
}

fn main() {}
