//! The schema every read capability shares (`SourceSchema`): Spark's `DataSource.schema()`,
//! computed once on the driver and kept with the opened source.

use std::sync::Arc;

use arrow_schema::SchemaRef;
use datasource_core::scan::scan_schemas;
use datasource_core::schema::to_spark_json;
use datasource_core::{Result, Scan, SourceSchema};
use pyo3::prelude::*;

use crate::boundary::schema::struct_type;
use crate::errors::{in_source, schema_error};
use crate::source::OpenSource;

/// A [`SourceSchema`] with its type erased.
pub trait Role: Send + Sync {
    fn source_name(&self) -> &'static str;
    fn declared_schema(&self) -> Result<SchemaRef>;
    /// The scan of `user`'s schema (`spark.read.schema(...)`), or of the source's own.
    fn settled_scan(&self, user: Option<SchemaRef>) -> Result<Scan>;
}

struct Typed<T>(Arc<T>);

impl<T: SourceSchema> Role for Typed<T> {
    fn source_name(&self) -> &'static str {
        T::NAME
    }

    fn declared_schema(&self) -> Result<SchemaRef> {
        self.0.schema()
    }

    fn settled_scan(&self, user: Option<SchemaRef>) -> Result<Scan> {
        scan_schemas(self.0.as_ref(), user)
    }
}

pub(crate) fn glue<T: SourceSchema>(source: Arc<T>) -> Arc<dyn Role> {
    Arc::new(Typed(source))
}

pub(crate) fn native(
    py: Python<'_>,
    role: Arc<dyn Role>,
    open: &Arc<OpenSource>,
) -> PyResult<Py<PyAny>> {
    Ok(Py::new(
        py,
        NativeSourceSchema {
            role,
            open: open.clone(),
        },
    )?
    .into_any())
}

/// `schema()` of an opened source.
#[pyclass(frozen, name = "NativeSourceSchema", module = "datasource_py")]
struct NativeSourceSchema {
    role: Arc<dyn Role>,
    open: Arc<OpenSource>,
}

#[pymethods]
impl NativeSourceSchema {
    /// The source's schema as a `StructType`, computed once (with the GIL released) and kept:
    /// readers plan from it, and it travels with the pickled source. A source Spark may read
    /// as a simple stream gives no column comments (Spark's check of a simple stream's
    /// prefetched batches compares field metadata, which Arrow batches cannot carry).
    fn schema<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let name = self.role.source_name();
        let schema = match self.open.declared() {
            Some(schema) => schema,
            None => {
                let schema = in_source(py, name, "schema()", || self.role.declared_schema())?;
                self.open.settle_declared(schema.clone());
                schema
            }
        };
        let mut json = to_spark_json(&schema).map_err(|e| schema_error(name, e))?;
        if self.open.roles.simple_stream_read.is_some() {
            drop_metadata(&mut json);
        }
        struct_type(py, name, &json)
    }
}

/// Empties every field's `metadata` in a Spark schema's JSON, at any depth.
fn drop_metadata(json: &mut serde_json::Value) {
    match json {
        serde_json::Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                if key == "metadata" {
                    *value = serde_json::json!({});
                } else {
                    drop_metadata(value);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(drop_metadata),
        _ => {}
    }
}
