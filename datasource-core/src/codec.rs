//! The one codec for everything that crosses processes: partitions planned on the driver and
//! read on executors, what the driver learned while planning, and (for writers and streams)
//! commit messages and offsets. Values travel as JSON through serde, so any serde type works
//! and a stream offset is the JSON Spark stores in its checkpoint.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// What crosses processes: each kind is named in the errors about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Cargo {
    /// A read partition, planned on the driver, read in its task.
    Partition,
    /// A source's read plan ([`BatchReader::Plan`](crate::BatchReader::Plan)).
    Plan,
    /// What a write task tells the driver.
    CommitMessage,
    /// A stream offset (see [`encode_offset`]).
    Offset,
    /// The filters Spark offered and the source took.
    Filters,
    /// A planned reader, pickled to Spark's other processes.
    ReadState,
    /// A planned writer, pickled to Spark's other processes.
    WriteState,
}

impl Cargo {
    /// How errors name it.
    pub fn name(self) -> &'static str {
        match self {
            Cargo::Partition => "partition",
            Cargo::Plan => "plan",
            Cargo::CommitMessage => "commit message",
            Cargo::Offset => "offset",
            Cargo::Filters => "filters",
            Cargo::ReadState => "read plan",
            Cargo::WriteState => "write plan",
        }
    }
}

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

/// Encodes `value` (a `what` of the source named `source`) as JSON.
pub fn encode<T: Serialize>(
    source: &'static str,
    what: Cargo,
    value: &T,
) -> Result<String, CodecError> {
    serde_json::to_string(value).map_err(|error| CodecError {
        data_source: source,
        what: what.name(),
        failure: "does not encode",
        reason: error.to_string(),
        quoted: String::new(),
    })
}

/// Decodes JSON `text` into a `what` of the source named `source`; the error quotes the text
/// (shortened), so a stale checkpoint or a mismatched version is easy to recognise.
pub fn decode<T: DeserializeOwned>(
    source: &'static str,
    what: Cargo,
    text: &str,
) -> Result<T, CodecError> {
    serde_json::from_str(text).map_err(|error| CodecError {
        data_source: source,
        what: what.name(),
        failure: "does not decode",
        reason: error.to_string(),
        quoted: format!("; got `{}`", shorten(text)),
    })
}

/// `value` as it arrives in another process: encoded, then decoded (what the test harnesses
/// send every partition, plan and commit message through).
pub fn shipped<T: Serialize + DeserializeOwned>(
    source: &'static str,
    what: Cargo,
    value: &T,
) -> Result<T, CodecError> {
    decode(source, what, &encode(source, what, value)?)
}

/// The key a stream offset that is not a JSON object is wrapped in (Spark's offsets are
/// objects).
const OFFSET_KEY: &str = "offset";

/// Encodes a stream offset as Spark stores it: a JSON object, keys sorted at every depth (so
/// one position has one text whatever the order of a map), wrapped as `{"offset": ...}` when
/// the value is not an object itself.
pub fn encode_offset<T: Serialize>(source: &'static str, value: &T) -> Result<String, CodecError> {
    let failed = |reason: String| CodecError {
        data_source: source,
        what: "offset",
        failure: "does not encode",
        reason,
        quoted: String::new(),
    };
    let mut json = serde_json::to_value(value).map_err(|error| failed(error.to_string()))?;
    json.sort_all_objects();
    if !json.is_object() {
        json = serde_json::json!({ OFFSET_KEY: json });
    }
    serde_json::to_string(&json).map_err(|error| failed(error.to_string()))
}

/// Decodes a stream offset that [`encode_offset`] wrote (Spark may have re-spaced it); the
/// error quotes the text, as a checkpoint holds it.
pub fn decode_offset<T: DeserializeOwned>(
    source: &'static str,
    text: &str,
) -> Result<T, CodecError> {
    let whole = decode(source, Cargo::Offset, text);
    if whole.is_ok() {
        return whole;
    }
    // A wrapped offset: the error is about what is inside the wrapper.
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(map)) if map.len() == 1 && map.contains_key(OFFSET_KEY) => {
            T::deserialize(&map[OFFSET_KEY]).map_err(|error| CodecError {
                data_source: source,
                what: "offset",
                failure: "does not decode",
                reason: error.to_string(),
                quoted: format!("; got `{}`", shorten(text)),
            })
        }
        _ => whole,
    }
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
        let text = encode("src", Cargo::Partition, &(3u64..7)).unwrap();
        assert_eq!(text, r#"{"start":3,"end":7}"#);
        assert_eq!(
            decode::<Range<u64>>("src", Cargo::Partition, &text),
            Ok(3..7)
        );
    }

    #[test]
    fn errors_name_the_source_what_and_text() {
        let error = decode::<Range<u64>>("src", Cargo::Partition, r#"{"start":3}"#).unwrap_err();
        assert_eq!(
            error.to_string(),
            r#"src: partition does not decode: missing field `end` at line 1 column 11; got `{"start":3}`"#
        );
    }

    #[test]
    fn offsets_are_canonical_objects() {
        use std::collections::HashMap;

        #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
        struct Position {
            zeta: u64,
            files: HashMap<String, u64>,
        }
        let files: HashMap<String, u64> = (0..50).map(|i| (format!("f{i}"), i)).collect();
        let position = Position { zeta: 1, files };
        let text = encode_offset("src", &position).unwrap();
        assert!(
            text.starts_with(r#"{"files":{"f0":0,"f1":1,"f10":10,"#),
            "{text}"
        );
        assert!(text.ends_with(r#"},"zeta":1}"#), "{text}");
        // Another map with the same entries, built in another order, has the same text.
        let reversed: HashMap<String, u64> = (0..50).rev().map(|i| (format!("f{i}"), i)).collect();
        let again = Position {
            zeta: 1,
            files: reversed,
        };
        assert_eq!(encode_offset("src", &again).unwrap(), text);
        // Python's json.dumps re-spaces it; it still decodes.
        let spaced = text.replace(':', ": ").replace(',', ", ");
        assert_eq!(decode_offset::<Position>("src", &spaced).unwrap(), position);
    }

    #[test]
    fn offsets_that_are_not_objects_are_wrapped() {
        assert_eq!(encode_offset("src", &42u64).unwrap(), r#"{"offset":42}"#);
        assert_eq!(decode_offset::<u64>("src", r#"{"offset": 42}"#), Ok(42));
        assert_eq!(
            encode_offset("src", &vec![1, 2]).unwrap(),
            r#"{"offset":[1,2]}"#
        );
        // A struct with a field named `offset` is an object already.
        #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
        struct Cursor {
            offset: u64,
        }
        let text = encode_offset("src", &Cursor { offset: 3 }).unwrap();
        assert_eq!(text, r#"{"offset":3}"#);
        assert_eq!(
            decode_offset::<Cursor>("src", &text),
            Ok(Cursor { offset: 3 })
        );
    }

    #[test]
    fn a_malformed_offset_is_quoted() {
        let error = decode_offset::<u64>("src", r#"{"offset": "seven"}"#)
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("src: offset does not decode: ")
                && error.ends_with(r#"got `{"offset": "seven"}`"#),
            "{error}"
        );
    }

    #[test]
    fn long_text_is_shortened() {
        let long = format!("[{}]", "1,".repeat(500));
        let error = decode::<Range<u64>>("src", Cargo::Offset, &long)
            .unwrap_err()
            .to_string();
        assert!(error.ends_with("...`"), "{error}");
        assert!(error.len() < 400, "{error}");
    }
}
