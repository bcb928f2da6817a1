//! Batches from an async stream, and a writer's batches as one.

use std::pin::Pin;
use std::task::{Context, Poll};

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use futures_util::{Stream, StreamExt};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::runtime;
use crate::batches::Batches;
use crate::{Result, panics};

impl Batches {
    /// Batches from an async stream (a client's pages, an object's row groups), run on the
    /// SDK's runtime at most one batch ahead of Spark: the next is fetched while Spark takes
    /// the last, and nothing more until Spark asks. The stream is dropped (its requests
    /// cancelled) when Spark stops pulling (a `LIMIT` met, a task cancelled). An error item ends
    /// the partition after the batches before it; a panic inside the stream does the same, as
    /// the error `panicked: ...`.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use datasource_core::{Batches, Result};
    /// # use datasource_core::arrow_array::{Int64Array, RecordBatch};
    /// use futures_util::stream;
    ///
    /// let pages = stream::iter(0..3).then(|page| async move {
    ///     // An async client's request for `page` would be awaited here.
    ///     let ids = Int64Array::from_iter_values(page * 10..page * 10 + 10);
    ///     Ok(RecordBatch::try_from_iter([("id", Arc::new(ids) as _)])?)
    /// });
    /// # use futures_util::StreamExt;
    /// let rows: usize = Batches::from_stream(pages).map(|batch| batch.unwrap().num_rows()).sum();
    /// assert_eq!(rows, 30);
    /// ```
    pub fn from_stream<S>(stream: S) -> Self
    where
        S: Stream<Item = Result<RecordBatch>> + Send + 'static,
    {
        let (sender, receiver) = mpsc::channel(1);
        let task = runtime::handle().spawn(async move {
            let mut stream = CatchPanics::new(stream);
            while let Some(item) = stream.next().await {
                let failed = item.is_err();
                // Spark stopped pulling: drop the stream.
                if sender.send(item).await.is_err() || failed {
                    return;
                }
            }
        });
        Self::from_record_batches(Received { receiver, task })
    }

    /// These batches as an async stream, for a writer whose client is async: pulled from Spark
    /// on a blocking thread of the SDK's runtime, one batch ahead of the consumer (Spark hands
    /// over the next while the last is sent on).
    pub fn into_stream(self) -> BatchStream {
        let schema = self.schema().cloned();
        let (sender, receiver) = mpsc::channel(1);
        let mut batches = self;
        let task = runtime::handle().spawn_blocking(move || {
            loop {
                let item = match panics::catch(|| batches.next()) {
                    Ok(Some(item)) => item,
                    Ok(None) => return,
                    Err(panic) => Err(panics::to_error(&*panic)),
                };
                let failed = item.is_err();
                if sender.blocking_send(item).is_err() || failed {
                    return;
                }
            }
        });
        BatchStream {
            schema,
            receiver,
            _task: task,
        }
    }
}

/// The receiving end of [`Batches::from_stream`]: waits for each batch on Spark's thread.
struct Received {
    receiver: mpsc::Receiver<Result<RecordBatch>>,
    task: JoinHandle<()>,
}

impl Iterator for Received {
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        self.receiver.blocking_recv()
    }
}

impl Drop for Received {
    fn drop(&mut self) {
        // Spark stopped pulling: cancel the stream's pending request now, not at its next send.
        self.task.abort();
    }
}

/// A stream that turns a panic in its inner stream into an error item and ends.
struct CatchPanics<S> {
    inner: Option<Pin<Box<S>>>,
}

impl<S> CatchPanics<S> {
    fn new(stream: S) -> Self {
        CatchPanics {
            inner: Some(Box::pin(stream)),
        }
    }
}

impl<S: Stream<Item = Result<RecordBatch>>> Stream for CatchPanics<S> {
    type Item = Result<RecordBatch>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let Some(inner) = self.inner.as_mut() else {
            return Poll::Ready(None);
        };
        match panics::catch(|| inner.as_mut().poll_next(cx)) {
            Ok(poll) => poll,
            Err(panic) => {
                self.inner = None;
                Poll::Ready(Some(Err(panics::to_error(&*panic))))
            }
        }
    }
}

/// A writer's batches as an async stream ([`Batches::into_stream`]): Spark's record batches,
/// adapted to the schema the sink accepted. An error item (Spark's side failed) ends it.
#[derive(Debug)]
pub struct BatchStream {
    schema: Option<SchemaRef>,
    receiver: mpsc::Receiver<Result<RecordBatch>>,
    _task: JoinHandle<()>,
}

impl BatchStream {
    /// The schema of every batch, where it is known (a writer's always is).
    pub fn schema(&self) -> Option<&SchemaRef> {
        self.schema.as_ref()
    }
}

impl Stream for BatchStream {
    type Item = Result<RecordBatch>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.receiver.poll_recv(cx)
    }
}
