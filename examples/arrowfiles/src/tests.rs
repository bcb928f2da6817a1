use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_ipc::writer::FileWriter;
use datasource_py::arrow_array::cast::AsArray;
use datasource_py::arrow_array::types::Int64Type;
use datasource_py::arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray, UInt32Array};
use datasource_py::arrow_schema::{DataType, Field, Schema};
use datasource_py::testing::{read_all, read_all_pushed, read_all_with_schema};
use datasource_py::{ColumnPath, RawOptions};
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;

use super::*;

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("arrowfiles-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Rows `ids` with a label and an unsigned count.
fn batch(ids: std::ops::Range<i64>) -> RecordBatch {
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("id", Arc::new(Int64Array::from_iter_values(ids.clone()))),
        (
            "label",
            Arc::new(StringArray::from_iter_values(
                ids.clone().map(|i| format!("row-{i}")),
            )),
        ),
        (
            "count",
            Arc::new(UInt32Array::from_iter_values(ids.map(|i| i as u32 * 2))),
        ),
    ];
    RecordBatch::try_from_iter(columns).unwrap()
}

/// A Parquet file of `ids`, in row groups of `group` rows.
fn parquet(path: &Path, ids: std::ops::Range<i64>, group: usize) {
    let file = std::fs::File::create(path).unwrap();
    let properties = WriterProperties::builder()
        .set_max_row_group_row_count(Some(group))
        .build();
    let data = batch(ids);
    let mut writer = ArrowWriter::try_new(file, data.schema(), Some(properties)).unwrap();
    writer.write(&data).unwrap();
    writer.close().unwrap();
}

fn ipc(path: &Path, ids: std::ops::Range<i64>) {
    let file = std::fs::File::create(path).unwrap();
    let data = batch(ids);
    let mut writer = FileWriter::try_new(file, &data.schema()).unwrap();
    writer.write(&data).unwrap();
    writer.finish().unwrap();
}

fn source(path: &Path, extra: &[(&str, &str)]) -> ArrowFiles {
    let path = path.to_str().unwrap();
    let raw: RawOptions = [("path", path)]
        .into_iter()
        .chain(extra.iter().copied())
        .collect();
    ArrowFiles::from_options(&raw).unwrap()
}

fn ids(batches: &[RecordBatch]) -> Vec<i64> {
    let mut ids: Vec<i64> = batches
        .iter()
        .flat_map(|b| b.column(0).as_primitive::<Int64Type>().values().to_vec())
        .collect();
    ids.sort_unstable();
    ids
}

#[test]
fn a_directory_of_both_formats_reads_with_the_first_files_schema() {
    let dir = scratch("both");
    parquet(&dir.join("a.parquet"), 0..100, 30);
    ipc(&dir.join("b.arrow"), 100..150);
    std::fs::write(dir.join("_SUCCESS"), "").unwrap();
    std::fs::write(dir.join("notes.txt"), "not data").unwrap();
    let files = source(&dir, &[]);
    assert_eq!(
        files.schema().unwrap().field(2).data_type(),
        &DataType::UInt32
    );
    let batches = read_all(files).unwrap();
    // What Spark receives: the unsigned count as a BIGINT.
    assert_eq!(batches[0].schema().field(2).data_type(), &DataType::Int64);
    assert_eq!(ids(&batches), (0..150).collect::<Vec<_>>());

    let glob = dir.join("*.arrow");
    assert_eq!(
        ids(&read_all(source(&glob, &[])).unwrap()),
        (100..150).collect::<Vec<_>>()
    );
}

#[test]
fn a_path_with_no_files_is_named() {
    let dir = scratch("empty");
    let error = read_all(source(&dir.join("*.parquet"), &[])).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("option `path`: no Arrow or Parquet files at"),
        "{error}"
    );
}

