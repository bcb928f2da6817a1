"""The Python classes of a Rust data source, assembled from what the Rust type can do.

Each exported type gets a `DataSource` subclass, plus the methods and classes of each
capability it implements, and nothing else: PySpark detects some hooks by their mere presence.
Every method is one call into Rust; the options are parsed there once per `DataSource`, and
what a driver computed travels to the executors in the pickled objects, as text Rust encoded.
"""

import atexit
import dataclasses
import datetime
import decimal
import importlib
import itertools
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import zipfile

import pyarrow as pa
from pyarrow.lib import ArrowException
from pyspark import TaskContext
from pyspark.sql import datasource as spark_datasource
from pyspark.sql.datasource import (
    DataSource,
    DataSourceArrowWriter,
    DataSourceReader,
    DataSourceStreamReader,
    DataSourceStreamWriter,
    InputPartition,
    SimpleDataSourceStreamReader,
    WriterCommitMessage,
)
from pyspark.sql.types import StructType

try:  # PySpark 4.2+: read limits and Trigger.AvailableNow for Python sources
    from pyspark.sql.streaming import datasource as spark_streaming_datasource
except ImportError:
    spark_streaming_datasource = None


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
            # The schema, once computed on the driver, travels with the source: as Spark's
            # JSON, and as the Arrow schema Rust declared (which Spark's types may only hold).
            self._schema_json = None
            self._declared_schema = None

        @property
        def _native(self):
            if self._options_error is not None:
                raise self._options_error
            return self._opened

        def __getstate__(self):
            return {
                "options": dict(self.options),
                "schema": self._schema_json,
                "declared": self._declared_schema,
            }

        def __setstate__(self, state):
            Source.__init__(self, state["options"])
            self._schema_json = state["schema"]
            self._declared_schema = state["declared"]

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


def add_schema(Source):
    """`schema()`, shared by every read capability: computed once on the driver, and pickled
    along with the source."""

    def schema(self):
        if self._schema_json is None:
            self._schema_json, self._declared_schema = self._native.schema_json()
        return StructType.fromJson(json.loads(self._schema_json))

    Source.schema = schema


def read_batches(batches):
    """The batches of a `pyarrow.RecordBatchReader` built in Rust, one at a time."""
    try:
        yield from batches
    except ArrowException as error:
        # A failure in Rust reaches pyarrow as an Arrow "External error": say it plainly.
        raise RuntimeError(str(error).removeprefix("External error: ")) from None


class Pickled:
    """What every reader and writer over Rust shares: it is pickled to Spark's other processes
    as its source and its plan, and restored there without planning again. `_glue` names the
    source's capability, `_restore` the method of its glue that restores."""

    _glue = None
    _restore = "restore_reader"

    def __init__(self, source, native):
        self._source = source
        self._native = native

    def __getstate__(self):
        return {"source": self._source, "plan": self._native.state()}

    def __setstate__(self, state):
        self._source = state["source"]
        glue = getattr(self._source._native, self._glue)
        self._native = getattr(glue, self._restore)(state["plan"])


def add_batch_read(Source, native_type):
    """`spark.read`: `schema()`, `reader(schema)`, and the reader pickled to the executors."""

    class Reader(Pickled, DataSourceReader):
        _glue = "batch_read"

        def partitions(self):
            return [InputPartition(value) for value in self._native.partitions()]

        def read(self, partition):
            # PySpark 4.0 passes None, 4.1+ InputPartition(None), when no partition was planned.
            value = partition.value if partition is not None else None
            yield from read_batches(self._native.read(value, current_task()))

    def reader(self, schema):
        return Reader(self, self._native.batch_read.reader(schema.json(), self._declared_schema))

    add_schema(Source)
    Source.reader = reader
    Source._batch_reader = Reader
    Reader.__doc__ = f"Reads `{native_type.name}` partitions as Arrow batches built in Rust."
    return [Reader]


def add_filter_pushdown(Source, native_type):
    """`pushFilters` on the batch reader (PySpark 4.1+ calls it when
    `spark.sql.python.filterPushdown.enabled` is on): Rust takes the filters it can hold, and
    Spark gets back, by identity, the original objects of those it must still apply."""
    Source._batch_reader.pushFilters = property(PushFilters)
    return []


class PushFilters:
    """A reader's `pushFilters`.

    PySpark refuses every read of a reader that overrides `pushFilters` while pushdown is off
    (it compares the method's `__func__` with the inherited one), to stop a source from
    believing it filters when it does not. Here the source only ever skips work, since Spark
    applies every filter it did not accept: with pushdown off, Spark filters all rows and the
    result is the same. So the hook presents the inherited `__func__`, and the source reads
    whether pushdown is on or off."""

    def __init__(self, reader):
        self.__func__ = DataSourceReader.pushFilters
        self._reader = reader

    def __call__(self, filters):
        filters = list(filters)
        handed_back = self._reader._native.push_filters([filter_json(f) for f in filters])
        return [filters[index] for index in handed_back]


