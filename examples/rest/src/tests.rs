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

/// A loopback API of 100 numbered records (`?page=N&per_page=S`, pages from 1); it counts
/// the requests it answers.
fn numbered_api() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::{BufRead, BufReader, Write};
    use std::sync::atomic::{AtomicUsize, Ordering};

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/items", listener.local_addr().unwrap());
    let requests = std::sync::Arc::new(AtomicUsize::new(0));
    let counted = requests.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            let mut line = String::new();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            reader.read_line(&mut line).unwrap();
            while reader.read_line(&mut String::new()).unwrap() > 2 {}
            counted.fetch_add(1, Ordering::SeqCst);
            let number = |name: &str| -> u64 {
                let at = line.find(&format!("{name}=")).unwrap() + name.len() + 1;
                line[at..]
                    .split(['&', ' '])
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap()
            };
            let (page, size) = (number("?page") - 1, number("per_page"));
            let records: Vec<String> = (page * size..((page + 1) * size).min(100))
                .map(|id| format!(r#"{{"id": {id}}}"#))
                .collect();
            let body = format!("[{}]", records.join(","));
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (url, requests)
}

#[test]
fn a_pushed_limit_stops_the_paging() {
    use std::sync::Arc;
    use std::sync::atomic::Ordering;

    use datasource_py::arrow_schema::{DataType, Field, Schema};
    use datasource_py::datetime::SessionZone;

    let (url, requests) = numbered_api();
    let rest =
        Arc::new(source(&[("url", &url), ("pagination", "page"), ("pageSize", "5")]).unwrap());
    let schema = Arc::new(Schema::new(vec![Field::new("id", DataType::Int64, true)]));
    let read = |limit: Option<u64>| -> usize {
        let client = crate::client::Client::new(&rest).unwrap();
        let share = crate::pages::shares(None, 1, crate::Pagination::Page).remove(0);
        let batches = crate::pages::read(
            rest.clone(),
            client,
            schema.clone(),
            SessionZone::of_session(Some("UTC")).unwrap(),
            0,
            share,
            limit,
        );
        batches.map(|batch| batch.unwrap().num_rows()).sum()
    };
    assert_eq!(read(Some(7)), 7);
    assert_eq!(
        requests.swap(0, Ordering::SeqCst),
        2,
        "two pages of five hold seven rows"
    );
    assert_eq!(read(None), 100);
    assert_eq!(
        requests.load(Ordering::SeqCst),
        21,
        "every page, and the empty one after"
    );
}
