"""How close the SDK's Rust sources come to the limit of Spark's Python data source pipe.

One Spark local[2] session runs two queries (a full scan into Spark's `noop` sink, and an
aggregate) over the same rows from: the JVM itself (`spark.range` + expressions), pure-Python
sources (tuples, numpy + pyarrow batches, and prebuilt cached pyarrow batches: the pipe limit,
which no source going through this path can beat), and the Rust example sources through the SDK
(raw Arrow, row builder, reused rows). Batched sources run at several batch sizes, the Rust ones
also at the SDK's default (sized by bytes); ratios are against the best pipe limit found.

The write half writes one cached DataFrame (the same rows) into: Spark's own sinks (`noop`,
Parquet), pure-Python sinks (a Row writer, an Arrow writer that only counts: the write pipe
limit, a pyarrow Parquet writer), and the Rust example sinks (counting, typed-row decode,
Parquet files). The stream half (`streams.py`) drains a directory of JSON Lines with the Rust
`tail` source, with the stream pipe limit (a pure-Python stream reader handing over prebuilt
pyarrow batches of the same rows) and with Spark's own file streams, and times a line from its
write to a sink. The
pushdown half (`pushdown.py`) runs a selective query over Parquet files through the Rust `arrow`
source with filter pushdown off and on, and through Spark's own Parquet reader. The database
half (`databases.py`) reads a PostgreSQL table with the Rust `sqldb` source and with Spark's JDBC
reader, 1, 4 and 64 partitions (pooled connections and a connection per task). The
object-storage half (`objectstore.py`) reads the same Parquet files through the `arrow` source
from local disk and from an S3-compatible server on 127.0.0.1.
Around each timed run of the read, write, stream and database halves, `cpu.py` reads from /proc
the CPU time Spark's JVM, the Python workers (and PostgreSQL) spent: where each gap to a target
went. Workers' peak RSS is measured at two sizes, each in a session of its own, on every path.
Prints Markdown tables and writes them to bench/README.md.

    BENCH_ROWS       rows of the narrow (long, double, string) case   (default 10,000,000)
    BENCH_WIDE_ROWS  rows of the wide 20-column case                   (default 2,000,000)
    BENCH_RUNS       timed runs per case, after a warm-up              (default 5; quick: 3)
    BENCH_QUICK=1    1M / 200k rows, memory at 2M vs 8M: under two minutes
    BENCH_WRITE=0    do not rewrite bench/README.md
    BENCH_ONLY=text  only time the cases whose label contains `text` (profiling; no report)
    BENCH_HALF=read  only the read half, `write` the write half, `stream` the stream half,
                     `pushdown` the pushdown half (no report); `database` the database half
                     and `objects` the object-storage half, each of which rewrites only its
                     own section of the report
    BENCH_PUSHDOWN_ROWS  rows of the Parquet files of the pushdown half (default 20,000,000)
    BENCH_DATABASE_ROWS  rows of the PostgreSQL table of the database half (default 5,000,000)
    BENCH_OBJECT_ROWS  rows of the Parquet files of the object-storage half (default 10,000,000)
    BENCH_WRITE_BATCH  rows per Arrow batch Spark hands Python writers (default 10,000: Spark's)
"""

import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path

import cpu
import databases  # bench/databases.py, pushdown.py, ...: bench/ is first on sys.path
import objectstore
import pushdown
import streams
from same_round import memory_cells, met, ratio

QUICK = os.environ.get("BENCH_QUICK") == "1"
ROWS = int(os.environ.get("BENCH_ROWS", 1_000_000 if QUICK else 10_000_000))
WIDE_ROWS = int(os.environ.get("BENCH_WIDE_ROWS", 200_000 if QUICK else 2_000_000))
RUNS = max(3, int(os.environ.get("BENCH_RUNS", 3 if QUICK else 5)))
MEMORY_ROWS = (2_000_000, 8_000_000) if QUICK else (10_000_000, 40_000_000)
STREAM_LINES = int(os.environ.get("BENCH_STREAM_LINES", 500_000 if QUICK else 4_000_000))
PUSHDOWN_ROWS = int(os.environ.get("BENCH_PUSHDOWN_ROWS", 2_000_000 if QUICK else 20_000_000))
DATABASE_ROWS = int(os.environ.get("BENCH_DATABASE_ROWS", 1_000_000 if QUICK else 5_000_000))
OBJECT_ROWS = int(os.environ.get("BENCH_OBJECT_ROWS", 1_000_000 if QUICK else 10_000_000))
PARTITIONS = 2
SIZES = (8192, 65536, 262144)
ROOT = Path(__file__).resolve().parent.parent

NARROW_DDL = "id BIGINT NOT NULL, value DOUBLE NOT NULL, label STRING NOT NULL"
WIDE_DDL = ", ".join(
    [
        "id BIGINT NOT NULL",
        "int_col INT NOT NULL",
        "short_col SMALLINT NOT NULL",
        "byte_col TINYINT NOT NULL",
        "double_col DOUBLE NOT NULL",
        "float_col FLOAT NOT NULL",
        "bool_col BOOLEAN NOT NULL",
        "str_col STRING NOT NULL",
        "date_col DATE NOT NULL",
        "ts_col TIMESTAMP NOT NULL",
        "ntz_col TIMESTAMP_NTZ NOT NULL",
        "dec_col DECIMAL(12,2) NOT NULL",
        "list_col ARRAY<BIGINT> NOT NULL",
        "opt_long BIGINT",
        "opt_str STRING",
        "double2 DOUBLE NOT NULL",
        "long2 BIGINT NOT NULL",
        "int2 INT NOT NULL",
        "str2 STRING NOT NULL",
        "bin_col BINARY NOT NULL",
    ]
)
TS_BASE_MICROS = 1_600_000_000_000_000

# --- The pure-Python sources. Defined in __main__, so Spark ships them to workers by value. ---

from pyspark.sql.datasource import (  # noqa: E402
    DataSource,
    DataSourceArrowWriter,
    DataSourceReader,
    DataSourceWriter,
    InputPartition,
    WriterCommitMessage,
)


def _narrow_tuples(start, end):
    for i in range(start, end):
        yield (i, i * 0.5, f"row-{i}")


def _wide_tuples(start, end):
    utc = dt.timezone.utc
    epoch = dt.date(1970, 1, 1)
    base = dt.datetime(1970, 1, 1, tzinfo=utc) + dt.timedelta(microseconds=TS_BASE_MICROS)
    for i in range(start, end):
        ts = base + dt.timedelta(microseconds=i * 1000)
        yield (
            i, i % 100_000, i % 1000, i % 100, i * 0.25, (i % 1000) * 0.5, i % 2 == 0,
            f"row-{i}", epoch + dt.timedelta(days=i % 20_000), ts, ts.replace(tzinfo=None),
            Decimal(i % 1_000_000_000).scaleb(-2), [i, i + 1, i + 2],
            None if i % 10 == 0 else i, None if i % 7 == 0 else f"n{i % 1000}",
            i / 3.0, i * 7, (i * 3) % 65_536, f"k{i % 100}", i.to_bytes(8, "little")[:4],
        )


def _prefixed(prefix, ids):
    import pyarrow as pa
    import pyarrow.compute as pc

    return pc.binary_join_element_wise(prefix, pc.cast(pa.array(ids), pa.string()), "")


