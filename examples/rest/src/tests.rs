//! The options' checks, without a server (the API server and Spark are in
//! `tests/python/test_rest.py`).

use datasource_py::{DataSource, RawOptions, SourceSchema};

use super::Rest;

fn source(options: &[(&str, &str)]) -> Result<Rest, String> {
    let mut raw = RawOptions::new();
    for (key, value) in options {
        raw.insert(key, *value);
    }
    Rest::from_options(&raw).map_err(|error| error.to_string())
}

/// The options' error, which their validation (`Rest::check`) adds to.
fn check_error(options: &[(&str, &str)]) -> String {
    match source(options) {
        Ok(_) => panic!("the options were taken: {options:?}"),
        Err(error) => error,
    }
}

#[test]
fn one_way_to_authenticate() {
    let error = check_error(&[
        ("url", "https://api.example/items"),
        ("bearerToken", "t0k3n-1234"),
        ("apiKey", "k3y-5678"),
    ]);
    assert!(error.contains("give one way to authenticate"), "{error}");
    assert!(!error.contains("t0k3n-1234") && !error.contains("k3y-5678"));
    // Basic authentication is both or neither, and never shows the password.
    let error = source(&[("url", "https://x/"), ("password", "pw-9999")]).unwrap_err();
    assert!(error.contains("option `user` is required"), "{error}");
    assert!(!error.contains("pw-9999"));
}

#[test]
fn keys_and_their_placeholder_go_together() {
    let error = check_error(&[("url", "https://x/items"), ("keys", "a,b")]);
    assert!(error.contains("has no `{key}`"), "{error}");
    let error = check_error(&[("url", "https://x/{key}/items")]);
    assert!(
        error.contains("give the keys with the `keys` option"),
        "{error}"
    );
}

#[test]
fn only_numbered_pages_split_without_keys() {
    let error = check_error(&[
        ("url", "https://x/items"),
        ("pagination", "cursor"),
        ("numPartitions", "2"),
    ]);
    assert!(
        error.contains("Cursor pagination cannot be split"),
        "{error}"
    );
    let ok = source(&[
        ("url", "https://x/items"),
        ("pagination", "page"),
        ("numPartitions", "2"),
    ]);
    assert!(ok.is_ok());
}

#[test]
fn the_columns_must_be_declared() {
    let error = source(&[("url", "https://x/items")])
        .unwrap()
        .schema()
        .unwrap_err();
    assert!(error.to_string().contains(".schema(\"id BIGINT"), "{error}");
}

#[test]
fn readme_lists_the_options() {
    let readme = include_str!("../README.md");
    let table = Rest::options_markdown();
    assert!(readme.contains(&table), "README.md is missing:\n{table}");
}
