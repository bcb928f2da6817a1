//! Sources and sinks run the way Spark runs them, without Spark: for a crate's own tests.
//!
//! Each harness sends what crosses Spark's processes (plans, partitions, offsets, commit
//! messages, filters) through the codec the glue uses, and fits every batch to what Spark
//! reads or what the sink accepts, so what fails under Spark fails here too:
//! [`read_all`] (and [`read_all_with_schema`], [`read_all_pushed`]) for a
//! [`BatchReader`](crate::BatchReader), [`StreamRun`] and [`SimpleStreamRun`] for the stream
//! readers, [`write_all`] for a [`BatchWriter`](crate::BatchWriter), [`StreamWriteRun`] for a
//! [`StreamWriter`](crate::StreamWriter).

mod read;
mod stream_read;
mod stream_write;
mod write;

pub use read::{PushedRead, read_all, read_all_limited, read_all_pushed, read_all_with_schema};
pub use stream_read::{SimpleStreamRun, StreamRun};
pub use stream_write::StreamWriteRun;
pub use write::{WriteOutcome, write_all};