def _narrow_numpy(start, end):
    import numpy as np
    import pyarrow as pa

    ids = np.arange(start, end, dtype=np.int64)
    schema = pa.schema(
        [pa.field("id", pa.int64(), False), pa.field("value", pa.float64(), False),
         pa.field("label", pa.string(), False)]
    )
    return pa.RecordBatch.from_arrays([pa.array(ids), pa.array(ids * 0.5), _prefixed("row-", ids)], schema=schema)


def _wide_numpy(start, end):
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    n = end - start
    ids = np.arange(start, end, dtype=np.int64)
    decimals = np.zeros((n, 2), dtype=np.int64)
    decimals[:, 0] = ids % 1_000_000_000
    element = pa.field("element", pa.int64(), False)
    lists = pa.ListArray.from_arrays(
        pa.array(np.arange(0, 3 * n + 1, 3, dtype=np.int32)),
        pa.array(np.stack([ids, ids + 1, ids + 2], axis=1).ravel()),
        type=pa.list_(element),
    )
    avatar = np.ascontiguousarray(ids.astype("<u8").view(np.uint8).reshape(-1, 8)[:, :4])
    binary = pa.Array.from_buffers(
        pa.binary(), n,
        [None, pa.py_buffer(np.arange(0, 4 * n + 1, 4, dtype=np.int32).tobytes()), pa.py_buffer(avatar.tobytes())],
    )
    micros = pa.array(TS_BASE_MICROS + ids * 1000)
    columns = [
        pa.array(ids),
        pa.array((ids % 100_000).astype(np.int32)),
        pa.array((ids % 1000).astype(np.int16)),
        pa.array((ids % 100).astype(np.int8)),
        pa.array(ids * 0.25),
        pa.array(((ids % 1000) * 0.5).astype(np.float32)),
        pa.array(ids % 2 == 0),
        _prefixed("row-", ids),
        pa.array((ids % 20_000).astype("datetime64[D]")),
        micros.cast(pa.timestamp("us", tz="UTC")),
        micros.cast(pa.timestamp("us")),
        pa.Array.from_buffers(pa.decimal128(12, 2), n, [None, pa.py_buffer(decimals.tobytes())]),
        lists,
        pa.array(ids, mask=ids % 10 == 0),
        pc.if_else(pa.array(ids % 7 == 0), pa.scalar(None, pa.string()), _prefixed("n", ids % 1000)),
        pa.array(ids / 3.0),
        pa.array(ids * 7),
        pa.array(((ids * 3) % 65_536).astype(np.int32)),
        _prefixed("k", ids % 100),
        binary,
    ]
    return pa.RecordBatch.from_arrays(columns, schema=_wide_arrow_schema())


def _wide_arrow_schema():
    import pyarrow as pa

    f = pa.field
    return pa.schema(
        [
            f("id", pa.int64(), False), f("int_col", pa.int32(), False),
            f("short_col", pa.int16(), False), f("byte_col", pa.int8(), False),
            f("double_col", pa.float64(), False), f("float_col", pa.float32(), False),
            f("bool_col", pa.bool_(), False), f("str_col", pa.string(), False),
            f("date_col", pa.date32(), False), f("ts_col", pa.timestamp("us", tz="UTC"), False),
            f("ntz_col", pa.timestamp("us"), False), f("dec_col", pa.decimal128(12, 2), False),
            f("list_col", pa.list_(f("element", pa.int64(), False)), False),
            f("opt_long", pa.int64(), True), f("opt_str", pa.string(), True),
            f("double2", pa.float64(), False), f("long2", pa.int64(), False),
            f("int2", pa.int32(), False), f("str2", pa.string(), False),
            f("bin_col", pa.binary(), False),
        ]
    )


def _wide_struct():
    """WIDE_DDL as a StructType: DDL cannot say that the list's elements are never null."""
    from pyspark.sql import types as t

    kinds = {
        "BIGINT": t.LongType(), "INT": t.IntegerType(), "SMALLINT": t.ShortType(),
        "TINYINT": t.ByteType(), "DOUBLE": t.DoubleType(), "FLOAT": t.FloatType(),
        "BOOLEAN": t.BooleanType(), "STRING": t.StringType(), "DATE": t.DateType(),
        "TIMESTAMP": t.TimestampType(), "TIMESTAMP_NTZ": t.TimestampNTZType(),
        "DECIMAL(12,2)": t.DecimalType(12, 2), "ARRAY<BIGINT>": t.ArrayType(t.LongType(), False),
        "BINARY": t.BinaryType(),
    }
    fields = []
    for column in WIDE_DDL.split(", "):
        name, kind, *not_null = column.split(" ")
        fields.append(t.StructField(name, kinds[kind], nullable=not not_null))
    return t.StructType(fields)


