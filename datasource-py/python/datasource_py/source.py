"""The `DataSource` subclass of a Rust source type, and what every reader and writer over Rust
shares. Each capability's module (named as in Rust's table) adds its methods and classes:
PySpark detects some hooks by their mere presence, so a source has only those of the
capabilities its Rust type implements."""

import importlib

from pyarrow.lib import ArrowException
from pyspark.sql.datasource import DataSource


def define_source(native_type, module, class_name):
    """The `DataSource` subclass for one Rust source type, then its capabilities' classes,
    each named after it and placed in `module` (where pickle finds them)."""

    class Source(DataSource):
        @classmethod
        def name(cls):
            return native_type.name

        def __init__(self, options, state=None):
            super().__init__(options)
            # Every option problem is found here, and reported by the first hook Spark calls
            # (`schema()` at load(), or `writer()` for a source that cannot write).
            try:
                self._opened = native_type.open(dict(options), state)
                self._options_error = None
            except ValueError as error:
                self._opened = None
                self._options_error = error

        @property
        def _native(self):
            if self._options_error is not None:
                raise self._options_error
            return self._opened

        def _glue(self, capability):
            return self._native.glue(capability)

        def __getstate__(self):
            # What the driver settled (the schema) travels with the options, opaque to Python.
            state = self._opened.state() if self._opened is not None else None
            return {"options": dict(self.options), "state": state}

        def __setstate__(self, state):
            Source.__init__(self, state["options"], state["state"])

    def writer(self, schema, overwrite):
        raise RuntimeError(
            f"{native_type.name}: this source cannot be written: its Rust type implements no "
            "writer capability"
        )

    Source.writer = writer
    classes = [Source]
    sdk = __name__.rpartition(".")[0]
    for capability in native_type.capabilities:
        classes += importlib.import_module(f"{sdk}.{capability}").assemble(Source, native_type)
    for cls in classes:
        suffix = cls.__name__ if cls is not Source else ""
        cls.__name__ = cls.__qualname__ = class_name + suffix
        cls.__module__ = module
    description = native_type.description or f"The `{native_type.name}` data source."
    Source.__doc__ = f"{description}\n\nOptions:\n\n{native_type.options_markdown}"
    return classes


# How pyarrow words a failure of a stream built in Rust.
ARROW_EXTERNAL_ERROR = "External error: "


def plain_message(error):
    """The Rust source's own message of an Arrow error (it names the source already)."""
    return str(error).removeprefix(ARROW_EXTERNAL_ERROR)


def read_batches(batches):
    """The batches of a `pyarrow.RecordBatchReader` built in Rust, one at a time."""
    try:
        yield from batches
    except ArrowException as error:
        raise RuntimeError(plain_message(error)) from None


class Pickled:
    """What every reader and writer over Rust shares: it is pickled to Spark's other processes
    as its source and its state, and restored there without planning again. `_capability`
    names the source's capability whose glue restores it."""

    _capability = None

    def __init__(self, source, native):
        self._source = source
        self._native = native

    def __getstate__(self):
        return {"source": self._source, "state": self._native.state()}

    def __setstate__(self, state):
        self._source = state["source"]
        self._native = self._source._glue(self._capability).restore(state["state"])
