//! Async I/O: sources whose clients are async (`object_store`, HTTP, database drivers, gRPC),
//! on a runtime the SDK owns.
//!
//! - [`runtime`]: one multi-thread tokio runtime per worker process, built on first use;
//!   [`runtime::block_on`] runs a future from a sync hook.
//! - [`Batches::from_stream`](crate::Batches::from_stream): a reader's batches from an async
//!   stream, pulled as Spark pulls; [`Batches::into_stream`](crate::Batches::into_stream):
//!   a writer's batches as one.
//! - [`AsyncBatchReader`] and [`AsyncBatchWriter`]: the batch capabilities with `async` hooks;
//!   a type implementing one is a [`BatchReader`](crate::BatchReader) or
//!   [`BatchWriter`](crate::BatchWriter), each hook run on the SDK's runtime.
//!
//! Errors and panics inside async code reach Spark as they do from sync code: the hook's
//! error, naming the source.

mod read;
pub mod runtime;
mod stream;
mod write;

pub use read::AsyncBatchReader;
pub use stream::BatchStream;
pub use write::AsyncBatchWriter;

#[cfg(test)]
mod tests;
