"""What both write capabilities share: the source's commit message class, and a writer over
Rust (`write` on executors, `commit`/`abort` on the driver)."""

import itertools

import pyarrow as pa
from pyarrow.lib import ArrowException
from pyspark.sql.datasource import WriterCommitMessage

from .source import Pickled, plain_message


def commit_message_class(Source, native_type):
    """The source's `WriterCommitMessage`: a task's commit message, as Rust encoded it. Made
    (and listed) once, whichever write capability asks first."""
    existing = getattr(Source, "_commit_message", None)
    if existing is not None:
        return existing, []

    class CommitMessage(WriterCommitMessage):
        def __init__(self, text):
            self.text = text

    CommitMessage.__doc__ = f"What a `{native_type.name}` write task tells the driver."
    Source._commit_message = CommitMessage
    return CommitMessage, [CommitMessage]


def task_batches(iterator):
    """A task's batches as a `pyarrow.RecordBatchReader` (Rust reads it through the Arrow C
    stream interface), or None when the task has none."""
    first = next(iterator, None)
    if first is None:
        return None
    return pa.RecordBatchReader.from_batches(first.schema, itertools.chain([first], iterator))


def writer_class(bases, CommitMessage, capability):
    """A writer over Rust, pickled as its source and its plan."""

    class Writer(Pickled, *bases):
        _capability = capability

        def write(self, iterator):
            try:
                return CommitMessage(self._native.write(task_batches(iterator)))
            except ArrowException as error:
                raise RuntimeError(plain_message(error)) from None

        def commit(self, messages, batchId=None):
            self._native.commit(texts(messages), batchId)

        def abort(self, messages, batchId=None):
            self._native.abort(texts(messages), batchId)

    return Writer


def texts(messages):
    return [message.text if message is not None else None for message in messages]
