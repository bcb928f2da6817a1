"""`spark.readStream` read on the driver: `simpleStreamReader(schema)`; Spark caches what
`read` returns and replays a micro-batch with `readBetweenOffsets` after a restart. The reader
supports `Trigger.AvailableNow` where PySpark has it (4.2+)."""

from pyspark.sql.datasource import SimpleDataSourceStreamReader

from .source import Pickled, read_batches

try:  # PySpark 4.2+: Trigger.AvailableNow for Python sources
    from pyspark.sql.streaming.datasource import SupportsTriggerAvailableNow
except ImportError:
    SupportsTriggerAvailableNow = None


def assemble(Source, native_type):
    bases = (SimpleDataSourceStreamReader,)
    if SupportsTriggerAvailableNow is not None:
        bases += (SupportsTriggerAvailableNow,)

    class SimpleStreamReader(Pickled, *bases):
        _capability = "simple_stream_read"

        def initialOffset(self):
            return self._native.initial_offset()

        def read(self, start):
            batches, end = self._native.read(start)
            # A list's iterator: Spark's cache copies it to replay it.
            return iter(batches), end

        def readBetweenOffsets(self, start, end):
            return read_batches(self._native.read_between(start, end))

        def prepareForTriggerAvailableNow(self):
            self._native.prepare_available_now()

        def commit(self, end):
            self._native.commit(end)

    def simpleStreamReader(self, schema):
        return SimpleStreamReader(self, self._glue("simple_stream_read").reader(schema))

    Source.simpleStreamReader = simpleStreamReader
    SimpleStreamReader.__doc__ = f"Reads `{native_type.name}` as a stream on the driver, in Rust."
    return [SimpleStreamReader]
