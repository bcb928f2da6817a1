//! Labels such as `row-42`, written without `core::fmt` (which was over half of the time spent
//! building the benchmark's string columns).

use std::fmt::Write;

use datasource_py::arrow_array::builder::StringBuilder;

/// `prefix` then `n` in decimal, as an owned string (the row path).
pub fn prefixed(prefix: &str, n: impl itoa::Integer) -> String {
    let mut digits = itoa::Buffer::new();
    let digits = digits.format(n);
    let mut text = String::with_capacity(prefix.len() + digits.len());
    text.push_str(prefix);
    text.push_str(digits);
    text
}

/// Replaces `text` with `prefix` then `n`, keeping its allocation (the reused-row path).
pub fn write_prefixed(text: &mut String, prefix: &str, n: impl itoa::Integer) {
    let mut digits = itoa::Buffer::new();
    text.clear();
    text.push_str(prefix);
    text.push_str(digits.format(n));
}

/// Appends `prefix` then `n` as one value of `builder` (the Arrow path: no allocation).
pub fn append_prefixed(builder: &mut StringBuilder, prefix: &str, n: impl itoa::Integer) {
    let mut digits = itoa::Buffer::new();
    // Writes into the value being built; `append_value("")` ends it. A String builder's
    // `write_str` cannot fail.
    let _ = builder.write_str(prefix);
    let _ = builder.write_str(digits.format(n));
    builder.append_value("");
}

#[cfg(test)]
mod tests {
    use super::*;
    use datasource_py::arrow_array::Array;

    #[test]
    fn both_forms_write_the_same_text() {
        assert_eq!(prefixed("row-", 42u64), "row-42");
        assert_eq!(prefixed("n", -7i64), "n-7");
        let mut reused = prefixed("much-longer-", 1u8);
        write_prefixed(&mut reused, "k", 5u8);
        assert_eq!(reused, "k5");
        let mut builder = StringBuilder::new();
        append_prefixed(&mut builder, "row-", 42u64);
        append_prefixed(&mut builder, "k", 0i64);
        let array = builder.finish();
        assert_eq!(array.len(), 2);
        assert_eq!(array.value(0), "row-42");
        assert_eq!(array.value(1), "k0");
    }
}