EPOCH_UTC = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
EPOCH = datetime.datetime(1970, 1, 1)
MICROSECOND = datetime.timedelta(microseconds=1)


def literal_json(value):
    """A filter's literal as Rust's `Literal` reads it (`filter.rs`, `WireLiteral`)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return {"bool": value}
    if isinstance(value, int):
        return {"int": value}
    if isinstance(value, float):
        return {"float": repr(value)}
    if isinstance(value, str):
        return {"string": value}
    if isinstance(value, decimal.Decimal):
        return {"decimal": format(value, "f")}
    if isinstance(value, (bytes, bytearray)):
        return {"binary": bytes(value).hex()}
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            return {"timestamp_ntz": (value - EPOCH) // MICROSECOND}
        return {"timestamp": (value - EPOCH_UTC) // MICROSECOND}
    if isinstance(value, datetime.date):
        return {"date": value.isoformat()}
    if isinstance(value, (list, tuple)):
        return {"list": [literal_json(item) for item in value]}
    if isinstance(value, dict):
        return {"struct": [[str(key), literal_json(item)] for key, item in value.items()]}
    raise TypeError(type(value).__name__)


def filter_args(f):
    kind = type(f).__name__
    if kind == "Not":
        return filter_spec(f.child)
    args = {"column": list(f.attribute)}
    if kind == "In":
        args["values"] = [literal_json(value) for value in f.value]
    elif kind.startswith("String"):
        if not isinstance(f.value, str):
            raise TypeError(type(f.value).__name__)
        args["value"] = f.value
    elif kind not in ("IsNull", "IsNotNull"):
        args["value"] = literal_json(f.value)
    return args


def filter_spec(f):
    return {"kind": type(f).__name__, "args": filter_args(f)}


def filter_json(f):
    """A PySpark filter as Rust's `Filter` reads it, or None when it holds a value Rust has no
    literal for (Spark keeps that filter)."""
    try:
        return json.dumps(filter_spec(f))
    except (TypeError, ValueError, AttributeError):
        return None


# Offsets cross as text: Rust writes canonical JSON, Spark stores the dict's `json.dumps`.
def offset_text(offset):
    return json.dumps(offset) if offset is not None else None


def limit_spec(limit):
    """PySpark's `ReadLimit` as (class name, its one field's value or None)."""
    if limit is None:
        return None
    fields = dataclasses.asdict(limit)
    return type(limit).__name__, next(iter(fields.values()), None)


# PySpark 4.2+: a reader that supports `Trigger.AvailableNow` says so with this mixin.
AVAILABLE_NOW = getattr(spark_streaming_datasource, "SupportsTriggerAvailableNow", None)


def add_stream_read(Source, native_type):
    """`spark.readStream`: `streamReader(schema)`, planning offsets in Spark's driver-side
    process and reading partitions on executors. `latestOffset` takes `(start, limit)` (4.2+,
    admission control) and also nothing (4.0); the reader supports `Trigger.AvailableNow` where
    PySpark has it."""
    bases = (DataSourceStreamReader,) + ((AVAILABLE_NOW,) if AVAILABLE_NOW else ())

    class StreamReader(Pickled, *bases):
        _glue = "stream_read"

        def initialOffset(self):
            return json.loads(self._native.initial_offset())

        def latestOffset(self, start=None, limit=None):
            end = self._native.latest_offset(offset_text(start), limit_spec(limit))
            return json.loads(end)

        def getDefaultReadLimit(self):
            name, field = self._native.default_read_limit()
            limit_class = getattr(spark_streaming_datasource, name)
            return limit_class(**dict([field])) if field else limit_class()

        def prepareForTriggerAvailableNow(self):
            self._native.prepare_available_now()

        def partitions(self, start, end):
            planned = self._native.partitions(offset_text(start), offset_text(end))
            return [InputPartition(value) for value in planned]

        def read(self, partition):
            yield from read_batches(self._native.read(partition.value, current_task()))

        def commit(self, end):
            self._native.commit(offset_text(end))

        def stop(self):
            self._native.stop()

    def streamReader(self, schema):
        native = self._native.stream_read.reader(schema.json(), self._declared_schema)
        reader = StreamReader(self, native)
        stop_on_sigterm(reader, native_type.name)
        return reader

    add_schema(Source)
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


def add_simple_stream_read(Source, native_type):
    """`spark.readStream` read on the driver: `simpleStreamReader(schema)`; Spark caches what
    `read` returns and replays a micro-batch with `readBetweenOffsets` after a restart."""

    class SimpleStreamReader(Pickled, SimpleDataSourceStreamReader):
        _glue = "simple_stream_read"

        def initialOffset(self):
            return json.loads(self._native.initial_offset())

        def read(self, start):
            batches, end = self._native.read(offset_text(start))
            # A list's iterator: Spark's cache copies it to replay it.
            return iter(batches), json.loads(end)

        def readBetweenOffsets(self, start, end):
            return read_batches(self._native.read_between(offset_text(start), offset_text(end)))

        def commit(self, end):
            self._native.commit(offset_text(end))

    def simpleStreamReader(self, schema):
        native = self._native.simple_stream_read.reader(schema.json(), self._declared_schema)
        return SimpleStreamReader(self, native)

    add_schema(Source)
    Source.simpleStreamReader = simpleStreamReader
    SimpleStreamReader.__doc__ = f"Reads `{native_type.name}` as a stream on the driver, in Rust."
    return [SimpleStreamReader]


def commit_message_class(Source, native_type):
    """The source's `WriterCommitMessage`: a task's commit message as the text Rust encoded. One
    class serves both write capabilities; it is made (and listed) once."""
    existing = getattr(Source, "_commit_message", None)
    if existing is not None:
        return existing, []

    class CommitMessage(WriterCommitMessage):
        def __init__(self, text):
            self.text = text

    CommitMessage.__name__ = "CommitMessage"
    CommitMessage.__doc__ = f"What a `{native_type.name}` write task tells the driver."
    Source._commit_message = CommitMessage
    return CommitMessage, [CommitMessage]


def task_batches(iterator):
    """A task's batches as a `pyarrow.RecordBatchReader` (Rust reads it through the Arrow C
    stream interface), or None when the task has none."""
    first = next(iterator, None)
    if first is None:
        return None
    return pa.RecordBatchReader.from_batches(first.schema, itertools.chain([first], iterator))


def current_task():
    """(partition id, attempt number, task attempt id, micro-batch id, session time zone) of
    the running task. The zone is the session's `spark.sql.session.timeZone` where it was set
    (Spark hands SQL settings to tasks as local properties); None: the JVM's default zone."""
    context = TaskContext.get()
    if context is None:
        return 0, 0, 0, None, None
    batch = context.getLocalProperty("streaming.sql.batchId")
    return (
        context.partitionId(),
        context.attemptNumber(),
        context.taskAttemptId(),
        int(batch) if batch is not None else None,
        context.getLocalProperty("spark.sql.session.timeZone"),
    )


