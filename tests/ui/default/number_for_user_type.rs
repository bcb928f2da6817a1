// The macro cannot know what a user's option type accepts: a literal of the wrong type is
// reported by the compiler, on the literal.
use datasource_py::prelude::*;
use datasource_py::OptionValue;

pub struct Level(u8);

impl OptionValue for Level {
    fn expected() -> String {
        "a level".into()
    }
    fn parse_option(raw: &str) -> std::result::Result<Self, String> {
        raw.parse().map(Level).map_err(|_| "not a level".into())
    }
}

#[data_source(name = "levels")]
pub struct Levels {
    #[option(default = 5)]
    level: Level,
}

fn main() {}
