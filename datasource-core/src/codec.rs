//! The one codec for everything that crosses processes: partitions planned on the driver and
//! read on executors, what the driver learned while planning, and (for writers and streams)
//! commit messages and offsets. Values travel as JSON through serde, so any serde type works
//! and a stream offset is the JSON Spark stores in its checkpoint.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// The longest stretch of offending text an error quotes.
const QUOTED_CHARS: usize = 200;

/// A value that did not encode, or text that did not decode into the expected type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{data_source}: {what} {failure}: {reason}{quoted}")]
pub struct CodecError {
    data_source: &'static str,
    what: &'static str,
    failure: &'static str,
    reason: String,
    quoted: String,
}

/// Encodes `value` (a `what`, such as "partition", of the source named `source`) as JSON.
pub fn encode<T: Serialize>(
    source: &'static str,
    what: &'static str,
    value: &T,
) -> Result<String, CodecError> {
    serde_json::to_string(value).map_err(|error| CodecError {
        data_source: source,
        what,
        failure: "does not encode",
        reason: error.to_string(),
        quoted: String::new(),
    })
}

/// Decodes JSON `text` into a `what` of the source named `source`; the error quotes the text
/// (shortened), so a stale checkpoint or a mismatched version is easy to recognise.
pub fn decode<T: DeserializeOwned>(
    source: &'static str,
    what: &'static str,
    text: &str,
) -> Result<T, CodecError> {
    serde_json::from_str(text).map_err(|error| CodecError {
        data_source: source,
        what,
        failure: "does not decode",
        reason: error.to_string(),
        quoted: format!("; got `{}`", shorten(text)),
    })
}

fn shorten(text: &str) -> String {
    match text.char_indices().nth(QUOTED_CHARS) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use std::ops::Range;

    use super::*;

    #[test]
    fn values_round_trip() {
        let text = encode("src", "partition", &(3u64..7)).unwrap();
        assert_eq!(text, r#"{"start":3,"end":7}"#);
        assert_eq!(decode::<Range<u64>>("src", "partition", &text), Ok(3..7));
    }

    #[test]
    fn errors_name_the_source_what_and_text() {
        let error = decode::<Range<u64>>("src", "partition", r#"{"start":3}"#).unwrap_err();
        assert_eq!(
            error.to_string(),
            r#"src: partition does not decode: missing field `end` at line 1 column 11; got `{"start":3}`"#
        );
    }

    #[test]
    fn long_text_is_shortened() {
        let long = format!("[{}]", "1,".repeat(500));
        let error = decode::<Range<u64>>("src", "offset", &long)
            .unwrap_err()
            .to_string();
        assert!(error.ends_with("...`"), "{error}");
        assert!(error.len() < 400, "{error}");
    }
}
