"""The Python classes of a Rust data source. Each method is one call into Rust: options are
parsed and checked there, partitions are planned there, and `read` hands Spark the Arrow
batches Rust builds (pyarrow imports them through the C stream interface, without copying)."""

import json

from pyspark.sql.datasource import DataSource, DataSourceReader, InputPartition
from pyspark.sql.types import StructType


def define_source(native, module, class_name):
    """The DataSource and DataSourceReader subclasses for one Rust source."""

    class Reader(DataSourceReader):
        def __init__(self, options, requested_schema=None):
            self._options = options
            self._requested_schema = requested_schema
            self._native = native.open(options)

        # Spark pickles the reader to its workers: it travels as the options it was built from.
        def __getstate__(self):
            return {"options": self._options, "requested_schema": self._requested_schema}

        def __setstate__(self, state):
            self.__init__(state["options"], state["requested_schema"])

        def partitions(self):
            return [InputPartition(value) for value in self._native.partitions()]

        def read(self, partition):
            yield from self._native.read(partition.value, self._requested_schema)

    class Source(DataSource):
        @classmethod
        def name(cls):
            return native.name

        def __init__(self, options):
            super().__init__(options)
            # Every option problem is reported here, when the user calls load().
            native.open(dict(options))

        def schema(self):
            return StructType.fromJson(json.loads(native.open(dict(self.options)).schema_json()))

        def reader(self, schema):
            options = dict(self.options)
            requested = schema.json()
            if not native.open(options).needs_projection(requested):
                requested = None
            return Reader(options, requested)

    for cls, suffix in ((Source, ""), (Reader, "Reader")):
        cls.__name__ = cls.__qualname__ = class_name + suffix
        cls.__module__ = module
    description = native.description or f"The `{native.name}` data source."
    Source.__doc__ = f"{description}\n\nOptions:\n\n{native.options_markdown}"
    Reader.__doc__ = f"Reads `{native.name}` partitions as Arrow batches built in Rust."
    return Source, Reader


def define_register(sources, module):
    def register(spark):
        """Registers this module's data sources with `spark`. Spark already registered
        `DefaultSource` if it found this module on its path; that is not an error."""
        for source in sources:
            try:
                spark.dataSource.register(source)
            except Exception as error:  # PySpark 4.0 refuses to replace a registered name
                if "DATA_SOURCE_ALREADY_EXISTS" not in str(error):
                    raise

    register.__module__ = module
    return register
