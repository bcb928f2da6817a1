"""`pushLimit` on the batch reader, where PySpark has the hook (Spark's main branch, after 4.3):
the source is told the LIMIT and Spark still applies it. Elsewhere nothing is defined, and
reads are what they were."""

from pyspark.sql.datasource import DataSourceReader


def assemble(Source, native_type):
    if hasattr(DataSourceReader, "pushLimit"):

        def pushLimit(self, limit):
            return self._source._glue("limit_pushdown").push(self._native, int(limit))

        Source._batch_reader.pushLimit = pushLimit
    return []