class _BenchReader(DataSourceReader):
    def __init__(self, kind, options):
        self.kind = kind
        self.wide = options.get("shape", "narrow") == "wide"
        self.rows = int(options["numrows"])
        self.parts = int(options.get("numpartitions", PARTITIONS))
        self.batch_rows = int(options.get("batchrows", 8192))

    def partitions(self):
        bounds = [self.rows * p // self.parts for p in range(self.parts + 1)]
        return [InputPartition((bounds[p], bounds[p + 1])) for p in range(self.parts)]

    def read(self, partition):
        start, end = partition.value
        if self.kind == "tuples":
            yield from (_wide_tuples if self.wide else _narrow_tuples)(start, end)
            return
        build = _wide_numpy if self.wide else _narrow_numpy
        step = self.batch_rows
        if self.kind == "numpy":
            for first in range(start, end, step):
                yield build(first, min(first + step, end))
            return
        cached = build(0, step)  # built once, then the same batch again and again
        for first in range(start, end, step):
            size = min(step, end - first)
            yield cached if size == step else cached.slice(0, size)


class _BenchSource(DataSource):
    kind = ""

    @classmethod
    def name(cls):
        return f"py_{cls.kind}"

    def schema(self):
        return _wide_struct() if self.options.get("shape", "narrow") == "wide" else NARROW_DDL

    def reader(self, schema):
        return _BenchReader(self.kind, self.options)


class TupleSource(_BenchSource):
    kind = "tuples"


class NumpySource(_BenchSource):
    kind = "numpy"


class CachedSource(_BenchSource):
    kind = "cached"


# --- The pure-Python sinks ---


class _Written(WriterCommitMessage):
    def __init__(self, rows):
        self.rows = rows


class _RowCountingWriter(DataSourceWriter):
    """The least a Row writer can do: take each Row PySpark builds."""

    def write(self, iterator):
        return _Written(sum(1 for _ in iterator))


class _ArrowCountingWriter(DataSourceArrowWriter):
    """The least an Arrow writer can do: count the rows of each batch (the write pipe limit)."""

    def write(self, iterator):
        return _Written(sum(batch.num_rows for batch in iterator))


class _ArrowParquetWriter(DataSourceArrowWriter):
    """What a Python user writes with pyarrow: one Snappy Parquet file per task."""

    def __init__(self, path):
        self.path = path

    def write(self, iterator):
        import uuid

        import pyarrow.parquet as pq

        writer, rows = None, 0
        for batch in iterator:
            if writer is None:
                target = os.path.join(self.path, f"part-{uuid.uuid4().hex}.parquet")
                writer = pq.ParquetWriter(target, batch.schema, compression="snappy")
            writer.write_batch(batch)
            rows += batch.num_rows
        if writer is not None:
            writer.close()
        return _Written(rows)


class _BenchSink(DataSource):
    kind = ""

    @classmethod
    def name(cls):
        return f"py_sink_{cls.kind}"

    def writer(self, schema, overwrite):
        if self.kind == "rows":
            return _RowCountingWriter()
        if self.kind == "count":
            return _ArrowCountingWriter()
        os.makedirs(self.options["path"], exist_ok=True)
        return _ArrowParquetWriter(self.options["path"])


class RowSink(_BenchSink):
    kind = "rows"


class CountingSink(_BenchSink):
    kind = "count"


class ParquetSink(_BenchSink):
    kind = "parquet"


# --- Cases ---

NATIVE_NARROW = ["id", "id * 0.5 AS value", "concat('row-', id) AS label"]
NATIVE_WIDE = [
    "id", "CAST(id % 100000 AS INT) AS int_col", "CAST(id % 1000 AS SMALLINT) AS short_col",
    "CAST(id % 100 AS TINYINT) AS byte_col", "id * 0.25 AS double_col",
    "CAST((id % 1000) * 0.5 AS FLOAT) AS float_col", "id % 2 = 0 AS bool_col",
    "concat('row-', id) AS str_col", "date_add(DATE'1970-01-01', CAST(id % 20000 AS INT)) AS date_col",
    f"timestamp_micros({TS_BASE_MICROS} + id * 1000) AS ts_col",
    f"CAST(timestamp_micros({TS_BASE_MICROS} + id * 1000) AS TIMESTAMP_NTZ) AS ntz_col",
    "CAST((id % 1000000000) / 100 AS DECIMAL(12,2)) AS dec_col", "array(id, id + 1, id + 2) AS list_col",
    "IF(id % 10 = 0, NULL, id) AS opt_long", "IF(id % 7 = 0, NULL, concat('n', id % 1000)) AS opt_str",
    "id / 3.0 AS double2", "id * 7 AS long2", "CAST((id * 3) % 65536 AS INT) AS int2",
    "concat('k', id % 100) AS str2", "CAST(substr(hex(id), 1, 8) AS BINARY) AS bin_col",
]

PIPE_LIMIT = "Python: cached pyarrow batches (pipe limit)"
RUST_ARROW = "Rust SDK: raw Arrow batches"
RUST_ROWS = "Rust SDK: row builder (`from_rows`)"
RUST_FILLED = "Rust SDK: reused rows (`from_filled_rows`)"
RUST_REPEAT = "Rust SDK: cached Arrow batches (SDK overhead)"
DEFAULT = "default"


def _size_label(rows):
    return DEFAULT if rows is None else f"{rows // 1024}K"


def _sized(label, fmt, options, sizes):
    return [
        (label, _size_label(rows), fmt, options if rows is None else dict(options, batchRows=rows))
        for rows in sizes
    ]


# (source, batch size, format, options). Spark batches tuples itself (maxRecordsPerBatch).
CASES = (
    [("native JVM (spark.range + expressions)", "—", "native", None)]
    + [("Python: tuples", "10K", "py_tuples", {})]
    + _sized("Python: numpy + pyarrow batches", "py_numpy", {}, SIZES)
    + _sized(PIPE_LIMIT, "py_cached", {}, SIZES)
    + _sized(RUST_REPEAT, "rust", {"path": "repeat"}, (*SIZES, None))
    + _sized(RUST_ARROW, "rust", {"path": "arrow"}, (*SIZES, None))
    + _sized(RUST_ROWS, "rust", {"path": "rows"}, (*SIZES, None))
    + _sized(RUST_FILLED, "rust", {"path": "filled"}, (*SIZES, None))
)
QUERIES = ("noop", "aggregate")
AGGREGATES = {
    False: ["count(*)", "sum(value)", "max(length(label))"],
    True: ["count(*)", "sum(double_col)", "max(length(str_col))", "sum(size(list_col))"],
}


def frame(spark, fmt, options, wide, rows):
    if fmt == "native":
        return spark.range(0, rows, 1, PARTITIONS).selectExpr(*(NATIVE_WIDE if wide else NATIVE_NARROW))
    if fmt == "rust":
        fmt = "fakewide" if wide else "fakerange"
    else:
        options = dict(options, shape="wide" if wide else "narrow")
    reader = spark.read.format(fmt).option("numRows", rows).option("numPartitions", PARTITIONS)
    return reader.options(**options).load()


def scan(df):
    df.write.format("noop").mode("overwrite").save()


def run_query(query, df, wide):
    if query == "noop":
        scan(df)
    else:
        df.selectExpr(*AGGREGATES[wide]).collect()


def timed(spark, cases, wide, rows):
    """Rows/s of each case and query in each of RUNS timed runs. The cases take turns, run after
    run, so drift in the JVM or the machine touches them all alike."""
    frames = {}
    for label, size, fmt, options in cases:
        scan(frame(spark, fmt, options, wide, min(rows, 200_000)))  # warm workers and the JIT
        frames[(label, size)] = frame(spark, fmt, options, wide, rows)
    speeds = {(case, query): [] for case in frames for query in QUERIES}
    for run in range(RUNS):
        for case, df in frames.items():
            for query in QUERIES:
                seconds = metered(("read", case, query, wide), lambda: seconds_of(run_query, query, df, wide))
                speeds[(case, query)].append(rows / seconds)
        print(f"{'wide' if wide else 'narrow'}: run {run + 1}/{RUNS} done", flush=True)
    return speeds


def check_same_data(spark):
    """Every non-JVM source yields the very same rows (the JVM's binary/decimal differ)."""
    for wide in (False, True):
        results = [
            frame(spark, fmt, options, wide, 5_000).orderBy("id").collect()
            for _, size, fmt, options in CASES[1:]
            if fmt != "py_cached" and options.get("path") != "repeat" and size in ("8K", "10K")
        ]
        assert all(r == results[0] for r in results), f"sources disagree (wide={wide})"


def session(worker_reuse=True):
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master(f"local[{PARTITIONS}]")
        .appName("datasource-bench")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.python.worker.reuse", str(worker_reuse).lower())
        .config("spark.driver.memory", "4g")  # the write half caches its rows
        .config("spark.jars", databases.JDBC_JAR)  # Spark's JDBC reader, against `sqldb`
        .config(
            "spark.sql.execution.arrow.maxRecordsPerBatch",
            os.environ.get("BENCH_WRITE_BATCH", "10000"),
        )
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    import pyspark_fakepeople
    import pyspark_fakerange
    import pyspark_filesink

    pyspark_fakepeople.register(spark)
    pyspark_fakerange.register(spark)
    pyspark_filesink.register(spark)
    for source in (TupleSource, NumpySource, CachedSource, RowSink, CountingSink, ParquetSink):
        spark.dataSource.register(source)
    return spark


# --- The write half: one cached DataFrame into each sink ---

NATIVE_PARQUET = "native: Spark's Parquet writer"
WRITE_PIPE_LIMIT = "Python: Arrow writer that counts (write pipe limit)"
PY_ROWS = "Python: Row writer that counts"
PY_PARQUET = "Python: pyarrow Parquet writer"
RUST_COUNT = "Rust SDK: sink that counts (SDK overhead)"
RUST_TYPED = "Rust SDK: typed rows (`batches.rows::<R>()`)"
RUST_PARQUET = "Rust SDK: `files` sink, Parquet"

# (sink, format, options); `{path}` is a fresh directory per run, `{rows}` the row type.
WRITE_CASES = (
    ("native: `noop`", "noop", {}),
    (NATIVE_PARQUET, "parquet", {}),
    (PY_ROWS, "py_sink_rows", {}),
    (WRITE_PIPE_LIMIT, "py_sink_count", {}),
    (PY_PARQUET, "py_sink_parquet", {"path": "{path}"}),
    (RUST_COUNT, "fakesink", {}),
    (RUST_TYPED, "fakesink", {"rows": "{rows}", "compare": "false"}),
    (RUST_PARQUET, "files", {"path": "{path}"}),
)


def cached_rows(spark, wide, rows):
    """The rows of the Rust example source, cached in the JVM: every sink reads the same rows
    from memory, and none of the source's cost is timed."""
    df = frame(spark, "rust", {"path": "arrow"}, wide, rows).cache()
    assert df.count() == rows
    return df


# CPU seconds by process of each timed run (bench/cpu.py), by case; `main` sets the meter.
METER = None
SPENT = {}


def metered(key, run):
    """Runs `run`, which times itself, and returns its seconds; keeps the CPU seconds the run
    cost Spark's JVM and the Python workers under `key`."""
    seconds, spent = METER.measure(run)
    SPENT.setdefault(key, []).append(spent)
    return seconds


def seconds_of(run, *args):
    start = time.perf_counter()
    run(*args)
    return time.perf_counter() - start


def cpu_table(cases, rows_of):
    """Where the cores went: for each (name, key of a narrow case, key of a wide case), the
    median CPU seconds of a timed run in Spark's JVM and in the Python workers, per million
    rows, and how busy the machine's cores were over the run."""
    lines = [
        "| case | narrow: Spark's JVM | Python workers | cores busy "
        "| wide: Spark's JVM | Python workers | cores busy |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, narrow, wide in cases:
        lines.append(
            f"| {name} | "
            + " | ".join(cpu.cells(SPENT.get(narrow), rows_of[False]) + cpu.cells(SPENT.get(wide), rows_of[True]))
            + " |"
        )
    return "\n".join(lines)


def read_cores(results, rows_of):
    """Where the cores went in the timed full scans of the read targets' cases."""

    def pipe_limit(wide):
        best = max(SIZES, key=lambda size: statistics.median(
            results[((PIPE_LIMIT, _size_label(size)), "noop", wide)]))
        return ("read", (PIPE_LIMIT, _size_label(best)), "noop", wide)

    def default(label, wide):
        return ("read", (label, DEFAULT), "noop", wide)

    cases = [("Python: cached pyarrow batches (the best pipe limit)", pipe_limit(False), pipe_limit(True))]
    cases += [(label, default(label, False), default(label, True))
              for label in (RUST_REPEAT, RUST_ARROW, RUST_FILLED, RUST_ROWS)]
    return (
        "In Spark, the same paths' full scans (`noop`): CPU time per million rows by process "
        "(`bench/cpu.py`, from /proc; the median of the timed runs): Spark's JVM (the tasks, "
        "reading the Arrow stream into Spark's rows) and the Python workers (PySpark's worker, "
        "and in the Rust cases the source building its batches); *cores busy* is the whole "
        "machine's CPU time over its cores and the scan's time. With the cores busy, what a "
        "source spends building its rows, beyond what the pipe limit's workers spend, lengthens "
        "the scan: the gap to the pipe limit is that work.\n\n" + cpu_table(cases, rows_of)
    )


def write_cores(rows_of):
    """Where the cores went in the timed writes of the write targets' cases."""
    cases = [(label, ("write", label, False), ("write", label, True))
             for label in (WRITE_PIPE_LIMIT, RUST_COUNT, RUST_TYPED, RUST_PARQUET, PY_PARQUET)]
    return (
        "CPU time per million rows written, by process (`bench/cpu.py`; the median of the timed "
        "runs): Spark's JVM (reading the cached rows, writing them as Arrow batches to the "
        "workers) and the Python workers (PySpark's worker, and the sink: counting, decoding "
        "rows, or encoding Parquet); *cores busy* as above. What a sink spends beyond the write "
        "pipe limit's workers is its own work, and with the cores busy it lengthens the write."
        "\n\n" + cpu_table(cases, rows_of)
    )


def write_to(df, fmt, options, directory, wide):
    path = tempfile.mkdtemp(dir=directory)
    values = {"path": path, "rows": "wide" if wide else "range"}
    start = time.perf_counter()
    if fmt == "noop":
        df.write.format("noop").mode("overwrite").save()
    elif fmt == "parquet":
        df.write.mode("append").parquet(path)
    else:
        writer = df.write.format(fmt).mode("append")
        for key, value in options.items():
            writer = writer.option(key, value.format(**values))
        writer.save()
    seconds = time.perf_counter() - start
    shutil.rmtree(path)
    return seconds


def check_sinks(df, wide, rows, directory):
    """Before timing: the typed sink decodes every row to what the generator made, and the
    Rust Parquet files hold every row, as Spark's own reader sees them."""
    report = Path(directory) / "report.json"
    df.write.format("fakesink").mode("append").option("rows", "wide" if wide else "range").option(
        "report", str(report)
    ).save()
    assert json.loads(report.read_text()) == {"rows": rows, "mismatches": 0}, report.read_text()
    path = Path(directory) / "check"
    df.write.format("files").mode("append").option("path", str(path)).save()
    spark = df.sparkSession
    assert spark.read.parquet(str(path)).count() == rows
    shutil.rmtree(path)


def timed_writes(spark, wide, rows, directory):
    """Rows/s of each sink in each of RUNS rounds. One untimed round at full size first: the
    JVM compiles the paths the sinks share differently once all have run, and a sink timed
    before that would be measured on other code. Each round then starts at another sink, so no
    sink always follows the same one."""
    df = cached_rows(spark, wide, rows)
    only = os.environ.get("BENCH_ONLY")
    cases = [c for c in WRITE_CASES if not only or only in c[0]]
    if not only:
        check_sinks(df, wide, rows, directory)
    for _, fmt, options in cases:
        write_to(df, fmt, options, directory, wide)
    speeds = {label: [] for label, _, _ in cases}
    for run in range(RUNS):
        shift = run % len(cases)
        for label, fmt, options in cases[shift:] + cases[:shift]:
            seconds = metered(("write", label, wide), lambda: write_to(df, fmt, options, directory, wide))
            speeds[label].append(rows / seconds)
        print(f"write {'wide' if wide else 'narrow'}: run {run + 1}/{RUNS} done", flush=True)
    df.unpersist(blocking=True)
    return speeds


def write_memory_run(sink, rows):
    """Writes `rows` rows of the Rust source into `sink` and prints the workers' peak RSS."""
    spark = session()
    directory = tempfile.mkdtemp(prefix="bench-write-memory-")
    fmt, options = {
        "typed": ("fakesink", {"rows": "range", "compare": "false"}),
        "parquet": ("files", {"path": os.path.join(directory, "out")}),
    }[sink]
    peak = sample_peak_rss(
        lambda: frame(spark, "rust", {"path": "arrow"}, False, rows)
        .write.format(fmt)
        .mode("append")
        .options(**options)
        .save()
    )
    shutil.rmtree(directory)
    spark.stop()
    print(json.dumps({"rows": rows, "peak_rss_mib": round(peak / 1024, 1)}))


def write_report(results):
    lines = [
        "| sink | narrow rows/s | × write pipe limit | wide rows/s | × write pipe limit |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, _, _ in WRITE_CASES:
        cells = []
        for wide in (False, True):
            speeds = results[(label, wide)]
            limit = results[(WRITE_PIPE_LIMIT, wide)]
            cells += [f"{statistics.median(speeds):,.0f}", f"{ratio(speeds, limit):.2f}×"]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_targets_table(results, memory):
    def values(label, anchor):
        return [ratio(results[(label, wide)], results[(anchor, wide)]) for wide in (False, True)]

    def measured(label, anchor):
        return " / ".join(f"{value:.2f}×" for value in values(label, anchor))

    def row(name, goal, label, anchor):
        # What the write pipe limit itself reaches against the same anchor: no sink on Spark's
        # Python write path can do better.
        ceiling = "—" if anchor in (WRITE_PIPE_LIMIT, RUST_COUNT) else measured(WRITE_PIPE_LIMIT, anchor)
        verdict = met(values(label, anchor), goal) if goal else ""
        goal_text = f"≥ {goal:g}×" if goal else "—"
        return f"| {name} | {goal_text} | {measured(label, anchor)} | {ceiling} | {verdict} |"

    return "\n".join(
        [
            "| target | goal | narrow / wide | ceiling: the write pipe limit, narrow / wide | |",
            "|---|---|---|---|---|",
            row("Rust sink that counts vs the write pipe limit", 0.90, RUST_COUNT, WRITE_PIPE_LIMIT),
            row("Rust Parquet sink vs the write pipe limit", 0.92, RUST_PARQUET, WRITE_PIPE_LIMIT),
            row("Rust Parquet sink vs the Python Row writer", 5, RUST_PARQUET, PY_ROWS),
            row("Rust Parquet sink vs Spark's Parquet writer", 0.70, RUST_PARQUET, NATIVE_PARQUET),
            row("typed rows vs the Rust sink that counts (raw Arrow)", 0.80, RUST_TYPED, RUST_COUNT),
            row("Rust Parquet sink vs the pyarrow Parquet writer", None, RUST_PARQUET, PY_PARQUET),
            memory_row(memory, "typed", "typed rows", ceiling="—"),
            memory_row(memory, "parquet", "Parquet sink", ceiling="—"),
        ]
    )


def _worker_pids():
    """The Python workers that run tasks: children forked by the `pyspark.worker` daemon (not the
    daemons themselves, nor the planner processes, whose imports make them the largest: the
    one that looks up data sources imports every registered source's module)."""
    commands = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            commands[entry] = Path(f"/proc/{entry}/cmdline").read_bytes()
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        parent = next(line.split()[1] for line in status.splitlines() if line.startswith("PPid:"))
        commands[entry] = (commands[entry], parent)
    task_worker = b"pyspark.daemon\x00pyspark.worker\x00"
    return [
        pid for pid, (command, parent) in commands.items()
        if command.endswith(task_worker) and commands.get(parent, (b"", ""))[0] == command
    ]


def _peak_rss_kib(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def sample_peak_rss(action):
    """Runs `action` and returns the largest peak RSS (KiB) of a Python worker meanwhile."""
    peak = 0
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.is_set():
            peak = max([peak] + [_peak_rss_kib(pid) for pid in _worker_pids()])
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        action()
    finally:
        done.set()
        sampler.join()
    return peak


def memory_run(path, rows):
    """Reads `rows` rows from the Rust source by `path` (`arrow`, `rows`, `filled`) and prints
    the workers' peak RSS (MiB) as JSON."""
    spark = session()
    peak = sample_peak_rss(lambda: scan(frame(spark, "rust", {"path": path}, False, rows)))
    spark.stop()
    print(json.dumps({"rows": rows, "peak_rss_mib": round(peak / 1024, 1)}))


def peak_rss(rows, sink=None, path="rows"):
    """The workers' peak RSS (MiB) of a read of `rows` rows by `path`, or of a write into
    `sink`, in a fresh session."""
    command = ["--memory", path, str(rows)] if sink is None else ["--write-memory", sink, str(rows)]
    return peak_rss_run(*command)


def peak_rss_run(*command):
    """Runs this script with `command` (one of the `--...-memory` modes) in a process and a
    session of its own; the workers' peak RSS (MiB) it prints."""
    out = subprocess.run(
        [sys.executable, __file__, *command], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])["peak_rss_mib"]


def stream_memory_run(lines):
    """Drains `lines` JSON Lines rows with `tail` (parsing them) and prints the workers' peak
    RSS (MiB) as JSON."""
    spark = session()
    with tempfile.TemporaryDirectory(prefix="bench-stream-memory-") as directory:
        streams.prepare(directory, lines)
        peak = sample_peak_rss(lambda: streams.drain(spark, streams.RUST_JSON, directory))
    spark.stop()
    print(json.dumps({"rows": lines, "peak_rss_mib": round(peak / 1024, 1)}))


def database_memory_run(rows):
    """Reads `rows` rows a PostgreSQL server of its own generates, with `sqldb`, and prints the
    workers' peak RSS (MiB) as JSON."""
    spark = session()
    server = databases.PostgresServer()
    try:
        df = databases.generated(spark, server, rows)
        peak = sample_peak_rss(lambda: df.write.format("noop").mode("overwrite").save())
    finally:
        server.stop()
    spark.stop()
    print(json.dumps({"rows": rows, "peak_rss_mib": round(peak / 1024, 1)}))


# --- Where the per-batch cost goes ---


def python_side_seconds_per_batch(wide, batch_rows, batches=200):
    """What the Python worker does with a batch of a data source read, timed in this process:
    wrap the batch as the one struct column the JVM expects, and write it as an Arrow IPC message
    (PySpark's own `ArrowBatchTransformer.wrap_struct` and `RecordBatchStreamWriter`)."""
    import pyarrow as pa
    from pyspark.sql.conversion import ArrowBatchTransformer  # PySpark 4.3

    batch = (_wide_numpy if wide else _narrow_numpy)(0, batch_rows)
    with open(os.devnull, "wb") as sink:
        wrapped = ArrowBatchTransformer.wrap_struct(batch)
        writer = pa.RecordBatchStreamWriter(sink, wrapped.schema)
        start = time.perf_counter()
        for _ in range(batches):
            writer.write_batch(ArrowBatchTransformer.wrap_struct(batch))
        seconds = (time.perf_counter() - start) / batches
        writer.close()
    return seconds


def per_batch_costs(results, rows_of):
    """The fixed cost of one batch through the whole pipe: from the pipe limit at its smallest
    batch size and at its best one (the same rows in fewer batches), the time saved divided by
    the batches saved; beside it, what the Python worker itself spends on a batch (timed here at
    two sizes: about the same, so a fixed cost)."""
    small, next_size = SIZES[0], SIZES[1]
    lines = [
        "| shape | query | best pipe-limit batch | whole pipe, per batch "
        f"| Python worker, per {small // 1024}K batch | Python worker, per {next_size // 1024}K batch |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for wide in (False, True):
        rows = rows_of[wide]
        python = {size: python_side_seconds_per_batch(wide, size) for size in (small, next_size)}
        for query in QUERIES:
            seconds = {
                size: rows / statistics.median(results[((PIPE_LIMIT, _size_label(size)), query, wide)])
                for size in SIZES
            }
            best = min(SIZES, key=seconds.get)
            whole = "—"
            if best != small:
                batches = {size: -(-rows // size) for size in (small, best)}
                saved = (seconds[small] - seconds[best]) / (batches[small] - batches[best])
                whole = f"{saved * 1e6:,.0f} µs"
            lines.append(
                f"| {'wide' if wide else 'narrow'} | {query} | {_size_label(best)} | {whole} | "
                f"{python[small] * 1e6:,.0f} µs | {python[next_size] * 1e6:,.0f} µs |"
            )
    return "\n".join(lines)


# --- Generation alone ---


def generation_rates(rows_of, rounds=3):
    """Rows/s of each Rust path read in this process through the SDK's pyarrow reader, without
    Spark: what building the batches costs, before any of the pipe."""
    import pyspark_fakerange

    lines = ["| path (default batch size) | narrow rows/s | wide rows/s |", "|---|---:|---:|"]
    for path, label in (("arrow", RUST_ARROW), ("filled", RUST_FILLED), ("rows", RUST_ROWS)):
        cells = []
        for wide in (False, True):
            source_type = pyspark_fakerange.FakeWide if wide else pyspark_fakerange.FakeRange
            rows = rows_of[wide]
            best = 0.0
            for _ in range(rounds):
                source = source_type({"numrows": str(rows), "numpartitions": "1", "path": path})
                reader = source.reader(source.schema())
                start = time.perf_counter()
                read = sum(b.num_rows for p in reader.partitions() for b in reader.read(p))
                best = max(best, read / (time.perf_counter() - start))
            cells.append(f"{best:,.0f}")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


# --- Report ---


def best_pipe_limit(results, query, wide):
    """The pipe limit's runs at the batch size where it was fastest."""
    runs = [results[((PIPE_LIMIT, _size_label(size)), query, wide)] for size in SIZES]
    return max(runs, key=statistics.median)


def report(results):
    tables = {}
    for query in QUERIES:
        lines = [
            "| source | batch | narrow rows/s | × best pipe limit | wide rows/s | × best pipe limit |",
            "|---|---|---:|---:|---:|---:|",
        ]
        for label, size, _, _ in CASES:
            cells = []
            for wide in (False, True):
                speeds = results[((label, size), query, wide)]
                limit = best_pipe_limit(results, query, wide)
                cells += [f"{statistics.median(speeds):,.0f}", f"{ratio(speeds, limit):.2f}×"]
            lines.append(f"| {label} | {size} | " + " | ".join(cells) + " |")
        tables[query] = "\n".join(lines)
    return tables


def memory_row(memory, path, name, ceiling=None):
    """The target row of the workers' peak RSS of `path` (a read path or a sink), the larger
    size against the smaller; `ceiling`: a cell for tables that have that column."""
    cells = memory_cells(name, MEMORY_ROWS, {rows: memory[(path, rows)] for rows in MEMORY_ROWS})
    if ceiling is not None:
        cells.insert(-1, ceiling)  # before the verdict
    return f"| {' | '.join(cells)} |"


def targets_table(results, memory):
    def measured(label, size=DEFAULT, anchor=None):
        values = []
        for query in QUERIES:
            for wide in (False, True):
                base = anchor(query, wide) if anchor else best_pipe_limit(results, query, wide)
                values.append(ratio(results[((label, size), query, wide)], base))
        return values

    def row(name, goal, values):
        cells = " / ".join(f"{value:.2f}×" for value in values)
        verdict = met(values, goal) if goal else ""
        return f"| {name} | {f'≥ {goal:.2f}×' if goal else '—'} | {cells} | {verdict} |"

    tuples = lambda query, wide: results[(("Python: tuples", "10K"), query, wide)]  # noqa: E731
    raw = lambda query, wide: results[((RUST_ARROW, DEFAULT), query, wide)]  # noqa: E731


    return "\n".join(
        [
            "| target (default batch size) | goal | noop narrow / wide, aggregate narrow / wide | |",
            "|---|---|---|---|",
            row("raw Arrow vs the best pipe limit", 0.95, measured(RUST_ARROW)),
            row("row builder vs the best pipe limit", 0.95, measured(RUST_ROWS)),
            row("reused typed rows vs the best pipe limit", 0.95, measured(RUST_FILLED)),
            row("row builder vs raw Arrow", 0.95, measured(RUST_ROWS, anchor=raw)),
            row("reused typed rows vs raw Arrow", 0.95, measured(RUST_FILLED, anchor=raw)),
            row("raw Arrow vs Python tuples", 6, measured(RUST_ARROW, anchor=tuples)),
            row("SDK alone (cached batches in Rust) vs the best pipe limit", None, measured(RUST_REPEAT)),
            memory_row(memory, "arrow", "raw Arrow"),
            memory_row(memory, "rows", "row builder"),
            memory_row(memory, "filled", "reused typed rows"),
        ]
    )


def main():
    if sys.argv[1:2] == ["--memory"]:
        memory_run(sys.argv[2], int(sys.argv[3]))
        return
    if sys.argv[1:2] == ["--write-memory"]:
        write_memory_run(sys.argv[2], int(sys.argv[3]))
        return
    if sys.argv[1:2] == ["--stream-memory"]:
        stream_memory_run(int(sys.argv[2]))
        return
    if sys.argv[1:2] == ["--database-memory"]:
        database_memory_run(int(sys.argv[2]))
        return
    half = os.environ.get("BENCH_HALF")
    only = os.environ.get("BENCH_ONLY")
    spark = session()
    global METER
    METER = cpu.Meter(jvm=cpu.jvm_of(spark))
    rows_of = {False: ROWS, True: WIDE_ROWS}
    results, written, streamed, latency, pushed, read_db, objects = {}, {}, {}, {}, {}, {}, None
    if half in (None, "read"):
        if not only:
            check_same_data(spark)
        for wide, rows in rows_of.items():
            shape = "wide" if wide else "narrow"
            cases = [case for case in CASES if not only or only in f"{shape} {case[0]} {case[1]}"]
            for (case, query), speeds in timed(spark, cases, wide, rows).items():
                results[(case, query, wide)] = speeds
                print(f"{shape} {query} | {case[0]}, {case[1]}: {statistics.median(speeds):,.0f} rows/s", flush=True)
    if half in (None, "write"):
        with tempfile.TemporaryDirectory(prefix="bench-write-") as directory:
            for wide, rows in rows_of.items():
                for label, speeds in timed_writes(spark, wide, rows, directory).items():
                    written[(label, wide)] = speeds
                    shape = "wide" if wide else "narrow"
                    print(f"{shape} write | {label}: {statistics.median(speeds):,.0f} rows/s", flush=True)
    if half in (None, "stream") and not only:
        streamed = streams.timed_streams(spark, STREAM_LINES, RUNS)
        for (case, part), speeds in streamed.items():
            print(f"stream {part} | {case}: {statistics.median(speeds):,.0f} rows/s", flush=True)
        fs_checkpoints = streams.file_system_checkpoints(spark)
        tail_name = "Rust SDK: `tail`, a line appended to a file"
        text_name = "native: Spark's `text` file stream, a new file per line"
        latency = {
            tail_name: streams.latencies(spark, tail=True),
            text_name: streams.latencies(spark, tail=False),
            f"{tail_name} (FileSystem checkpoints)": streams.latencies(
                spark, tail=True, checkpoints=fs_checkpoints
            ),
            f"{text_name} (FileSystem checkpoints)": streams.latencies(
                spark, tail=False, checkpoints=fs_checkpoints
            ),
        }
        for name, (values, stages) in latency.items():
            print(f"latency | {name}: median {statistics.median(values) * 1000:.0f} ms, {stages}", flush=True)
    if half in (None, "pushdown") and not only:
        pushed = pushdown.timed(spark, PUSHDOWN_ROWS, RUNS)
        for case, seconds in pushed.items():
            print(f"pushdown | {case}: {statistics.median(seconds) * 1000:,.0f} ms", flush=True)
    if half in (None, "database") and not only:
        read_db = databases.timed(spark, DATABASE_ROWS, RUNS)
        for (reader, partitions), seconds in read_db[0].items():
            print(f"database | {databases.case_name(reader, partitions)}: "
                  f"{statistics.median(seconds) * 1000:,.0f} ms", flush=True)
    if half in (None, "objects") and not only:
        objects = objectstore.timed(spark, OBJECT_ROWS, RUNS)
        for case, seconds in objects[0].items():
            print(f"objects | {case}: {statistics.median(seconds) * 1000:,.0f} ms", flush=True)
    version = spark.version
    spark.stop()
    # Peak RSS of the streams and the database read, each size in a session of its own (after
    # this one stopped: its workers would be counted).
    if half in (None, "stream") and not only:
        streams.MEMORY.update({n: peak_rss_run("--stream-memory", str(n)) for n in MEMORY_ROWS})
    if half in (None, "database") and not only:
        databases.MEMORY.update({n: peak_rss_run("--database-memory", str(n)) for n in MEMORY_ROWS})
    if half == "stream":
        stream_tables = streams.report(streamed, latency, STREAM_LINES)
        print(stream_tables)
    if half == "pushdown":
        print(pushdown.report(pushed, PUSHDOWN_ROWS))
    measured = (
        f"PySpark {version}, local[{PARTITIONS}] on {os.cpu_count()} cores; median of "
        f"{RUNS} timed runs of each case after a warm-up; {dt.date.today().isoformat()}"
    )
    if half == "stream" and os.environ.get("BENCH_WRITE", "1") != "0":
        replace_section(STREAMS_HEADING, f"{measured}\n\n{stream_tables}")
    if half == "database":
        database_table = databases.report(read_db, DATABASE_ROWS)
        print(database_table)
        if os.environ.get("BENCH_WRITE", "1") != "0":
            # A half alone rewrites its own section, the others' results stay.
            replace_section(DATABASES_HEADING, f"{measured}\n\n{database_table}")
    if half == "objects":
        objects_table = objectstore.report(objects, OBJECT_ROWS)
        print(objects_table)
        if os.environ.get("BENCH_WRITE", "1") != "0":
            replace_section(OBJECTS_HEADING, f"{measured}\n\n{objects_table}")
    if only or half:
        return
    memory = {(path, rows): peak_rss(rows, path=path) for path in ("arrow", "rows", "filled") for rows in MEMORY_ROWS}
    write_memory = {(sink, rows): peak_rss(rows, sink) for sink in ("typed", "parquet") for rows in MEMORY_ROWS}
    environment = (
        f"PySpark {version}, local[{PARTITIONS}] on {os.cpu_count()} cores, Python "
        f"{sys.version.split()[0]}; narrow: {ROWS:,} rows, wide: {WIDE_ROWS:,} rows; "
        f"median of {RUNS} timed runs of each case after a warm-up, ratios as medians of "
        f"same-round ratios; {dt.date.today().isoformat()}"
    )
    tables = report(results)
    targets = targets_table(results, memory)
    costs = per_batch_costs(results, rows_of)
    generation = generation_rates(rows_of) + "\n\n" + read_cores(results, rows_of)
    writes = write_report(written)
    write_targets = write_targets_table(written, write_memory) + "\n\n" + write_cores(rows_of)
    stream_tables = streams.report(streamed, latency, STREAM_LINES)
    pushdown_table = pushdown.report(pushed, PUSHDOWN_ROWS)
    database_table = databases.report(read_db, DATABASE_ROWS)
    objects_table = objectstore.report(objects, OBJECT_ROWS)
    print(
        f"\n{environment}\n\n{tables['noop']}\n\n{tables['aggregate']}\n\n{targets}\n\n{costs}"
        f"\n\n{generation}\n\n{writes}\n\n{write_targets}\n\n{stream_tables}\n\n{pushdown_table}"
        f"\n\n{database_table}\n\n{objects_table}"
    )
    if os.environ.get("BENCH_WRITE", "1") != "0":
        write_results(
            tables, targets, costs, generation, writes, write_targets, stream_tables,
            pushdown_table, database_table, objects_table, environment,
        )


STREAMS_HEADING = (
    "## Streams\n\n"
    "The Rust `tail` source (`examples/tail`) against the *stream pipe limit* and Spark's own "
    "file streams over the same files, the cases taking turns round by round; each drain is a "
    "whole query (start-up included) with a fresh checkpoint. The stream pipe limit is a "
    "pure-Python `DataSourceStreamReader` (`bench/streams.py`) over the same files, in the "
    "same micro-batches, whose tasks hand over pyarrow batches of `tail`'s very rows (about "
    "8 MiB each, as the SDK's default), built in each Python worker before the timed runs: "
    "no stream source on PySpark's Python path can do less, so it is `tail`'s target. "
    "Spark's JVM streams skip that path; the gap to them is what the Python path costs. "
    "`tail` given the schema parses each line as a JSON record in Rust and gives the same "
    "rows as Spark's `json` stream; *lines only* compares `tail` (which also gives each "
    "line's file and position) with Spark's `text` stream. For latency, Spark's file streams "
    "only see new files, so its case writes each line as a new file; `tail` appends to one "
    "file.\n\n"
)


DATABASES_HEADING = (
    "## Databases\n\n"
    "The Rust `sqldb` source (`examples/sqldb`) and Spark's own JDBC reader over one "
    "PostgreSQL table, on a server the benchmark starts on 127.0.0.1. `sqldb` streams rows "
    "in PostgreSQL's binary format as the server produces them and decodes them into Arrow "
    "on a thread of its own; Spark's JDBC reader converts rows in the JVM. With 4 partitions "
    "on 2 cores, two tasks and two server processes share the cores.\n\n"
)


OBJECTS_HEADING = (
    "## Object storage\n\n"
    "The Rust `arrow` source (`examples/arrowfiles`) over the same Parquet files on local disk "
    "and in an S3-compatible store the benchmark starts on 127.0.0.1 (moto's server, from "
    "PyPI): listed once on the driver, each task's row groups fetched by ranged GETs through "
    "`object_store` and decoded as they arrive; Spark's own Parquet reader of the local files "
    "for reference.\n\n"
)


def replace_section(heading, section):
    """A half run alone (`BENCH_HALF=database`, `objects`): its section of bench/README.md,
    from its heading to the next one, the rest as the last full run wrote it."""
    bench = ROOT / "bench" / "README.md"
    text = bench.read_text()
    title = heading.split("\n")[0]
    if title in text:
        before, after = text.split(title, 1)
        following = after.find("\n## ")
        after = after[following + 1:] if following >= 0 else ""
    else:
        before, after = text.rstrip("\n") + "\n\n", ""
    text = f"{before}{heading}{section}\n" + (f"\n{after}" if after else "")
    bench.write_text(text)


def write_results(
    tables, targets, costs, generation, writes, write_targets, stream_tables, pushdown_table,
    database_table, objects_table, environment,
):
    (ROOT / "bench" / "README.md").write_text(
        "# Benchmarks\n\n"
        "Generated by `make bench` (`bench/bench.py`); do not edit by hand.\n\n"
        "Each source feeds the same two queries in one Spark `local[2]` session: a full scan into "
        "Spark's `noop` sink, and an aggregate (`count(*)`, a `sum`, a `max(length(...))`). "
        "*Pipe limit*: a pure-Python source yielding prebuilt, cached pyarrow batches; no source "
        "that goes through Spark's Python data source path can beat it, and every ratio is against "
        "it at the batch size where it was fastest. Narrow rows are "
        "`(id BIGINT, value DOUBLE, label STRING)`; wide rows have 20 columns of mixed types "
        "including a timestamp, a decimal and a list (`bench/sources/src/wide.rs`); every "
        "Python source and every Rust path produce the very same rows (checked before timing). "
        "*Batch*: rows per Arrow batch; *default* is the SDK's own choice, about "
        "8 MiB of Arrow data per batch (`BatchSize`). *SDK overhead*: the Rust source handing over "
        "one prebuilt batch again and again, so all that is left is the SDK's own cost (FFI "
        "export, checks, pyarrow import). On a 2-core machine two sources doing the same work "
        "differ by up to about 10% from run to run, so ratios above 1.00× against the pipe limit "
        "are that noise.\n\n"
        f"{environment}\n\n## Full scan (`noop` sink)\n\n{tables['noop']}\n\n"
        f"## Aggregate\n\n{tables['aggregate']}\n\n## Targets\n\n{targets}\n\n"
        "Peak RSS is the largest `VmHWM` of the Python workers that run the tasks (the processes "
        "PySpark's worker daemon forks; not the planner processes) while the Rust source is read "
        "by each path at the default batch size, each size in a fresh session: flat memory means "
        "batches stream and partitions are never materialised.\n\n"
        "## Where the per-batch cost goes\n\n"
        "Every batch costs the pipe a fixed amount on top of its rows. *Whole pipe*: from the pipe "
        f"limit at {SIZES[0]:,} rows a batch and at its best size (the same rows in fewer "
        "batches), the time saved divided by the batches saved; it is the difference of two "
        "timings of about a second, so it is rough (tens of µs). *Python worker*: PySpark's own "
        "work on a batch of a data source read (wrapping it as the one struct column the JVM "
        "expects and writing it as an Arrow IPC message, to `/dev/null`), timed in-process: about "
        "the same at both sizes, so a fixed cost per batch, higher for more columns (more buffers "
        "to frame and write). The rest of the whole-pipe cost is the socket and the JVM (reading "
        "each IPC message, setting up its column vectors). Past the best size, larger batches get "
        "slower again (more memory per batch on both sides).\n\n"
        f"{costs}\n\n"
        "Large batches spread this cost over more rows, but a Rust source that frees each batch's "
        "buffers with glibc's allocator pays for them again: glibc hands blocks above its mmap "
        "threshold back to the OS, and the next batch faults its pages in (when this was measured, "
        "generating the narrow rows in 4 MiB batches ran at less than half the speed of 8,192-row "
        "batches). The SDK's extension modules therefore allocate with mimalloc (the `mimalloc` "
        "feature of `datasource-py`), which keeps freed memory for the next batch.\n\n"
        "## Building the rows, without Spark\n\n"
        "The Rust paths read in the benchmark's own process through the SDK's pyarrow reader, at "
        "the default batch size: what building the batches costs before any of the pipe. The row "
        "builder (`Batches::from_rows`) takes an owned row per item, so each string field is an "
        "allocation, a copy into the column and a free (in a profile of the narrow rows, "
        "formatting the label into a new `String` and `malloc`/`free` took about half the time); "
        "`Batches::from_filled_rows` refills one reused row, so fields keep their allocations and "
        "only the copy into the column is left. Both still append row by row, field by field, "
        "where the raw Arrow path fills each column in one tight loop.\n\n"
        f"{generation}\n\n"
        "## Writes\n\n"
        "One DataFrame (the rows of the Rust example source, cached in the JVM, so that every sink "
        "reads the same rows from memory and no source is timed) written into each sink, the "
        "sinks taking turns round by round. Spark hands Python writers Arrow batches of "
        "`spark.sql.execution.arrow.maxRecordsPerBatch` rows (10,000 by default). *Write pipe "
        "limit*: a pure-Python `DataSourceArrowWriter` that only counts the rows of each batch; "
        "no sink on Spark's Python write path can beat it. *Row writer*: a pure-Python "
        "`DataSourceWriter` that only takes each Row PySpark builds for it. *pyarrow Parquet*: "
        "what a Python user would write, one Snappy file per task with `pyarrow.parquet`. The "
        "Rust sinks are `fakesink` (counting; typed rows: every row decoded into the "
        "`#[derive(Row)]` type and kept from being optimised away, without comparing it) and "
        "`files` (one Snappy Parquet file per task, staged and published at commit; "
        "`examples/filesink`). Before timing, the typed sink checks every decoded row against "
        "its generator and the Parquet files are read back whole.\n\n"
        f"{writes}\n\n{write_targets}\n\n"
        "Peak RSS here is the largest `VmHWM` of the Python workers while the Rust source's rows "
        "are written into the sink, each size in a fresh session.\n\n"
        f"{STREAMS_HEADING}{stream_tables}\n\n"
        "## Filter pushdown\n\n"
        "The Rust `arrow` file source (`examples/arrowfiles`) and Spark's own Parquet reader over "
        "the same files. With pushdown on (PySpark 4.1+, "
        "`spark.sql.python.filterPushdown.enabled`), the source plans only the row groups whose "
        "statistics allow a matching row, and filters the rows it reads in Rust before they "
        "cross into Spark; with it off, it reads every row and Spark filters. Spark's reader "
        "pushes the filter into its Parquet reader as well.\n\n"
        f"{pushdown_table}\n\n"
        f"{DATABASES_HEADING}{database_table}\n\n"
        f"{OBJECTS_HEADING}{objects_table}\n"
    )


if __name__ == "__main__":
    main()
