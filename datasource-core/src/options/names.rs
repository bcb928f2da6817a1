//! The option names a set of options declares, as a tree of its own and its flattened groups',
//! checked when a crate compiles: two fields that read the same option (directly, through a
//! group, or a group flattened twice) are a compile error naming both.

/// What a `#[data_source]` struct or `#[derive(Options)]` type declares: `(option, field)`
/// pairs of its own, and `(field, names)` of each group it flattens.
#[doc(hidden)]
#[derive(Debug)]
pub struct OptionNames {
    pub own: &'static [(&'static str, &'static str)],
    pub groups: &'static [(&'static str, &'static OptionNames)],
}

impl OptionNames {
    /// No option at all.
    pub const NONE: OptionNames = OptionNames {
        own: &[],
        groups: &[],
    };
}

/// The most options one source can declare (the check is a constant evaluation).
const MOST: usize = 1024;

/// One option: its name, and the top-level field that reads it (`by_group`: through a group).
#[derive(Clone, Copy)]
struct Declared {
    name: &'static str,
    field: &'static str,
    by_group: bool,
}

const EMPTY: Declared = Declared {
    name: "",
    field: "",
    by_group: false,
};

/// Fails the constant evaluation (a compile error) when `names`, the options of the source
/// named `source`, declare an option twice, ignoring case as Spark does.
pub const fn assert_distinct_options(source: &'static str, names: &OptionNames) {
    let mut declared = [EMPTY; MOST];
    let count = collect(names, None, &mut declared, 0);
    let mut second = 1;
    while second < count {
        let mut first = 0;
        while first < second {
            let (a, b) = (declared[first], declared[second]);
            if same_name(a.name, b.name) {
                let message = Message::new()
                    .push("data source `")
                    .push(source)
                    .push("` reads option `")
                    .push(b.name)
                    .push("` twice: ")
                    .by(a)
                    .push(" and ")
                    .by(b)
                    .push(
                        " both declare it; rename one with `#[option(name = \"...\")]`, or \
                           flatten a group once",
                    );
                panic!("{}", message.text());
            }
            first += 1;
        }
        second += 1;
    }
}

/// Adds every option of `names` to `declared` from `count` on; the new count. `via`: the
/// top-level field of the group being walked.
const fn collect(
    names: &OptionNames,
    via: Option<&'static str>,
    declared: &mut [Declared; MOST],
    mut count: usize,
) -> usize {
    let mut index = 0;
    while index < names.own.len() && count < MOST {
        let (name, field) = names.own[index];
        declared[count] = match via {
            Some(group) => Declared {
                name,
                field: group,
                by_group: true,
            },
            None => Declared {
                name,
                field,
                by_group: false,
            },
        };
        count += 1;
        index += 1;
    }
    let mut index = 0;
    while index < names.groups.len() {
        let (field, group) = names.groups[index];
        let via = match via {
            Some(outer) => outer,
            None => field,
        };
        count = collect(group, Some(via), declared, count);
        index += 1;
    }
    count
}

const fn same_name(a: &str, b: &str) -> bool {
    a.as_bytes().eq_ignore_ascii_case(b.as_bytes())
}

/// A message composed in a constant evaluation, which cannot allocate.
struct Message {
    bytes: [u8; 512],
    len: usize,
}

impl Message {
    const fn new() -> Self {
        Message {
            bytes: [0; 512],
            len: 0,
        }
    }

    /// `text` appended whole, or not at all when it does not fit (the text stays UTF-8).
    const fn push(mut self, text: &str) -> Self {
        let text = text.as_bytes();
        if self.len + text.len() > self.bytes.len() {
            return self;
        }
        let mut index = 0;
        while index < text.len() {
            self.bytes[self.len + index] = text[index];
            index += 1;
        }
        self.len += text.len();
        self
    }

    const fn by(self, declared: Declared) -> Self {
        let kind = if declared.by_group {
            "the group flattened as `"
        } else {
            "field `"
        };
        self.push(kind).push(declared.field).push("`")
    }

    const fn text(&self) -> &str {
        match core::str::from_utf8(self.bytes.split_at(self.len).0) {
            Ok(text) => text,
            Err(_) => "an option is declared twice",
        }
    }
}