def writer_class(base_classes, Source, CommitMessage, glue):
    """A writer over Rust: `write` on executors, `commit`/`abort` on the driver; pickled as its
    source and its plan. `glue` names the source's write capability (`batch_write`, ...)."""

    class Writer(Pickled, *base_classes):
        _glue = glue
        _restore = "restore_writer"

        def write(self, iterator):
            stream = task_batches(iterator)
            try:
                return CommitMessage(self._native.write(stream, current_task()))
            except ArrowException as error:
                raise RuntimeError(str(error).removeprefix("External error: ")) from None

        def commit(self, messages, batchId=None):
            self._native.commit(texts(messages), batchId)

        def abort(self, messages, batchId=None):
            self._native.abort(texts(messages), batchId)

    return Writer


def texts(messages):
    return [message.text if message is not None else None for message in messages]


def add_batch_write(Source, native_type):
    """`df.write`: `writer(schema, overwrite)` and an Arrow writer (Spark hands it Arrow batches)."""
    CommitMessage, classes = commit_message_class(Source, native_type)
    Writer = writer_class((DataSourceArrowWriter,), Source, CommitMessage, "batch_write")

    def writer(self, schema, overwrite):
        return Writer(self, self._native.batch_write.writer(schema.json(), overwrite))

    Source.writer = writer
    Writer.__name__ = "Writer"
    Writer.__doc__ = f"Writes to `{native_type.name}` from Arrow batches, in Rust."
    return classes + [Writer]


def add_stream_write(Source, native_type):
    """`df.writeStream`: `streamWriter(schema, overwrite)` and an Arrow stream writer
    (PySpark 4.1+ has `DataSourceStreamArrowWriter`; on 4.0 a stream writer that is also a
    `DataSourceArrowWriter` gets Arrow batches)."""
    CommitMessage, classes = commit_message_class(Source, native_type)
    arrow_base = getattr(spark_datasource, "DataSourceStreamArrowWriter", None)
    bases = (arrow_base,) if arrow_base else (DataSourceStreamWriter, DataSourceArrowWriter)
    StreamWriter = writer_class(bases, Source, CommitMessage, "stream_write")

    def streamWriter(self, schema, overwrite):
        return StreamWriter(self, self._native.stream_write.writer(schema.json(), overwrite))

    Source.streamWriter = streamWriter
    StreamWriter.__name__ = "StreamWriter"
    StreamWriter.__doc__ = f"Writes micro-batches to `{native_type.name}` from Arrow batches, in Rust."
    return classes + [StreamWriter]


