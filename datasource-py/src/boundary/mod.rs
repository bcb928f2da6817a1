//! The typed boundary with PySpark: each value that crosses between Spark's Python objects and
//! the SDK's Rust ones is converted here, in one place per kind (pyo3-polars' way: a newtype
//! with `FromPyObject` or `IntoPyObject`). Core keeps no PySpark names; the Python classes
//! pass Spark's objects through untouched.
//!
//! - [`filter`]: PySpark's filter objects (`EqualTo`, `In`, ...) read as [`Filter`]s.
//! - [`limit`]: PySpark's read limits (`ReadMaxRows`, ...) as [`ReadLimit`]s, both ways.
//! - [`offset`]: stream offsets, the dicts Spark checkpoints, as the codec's JSON text.
//! - [`schema`]: `StructType` as Arrow schemas, both ways.
//! - [`task`]: the running task's `TaskContext` as a [`Task`].
//!
//! [`Filter`]: datasource_core::Filter
//! [`ReadLimit`]: datasource_core::ReadLimit
//! [`Task`]: datasource_core::Task

pub(crate) mod filter;
pub(crate) mod limit;
pub(crate) mod offset;
pub(crate) mod schema;
pub(crate) mod task;
