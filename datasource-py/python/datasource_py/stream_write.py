"""`df.writeStream`: `streamWriter(schema, overwrite)` and an Arrow stream writer (PySpark 4.1+
has `DataSourceStreamArrowWriter`; on 4.0 a stream writer that is also a
`DataSourceArrowWriter` gets Arrow batches)."""

from pyspark.sql import datasource as spark_datasource
from pyspark.sql.datasource import DataSourceArrowWriter, DataSourceStreamWriter

from .writing import commit_message_class, writer_class


def assemble(Source, native_type):
    CommitMessage, classes = commit_message_class(Source, native_type)
    arrow_base = getattr(spark_datasource, "DataSourceStreamArrowWriter", None)
    bases = (arrow_base,) if arrow_base else (DataSourceStreamWriter, DataSourceArrowWriter)
    StreamWriter = writer_class(bases, CommitMessage, "stream_write")

    def streamWriter(self, schema, overwrite):
        return StreamWriter(self, self._glue("stream_write").writer(schema, overwrite))

    Source.streamWriter = streamWriter
    StreamWriter.__name__ = "StreamWriter"
    StreamWriter.__doc__ = (
        f"Writes micro-batches to `{native_type.name}` from Arrow batches, in Rust."
    )
    return classes + [StreamWriter]