CAPABILITIES = {
    "batch_read": add_batch_read,
    "filter_pushdown": add_filter_pushdown,
    "stream_read": add_stream_read,
    "simple_stream_read": add_simple_stream_read,
    "batch_write": add_batch_write,
    "stream_write": add_stream_write,
}


def define_register(sources, module):
    def register(spark):
        """Registers this module's data sources with `spark`. Spark already registered them
        if it found the wheel where it runs Python; that is not an error."""
        for source in sources:
            try:
                spark.dataSource.register(source)
            except Exception as error:  # PySpark 4.0 refuses to replace a registered name
                if "DATA_SOURCE_ALREADY_EXISTS" not in str(error):
                    raise

    register.__module__ = module
    return register


def define_deployment(module, register):
    """`archive`, `ship` and the `python -m` command of a wheel's module."""

    def archive(directory="."):
        """Packs this installed package (its native library and Python files) into
        `<directory>/<package>.zip`, for Spark to unpack on nodes that do not have the wheel.
        Returns `<path>#<package>`: the argument of `spark-submit --archives`, of
        `SparkContext.addArchive` and of Spark Connect's `addArtifacts(..., archive=True)`.
        The library is this machine's: the nodes must share its platform (CPU, glibc)."""
        return pack_archive(module, directory)

    def ship(spark):
        """Makes this wheel's sources readable in `spark`'s session where Spark's nodes lack
        the wheel: adds `archive()` to the session (Spark Connect: `addArtifacts`; classic:
        `SparkContext.addArchive`), then registers every source. Once per session."""
        connect = type(spark).__module__.startswith("pyspark.sql.connect")
        key = (spark.session_id if connect else spark.sparkContext.applicationId, module)
        if key not in SHIPPED:
            spec = archive(shipping_directory())
            if connect:
                spark.addArtifacts(spec, archive=True)
            else:
                spark.sparkContext.addArchive(spec)
            SHIPPED.add(key)
        register(spark)

    def command(args):
        return run_command(module, archive, args)

    for function in (archive, ship, command):
        function.__module__ = module
    return archive, ship, command


SHIPPED = set()
_shipping_directory = []


def shipping_directory():
    """A directory for the archives `ship` makes, removed when this process ends (Spark has
    copied them by then: Connect at upload, classic Spark ends with the process)."""
    if not _shipping_directory:
        directory = tempfile.mkdtemp(prefix="datasource-py-")
        atexit.register(shutil.rmtree, directory, ignore_errors=True)
        _shipping_directory.append(directory)
    return _shipping_directory[0]


def pack_archive(module, directory):
    package_dir = os.path.dirname(os.path.abspath(sys.modules[module].__file__))
    platform_check = importlib.import_module(module + "._platform")
    tags = platform_check.wheel_tags(package_dir, module)
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(os.path.abspath(directory), module + ".zip")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for root, dirs, files in os.walk(package_dir):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                full = os.path.join(root, name)
                out.write(full, os.path.relpath(full, package_dir))
        # The platform check on a node reads the wheel's tags from here.
        if tags and not os.path.exists(os.path.join(package_dir, "WHEEL")):
            out.writestr("WHEEL", "".join(f"Tag: {tag}\n" for tag in tags))
    return f"{path}#{module}"


COMMAND_USAGE = """usage:
  python -m {module}                      the sources and their options
  python -m {module} archive [DIRECTORY]  the zip to ship to Spark nodes without the wheel"""


def run_command(module, archive, args):
    package = sys.modules[module]
    if not args or args[0] in ("-h", "--help", "help"):
        print(package.__doc__.strip() + "\n")
        for name in package.__all__:
            source = getattr(package, name)
            if isinstance(source, type) and issubclass(source, DataSource) and name != "DefaultSource":
                print(f"## {source.name()} ({module}.{name})\n\n{source.__doc__.strip()}\n")
        print(COMMAND_USAGE.format(module=module))
        return 0
    if args[0] == "archive" and len(args) <= 2:
        spec = archive(args[1] if len(args) == 2 else ".")
        print(spec)
        print(
            f"\nSpark unpacks it as the `{module}` package on every node:\n"
            f"  spark-submit --archives '{spec}' ...\n"
            f"  spark.sparkContext.addArchive('{spec}')  # a classic session\n"
            f"  spark.addArtifacts('{spec}', archive=True)  # Spark Connect\n"
            f"then `{module}.register(spark)`; the nodes must share this machine's platform.",
            file=sys.stderr,
        )
        return 0
    print(COMMAND_USAGE.format(module=module), file=sys.stderr)
    return 2
