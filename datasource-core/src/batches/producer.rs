//! Batches made on a thread of their own, at most one ahead of Spark.

use arrow_array::RecordBatch;

use super::Batches;
use crate::Result;

/// Where [`Batches::from_producer`]'s producer sends its batches.
#[derive(Debug)]
pub struct BatchSender {
    sender: std::sync::mpsc::SyncSender<Result<RecordBatch>>,
}

/// Spark stopped pulling batches (a `LIMIT` was met, the task was cancelled): the producer
/// should stop. Returned by [`BatchSender::send`]; a producer that returns it with `?` ends
/// quietly.
#[derive(Debug, thiserror::Error)]
#[error("Spark stopped reading this partition")]
pub struct Stopped;

impl BatchSender {
    /// Hands a batch to Spark; waits while the one before it is still unread.
    pub fn send(&mut self, batch: RecordBatch) -> Result<(), Stopped> {
        self.sender.send(Ok(batch)).map_err(|_| Stopped)
    }
}

impl Batches {
    /// Batches made by `produce` on a thread of its own, at most one batch ahead of Spark:
    /// for a reader that holds borrowed state while it reads (a database cursor borrowing its
    /// connection, a statement its rows) and would gain from working while Spark takes the
    /// previous batch. `produce` stops early (its `send` fails with [`Stopped`]) when Spark
    /// drops the partition; its error ends the partition after the batches sent before it.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use datasource_core::Batches;
    /// # use datasource_core::arrow_array::{Int64Array, RecordBatch};
    /// let batches = Batches::from_producer(|out| {
    ///     for start in [0i64, 3] {
    ///         let ids = Int64Array::from_iter_values(start..start + 3);
    ///         out.send(RecordBatch::try_from_iter([("id", Arc::new(ids) as _)])?)?;
    ///     }
    ///     Ok(())
    /// });
    /// let rows: usize = batches.map(|batch| batch.unwrap().num_rows()).sum();
    /// assert_eq!(rows, 6);
    /// ```
    pub fn from_producer<F>(produce: F) -> Self
    where
        F: FnOnce(&mut BatchSender) -> Result<()> + Send + 'static,
    {
        let (sender, receiver) = std::sync::mpsc::sync_channel(1);
        let mut out = BatchSender { sender };
        let spawned = std::thread::Builder::new()
            .name("datasource-producer".into())
            .spawn(move || {
                let error = match crate::panics::catch(|| produce(&mut out)) {
                    Ok(Ok(())) => return,
                    Ok(Err(error)) if error.is::<Stopped>() => return,
                    Ok(Err(error)) => error,
                    Err(panic) => crate::panics::to_error(&*panic),
                };
                let _ = out.sender.send(Err(error));
            });
        match spawned {
            Ok(_) => Self::from_record_batches(receiver),
            Err(error) => Self::from_record_batches(std::iter::once(Err(crate::Error::new(error)
                .context("could not start the thread that reads this partition")))),
        }
    }
}
