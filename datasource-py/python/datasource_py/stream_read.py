"""`spark.readStream`: `streamReader(schema)`, planning offsets in Spark's driver-side process
and reading partitions on executors. `latestOffset` takes `(start, limit)` (4.2+, admission
control) and also nothing (4.0); the reader supports `Trigger.AvailableNow` where PySpark has
it. Offsets, read limits and tasks cross as PySpark's own objects, read and made in Rust."""

import os
import signal
import sys
import threading

from pyspark.sql.datasource import DataSourceStreamReader, InputPartition

from .source import Pickled, read_batches

try:  # PySpark 4.2+: read limits and Trigger.AvailableNow for Python sources
    from pyspark.sql.streaming.datasource import SupportsTriggerAvailableNow
except ImportError:
    SupportsTriggerAvailableNow = None


def assemble(Source, native_type):
    bases = (DataSourceStreamReader,)
    if SupportsTriggerAvailableNow is not None:
        bases += (SupportsTriggerAvailableNow,)

    class StreamReader(Pickled, *bases):
        _capability = "stream_read"

        def initialOffset(self):
            return self._native.initial_offset()

        def latestOffset(self, start=None, limit=None):
            return self._native.latest_offset(start, limit)

        def getDefaultReadLimit(self):
            return self._native.default_read_limit()

        def reportLatestOffset(self):
            return self._native.report_latest_offset()

        def prepareForTriggerAvailableNow(self):
            self._native.prepare_available_now()

        def partitions(self, start, end):
            return [InputPartition(value) for value in self._native.partitions(start, end)]

        def read(self, partition):
            yield from read_batches(self._native.read(partition.value))

        def commit(self, end):
            self._native.commit(end)

        def stop(self):
            self._native.stop()

    def streamReader(self, schema):
        reader = StreamReader(self, self._glue("stream_read").reader(schema))
        stop_on_sigterm(reader, native_type.name)
        return reader

    Source.streamReader = streamReader
    StreamReader.__doc__ = f"Reads `{native_type.name}` as a stream, in Rust."
    return [StreamReader]


def stop_on_sigterm(reader, name):
    """When a query stops, Spark ends the process that plans its stream with SIGTERM, and the
    reader's `stop()` (in that process's `finally`) never runs. In that process only, the
    signal first stops the reader, then ends the process as before."""
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    in_runner = spec is not None and spec.name.endswith("python_streaming_source_runner")
    if not in_runner or threading.current_thread() is not threading.main_thread():
        return

    def on_sigterm(signum, frame):
        try:
            reader.stop()
            # Let go of the Rust source, so that its destructors run before the process ends.
            reader._native = None
            reader._source._opened = None
        except Exception as error:  # the query is over: nobody else can report it
            print(f"{name}: stop() failed: {error}", file=sys.stderr, flush=True)
        os._exit(0)

    signal.signal(signal.SIGTERM, on_sigterm)
