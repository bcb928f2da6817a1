"""The Python classes of a Rust data source, assembled from what the Rust type can do.

Each exported type gets a `DataSource` subclass, plus the methods and classes of each
capability it implements, and nothing else: PySpark detects some hooks by their mere presence.
Every method is one call into Rust; the options are parsed there once per `DataSource`, and
what a driver computed travels to the executors in the pickled objects, as text Rust encoded.
"""

import json

from pyarrow.lib import ArrowException
from pyspark.sql.datasource import DataSource, DataSourceReader, InputPartition
from pyspark.sql.types import StructType


def define_source(native_type, module, class_name):
    """The `DataSource` subclass for one Rust source type, then its capabilities' classes."""

    class Source(DataSource):
        @classmethod
        def name(cls):
            return native_type.name

        def __init__(self, options):
            super().__init__(options)
            # Every option problem is found here, and reported by the first hook Spark calls
            # (`schema()` at load(), or `writer()` for a source that cannot write).
            try:
                self._opened = native_type.open(dict(options))
                self._options_error = None
            except ValueError as error:
                self._opened = None
                self._options_error = error
            # The schema, once computed on the driver, travels with the source.
            self._schema_json = None

        @property
        def _native(self):
            if self._options_error is not None:
                raise self._options_error
            return self._opened

        def __getstate__(self):
            return {"options": dict(self.options), "schema": self._schema_json}

        def __setstate__(self, state):
            Source.__init__(self, state["options"])
            self._schema_json = state["schema"]

    def writer(self, schema, overwrite):
        raise RuntimeError(
            f"{native_type.name}: this source cannot be written: its Rust type implements no "
            "writer capability"
        )

    Source.writer = writer
    classes = [Source]
    for capability in native_type.capabilities:
        classes += CAPABILITIES[capability](Source, native_type)
    for cls in classes:
        suffix = cls.__name__ if cls is not Source else ""
        cls.__name__ = cls.__qualname__ = class_name + suffix
        cls.__module__ = module
    description = native_type.description or f"The `{native_type.name}` data source."
    Source.__doc__ = f"{description}\n\nOptions:\n\n{native_type.options_markdown}"
    return classes


def add_batch_read(Source, native_type):
    """`spark.read`: `schema()`, `reader(schema)`, and the reader pickled to the executors."""

    class Reader(DataSourceReader):
        def __init__(self, source, native):
            self._source = source
            self._native = native

        # Spark pickles the reader to its workers (beside its source, pickled once with it):
        # it travels as the source and the plan, and is restored without planning again.
        def __getstate__(self):
            return {"source": self._source, "plan": self._native.state()}

        def __setstate__(self, state):
            self._source = state["source"]
            self._native = self._source._native.batch_read.restore_reader(state["plan"])

        def partitions(self):
            return [InputPartition(value) for value in self._native.partitions()]

        def read(self, partition):
            # PySpark 4.0 passes None, 4.1+ InputPartition(None), when no partition was planned.
            value = partition.value if partition is not None else None
            try:
                yield from self._native.read(value)
            except ArrowException as error:
                # A failure in Rust reaches pyarrow as an Arrow "External error": say it plainly.
                raise RuntimeError(str(error).removeprefix("External error: ")) from None

    def schema(self):
        if self._schema_json is None:
            self._schema_json = self._native.batch_read.schema_json()
        return StructType.fromJson(json.loads(self._schema_json))

    def reader(self, schema):
        return Reader(self, self._native.batch_read.reader(schema.json(), self._schema_json))

    Source.schema = schema
    Source.reader = reader
    Reader.__name__ = "Reader"
    Reader.__doc__ = f"Reads `{native_type.name}` partitions as Arrow batches built in Rust."
    return [Reader]


CAPABILITIES = {
    "batch_read": add_batch_read,
}


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
