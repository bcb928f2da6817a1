"""`df.write`: `writer(schema, overwrite)` and an Arrow writer (Spark hands it Arrow batches)."""

from pyspark.sql.datasource import DataSourceArrowWriter

from .writing import commit_message_class, writer_class


def assemble(Source, native_type):
    CommitMessage, classes = commit_message_class(Source, native_type)
    Writer = writer_class((DataSourceArrowWriter,), CommitMessage, "batch_write")

    def writer(self, schema, overwrite):
        return Writer(self, self._glue("batch_write").writer(schema, overwrite))

    Source.writer = writer
    Writer.__name__ = "Writer"
    Writer.__doc__ = f"Writes to `{native_type.name}` from Arrow batches, in Rust."
    return classes + [Writer]