#[test]
fn row_groups_the_statistics_rule_out_are_not_planned() {
    let dir = scratch("prune");
    parquet(&dir.join("a.parquet"), 0..1000, 100);
    let files = source(&dir, &[]);
    let schema = files.schema().unwrap();
    let filters = vec![
        Filter::GreaterThanOrEqual {
            column: ColumnPath::new("id"),
            value: Literal::Int(250),
        },
        Filter::LessThan {
            column: ColumnPath::new("id"),
            value: Literal::Int(420),
        },
    ];
    let scan = Scan::new(schema).with_filters(filters.clone(), Vec::new());
    let listing = files.plan(&scan).unwrap();
    assert_eq!(listing.files[0].row_groups, [2, 3, 4]);
    assert_eq!(listing.files[0].row_groups_in_file, 10);
    let pushed = read_all_pushed(files, filters).unwrap();
    assert!(pushed.handed_back.is_empty());
    assert_eq!(ids(&pushed.batches), (250..420).collect::<Vec<_>>());
}

#[test]
fn a_users_schema_reads_only_its_columns_in_its_order() {
    let dir = scratch("project");
    parquet(&dir.join("a.parquet"), 0..10, 4);
    let user = Arc::new(Schema::new(vec![
        Field::new("count", DataType::Int64, true),
        Field::new("ID", DataType::Int64, true),
    ]));
    let batches = read_all_with_schema(source(&dir, &[]), user.clone()).unwrap();
    assert_eq!(batches[0].schema().fields().len(), 2);
    let counts = batches[0].column(0).as_primitive::<Int64Type>();
    assert_eq!(counts.value(3), 6);
    let missing = Arc::new(Schema::new(vec![Field::new("nope", DataType::Int64, true)]));
    let error = read_all_with_schema(source(&dir, &[]), missing).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("column `nope` does not exist; the source's schema is `id BIGINT"),
        "{error}"
    );
}

#[test]
fn one_partition_per_file_when_row_groups_are_not_split() {
    let dir = scratch("split");
    parquet(&dir.join("a.parquet"), 0..100, 10);
    let files = source(&dir, &[("splitRowGroups", "false")]);
    let schema = files.schema().unwrap();
    let scan = Scan::new(schema);
    let listing = files.plan(&scan).unwrap();
    let shares = files.partitions(&scan.with_plan(listing)).unwrap();
    assert_eq!(shares.len(), 1);
    assert_eq!(shares[0].row_groups.len(), 10);
}

#[test]
fn readme_lists_the_options() {
    let readme = include_str!("../README.md");
    let table = ArrowFiles::options_markdown();
    assert!(readme.contains(&table), "README.md is missing:\n{table}");
}

/// A listing is data too: a link in the directory leading out of it, or a plan naming another
/// file, is refused naming it.
#[cfg(unix)]
#[test]
fn files_outside_what_path_names_are_refused() {
    let root = scratch("outside");
    let dir = root.join("data");
    std::fs::create_dir_all(&dir).unwrap();
    parquet(&dir.join("a.parquet"), 0..10, 5);
    parquet(&root.join("secret.parquet"), 100..110, 5);
    let source = || Arc::new(self::source(&dir, &[]));
    let read_all = read_all::<ArrowFiles>;
    assert_eq!(
        ids(&read_all(source()).unwrap()),
        (0..10).collect::<Vec<_>>()
    );

    // A plan naming a file elsewhere (through Spark, anything may arrive).
    let scan = Scan::new(source().schema().unwrap()).with_plan(Listing {
        files: vec![ListedFile {
            path: root.join("secret.parquet").to_string_lossy().into_owned(),
            size: None,
            version: None,
            format: Format::Parquet,
            row_groups: vec![0],
            row_groups_in_file: 2,
        }],
    });
    let share = Share {
        file: 0,
        row_groups: vec![0],
    };
    let error = source()
        .read(&scan, &Task::default(), share)
        .map(|_| ())
        .expect_err("refused")
        .to_string();
    assert!(
        error.contains("secret.parquet") && error.contains("outside"),
        "{error}"
    );

    // A link in the directory leading out of it.
    std::os::unix::fs::symlink(root.join("secret.parquet"), dir.join("b.parquet")).unwrap();
    let error = read_all(source()).unwrap_err().to_string();
    assert!(error.contains("b.parquet` leads to"), "{error}");
    // A glob over the directory likewise.
    let glob: Arc<ArrowFiles> = Arc::new(
        ArrowFiles::from_options(
            &[("path", format!("{}/*.parquet", dir.display()))]
                .into_iter()
                .collect(),
        )
        .unwrap(),
    );
    assert!(read_all(glob).is_err());
    std::fs::remove_dir_all(&root).unwrap();
}
