//! The capabilities a source implements, one trait each, one file each: what Spark can do with
//! it. Reading: [`BatchReader`](batch_read::BatchReader) (with
//! [`FilterPushdown`](filter_pushdown::FilterPushdown) and
//! [`LimitPushdown`](limit_pushdown::LimitPushdown)),
//! [`StreamReader`](stream_read::StreamReader),
//! [`SimpleStreamReader`](simple_stream_read::SimpleStreamReader); writing:
//! [`BatchWriter`](batch_write::BatchWriter), [`StreamWriter`](stream_write::StreamWriter).
//!
//! Adding one: its trait in a file here, its glue in `datasource-py/src/capability/<name>.rs`
//! and its Python classes in `datasource-py/python/datasource_py/<name>.py`, and one row in
//! the table of `datasource-py/src/capability/mod.rs` (see there).

pub mod batch_read;
pub mod batch_write;
pub mod filter_pushdown;
pub mod limit_pushdown;
pub mod simple_stream_read;
pub mod stream_read;
pub mod stream_write;
