//! Batches of another arrow-rs major (57; the SDK's is 60) cross into the SDK's `Batches` and
//! back out through the Arrow C stream interface, as a connector built on a crate that pins its
//! own arrow (lance, deltalake, polars) needs.
// The one unsafe line of the hop: moving a C stream between two versions' identical structs.
#![allow(unsafe_code)]

use std::sync::Arc;

use arrow_array_57 as arrow57;
use arrow_array_57::Array as _;
use arrow_array_57::ffi_stream::FFI_ArrowArrayStream as Stream57;
use datasource_py::Batches;
use datasource_py::arrow_array::ffi_stream::FFI_ArrowArrayStream;
use datasource_py::arrow_array::{Array, Int64Array, RecordBatch, StringArray};

/// Two batches of (id, name), made with arrow-rs 57.
fn reader_57() -> impl arrow57::RecordBatchReader + Send {
    use arrow_schema_57::{DataType, Field, Schema};

    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("name", DataType::Utf8, true),
    ]));
    let batch = |ids: Vec<i64>, names: Vec<Option<&str>>| {
        arrow57::RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(arrow57::Int64Array::from(ids)),
                Arc::new(arrow57::StringArray::from(names)),
            ],
        )
    };
    let batches = vec![
        batch(vec![1, 2], vec![Some("a"), None]),
        batch(vec![3], vec![Some("c")]),
    ];
    arrow57::RecordBatchIterator::new(batches, schema.clone())
}

#[test]
fn batches_of_another_arrow_major_become_the_sdks() {
    let mut theirs = Stream57::new(Box::new(reader_57()));
    // SAFETY: both are the C data interface's `ArrowArrayStream` (`#[repr(C)]`); `theirs` is
    // left released.
    let ours = unsafe { FFI_ArrowArrayStream::from_raw((&raw mut theirs).cast()) };
    let batches = Batches::from_ffi_stream(ours).unwrap();
    assert_eq!(batches.schema().unwrap().field(1).name(), "name");
    let batches: Vec<RecordBatch> = batches.collect::<Result<_, _>>().unwrap();
    let ids: Vec<i64> = batches
        .iter()
        .flat_map(|b| {
            b.column(0)
                .as_any()
                .downcast_ref::<Int64Array>()
                .unwrap()
                .values()
                .to_vec()
        })
        .collect();
    assert_eq!(ids, [1, 2, 3]);
    let names = batches[0]
        .column(1)
        .as_any()
        .downcast_ref::<StringArray>()
        .unwrap();
    assert_eq!((names.value(0), names.is_null(1)), ("a", true));
}

#[test]
fn the_sdks_batches_reach_another_arrow_major() {
    let batch = RecordBatch::try_from_iter([("n", Arc::new(Int64Array::from(vec![7, 8, 9])) as _)])
        .unwrap();
    let mut ours = Batches::from_record_batches([Ok(batch)]).into_ffi_stream();
    // SAFETY: as above, the other way.
    let theirs = unsafe { Stream57::from_raw((&raw mut ours).cast()) };
    let reader = arrow57::ffi_stream::ArrowArrayStreamReader::try_new(theirs).unwrap();
    let batches: Vec<arrow57::RecordBatch> = reader.collect::<Result<_, _>>().unwrap();
    let values = batches[0]
        .column(0)
        .as_any()
        .downcast_ref::<arrow57::Int64Array>()
        .unwrap();
    assert_eq!(values.values().to_vec(), [7, 8, 9]);
}
