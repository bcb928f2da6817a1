"""`pushFilters` on the batch reader (PySpark 4.1+ calls it when
`spark.sql.python.filterPushdown.enabled` is on): Rust reads Spark's filter objects, takes those
it can apply, and hands back the others, the very objects Spark gave."""

from pyspark.sql.datasource import DataSourceReader


def assemble(Source, native_type):
    # PySpark 4.0 has no pushdown for Python sources (and no hook to present).
    if hasattr(DataSourceReader, "pushFilters"):
        Source._batch_reader.pushFilters = property(PushFilters)
    return []


class PushFilters:
    """A reader's `pushFilters`.

    PySpark refuses every read of a reader that overrides `pushFilters` while pushdown is off
    (it compares the method's `__func__` with the inherited one), to stop a source from
    believing it filters when it does not. Here the source only ever skips work, since Spark
    applies every filter it did not accept: with pushdown off, Spark filters all rows and the
    result is the same. So the hook presents the inherited `__func__`, and the source reads
    whether pushdown is on or off (pinned for each PySpark version by
    `tests/python/test_pushdown.py::test_the_hook_passes_pysparks_override_check`)."""

    def __init__(self, reader):
        self.__func__ = DataSourceReader.pushFilters
        self._reader = reader

    def __call__(self, filters):
        reader = self._reader
        return reader._source._glue("filter_pushdown").push(reader._native, list(filters))
