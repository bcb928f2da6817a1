"""`spark.read`: `reader(schema)`, and the reader pickled to the executors."""

from pyspark.sql.datasource import DataSourceReader, InputPartition

from .source import Pickled, read_batches


def assemble(Source, native_type):
    class Reader(Pickled, DataSourceReader):
        _capability = "batch_read"

        def partitions(self):
            return [InputPartition(value) for value in self._native.partitions()]

        def read(self, partition):
            # PySpark 4.0 passes None, 4.1+ InputPartition(None), when no partition was planned.
            value = partition.value if partition is not None else None
            yield from read_batches(self._native.read(value))

    def reader(self, schema):
        return Reader(self, self._glue("batch_read").reader(schema))

    Source.reader = reader
    Source._batch_reader = Reader
    Reader.__doc__ = f"Reads `{native_type.name}` partitions as Arrow batches built in Rust."
    return [Reader]
