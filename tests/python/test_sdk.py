"""The SDK's own behaviour through real PySpark, on the fixture sources of
`tests/fixtures`: classes assembled from capabilities, zero partitions, nested values, a
secret, and each call into the source made once per query."""

import pickle

import pytest
from pyspark.sql.datasource import DataSource, DataSourceReader, DataSourceStreamReader

import pyspark_sdk_fixtures

TOKEN = "hunter2-s3cr3t-t0k3n"


@pytest.fixture(scope="module")
def spark(spark):
    pyspark_sdk_fixtures.register(spark)
    return spark


def load(spark, name, **options):
    return spark.read.format(name).options(**{k: str(v) for k, v in options.items()}).load()


def test_classes_are_assembled_from_what_the_rust_type_implements():
    module = pyspark_sdk_fixtures
    assert module.DefaultSource is module.Shapes
    assert issubclass(module.Shapes, DataSource)
    assert issubclass(module.ShapesReader, DataSourceReader)
    # A reader only: no writer or stream classes, and no pushFilters (PySpark detects hooks by
    # their presence; a reader that defines pushFilters fails while pushdown is disabled).
    assert [name for name in dir(module) if name.endswith(("Writer", "StreamReader"))] == [
        "AsyncRowsWriter",  # sdk_async: an AsyncBatchWriter is served as a BatchWriter
        "CallsStreamReader",  # sdk_calls is also a (non-simple) stream
        "NewerTypesWriter",  # sdk_newer_types reads and writes
        "PlannedSinkStreamWriter",  # sdk_planned_sink writes only, batches and streams
        "PlannedSinkWriter",
    ]
    # A source that only writes has no reader at all.
    assert "reader" not in vars(module.PlannedSink) and not hasattr(module, "PlannedSinkReader")
    assert issubclass(module.AsyncRowsReader, DataSourceReader)
    assert "pushFilters" not in vars(module.ShapesReader)
    # A source that pushes filters (FilterPushdown) has the hook, and only its reader, where
    # PySpark has pushdown (4.1+).
    assert ("pushFilters" in vars(module.EdgesReader)) == hasattr(DataSourceReader, "pushFilters")
    assert {"schema", "reader"} <= set(vars(module.Shapes))
    assert "streamReader" not in vars(module.Shapes)
    # A stream reader, but not a simple one: Spark falls back to `simpleStreamReader` only when
    # `streamReader` is missing, and a source with both would hide the simple one.
    assert {"schema", "reader", "streamReader"} <= set(vars(module.Calls))
    assert "simpleStreamReader" not in vars(module.Calls)
    assert issubclass(module.CallsStreamReader, DataSourceStreamReader)
    # Spark calls writer() on any source it writes to: this one says plainly that it cannot.
    with pytest.raises(RuntimeError, match="sdk_shapes: this source cannot be written"):
        module.Shapes({}).writer(None, False)
    for name in ("sdk_shapes", "sdk_vault", "sdk_calls", "sdk_filters", "sdk_planned"):
        assert f"`{name}`" in module.__doc__


def test_zero_partitions_read_no_rows(spark):
    # PySpark 4.0 reads a placeholder partition None, 4.1+ InputPartition(None).
    df = load(spark, "sdk_shapes", partitions=0)
    assert df.collect() == []
    assert df.count() == 0
    assert df.rdd.getNumPartitions() == 1


def expected_shape(i):
    spots = {key: (f"{key}{i}", i if key == "a" else None) for key in ["a", "b"][: i % 3]}
    return (i, [list(range(k)) for k in range(i % 3)], spots, ["x", None] if i % 2 else None)


def test_lists_of_lists_and_maps_of_structs_reach_spark(spark):
    df = load(spark, "sdk_shapes", rows=30, partitions=3)
    assert df.schema.simpleString() == (
        "struct<id:bigint,grid:array<array<bigint>>,"
        "spots:map<string,struct<name:string,rank:int>>,labels:array<string>>"
    )
    rows = df.orderBy("id").collect()
    assert [tuple(row) for row in rows] == [expected_shape(i) for i in range(30)]
    # Spark computes on them, not only carries them.
    total = df.selectExpr("sum(size(grid))", "sum(size(spots))", "count(labels)").first()
    assert tuple(total) == (30, 30, 15)


def test_filters_work_with_pushdown_enabled_because_none_is_offered(spark):
    spark.conf.set("spark.sql.python.filterPushdown.enabled", "true")
    try:
        ids = load(spark, "sdk_shapes", rows=20).where("id >= 15").select("id").collect()
    finally:
        spark.conf.unset("spark.sql.python.filterPushdown.enabled")
    assert sorted(row.id for row in ids) == [15, 16, 17, 18, 19]


def test_a_secret_reaches_the_executors_and_nowhere_else(spark):
    df = load(spark, "sdk_vault", token=TOKEN, copies=2)
    rows = df.collect()
    assert [tuple(r) for r in rows] == [(len(TOKEN), sum(TOKEN.encode()))] * 2
    plan = df._jdf.queryExecution().toString()
    assert TOKEN not in plan
    with pytest.raises(Exception) as error:
        load(spark, "sdk_vault", token=TOKEN, copies=0).collect()
    message = str(error.value)
    assert "option `copies`: got `0`" in message
    assert TOKEN not in message
    assert TOKEN not in pyspark_sdk_fixtures.Vault.__doc__


def calls(path):
    return sorted(path.read_text().split("\n")[:-1])


def test_each_call_into_the_source_is_made_once_per_query(spark, tmp_path):
    log = tmp_path / "calls.log"
    rows = load(spark, "sdk_calls", log=log, partitions=3).collect()
    assert sorted(row.partition for row in rows) == [0, 1, 2]
    # Across Spark's processes: the schema once (it travels with the source), the partitions
    # once (the reader travels with its plan), each partition read once.
    assert calls(log) == ["partitions", "read 0", "read 1", "read 2", "schema"]


def test_a_users_schema_still_costs_one_schema_call(spark, tmp_path):
    log = tmp_path / "calls.log"
    df = (
        spark.read.format("sdk_calls")
        .schema("partition INT")
        .option("log", str(log))
        .option("partitions", "2")
        .load()
    )
    assert sorted(row.partition for row in df.collect()) == [0, 1]
    assert calls(log) == ["partitions", "read 0", "read 1", "schema"]


def test_a_pickled_reader_reads_without_planning_again(tmp_path):
    log = tmp_path / "calls.log"
    source = pyspark_sdk_fixtures.Calls({"log": str(log), "partitions": "2"})
    reader = source.reader(source.schema())
    partitions = reader.partitions()
    copy = pickle.loads(pickle.dumps(reader))
    batches = [batch for p in partitions for batch in copy.read(pickle.loads(pickle.dumps(p)))]
    assert [b.column("partition").to_pylist() for b in batches] == [[0], [1]]
    assert calls(log) == ["partitions", "read 0", "read 1", "schema"]


def test_a_damaged_plan_is_a_clear_error_naming_the_source(tmp_path):
    source = pyspark_sdk_fixtures.Calls({"log": str(tmp_path / "x.log")})
    reader = source.reader(source.schema())
    state = dict(reader.__getstate__())
    state["state"] = state["state"].replace('"declared"', '"declard"')
    with pytest.raises(ValueError) as error:
        type(reader).__new__(type(reader)).__setstate__(state)
    message = str(error.value)
    assert message.startswith("sdk_calls: read plan does not decode: missing field `declared`")
    assert '"declard"' in message


# -- many extension modules in one process ------------------------------------------------

DT_FLAGS, DF_STATIC_TLS = 30, 0x10


def dynamic_flags(path):
    """DT_FLAGS of a 64-bit little-endian ELF shared object (0 when it has none)."""
    import struct

    with open(path, "rb") as elf:
        data = elf.read()
    assert data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1, path
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    for index in range(phnum):
        kind, _, offset, _, _, size = struct.unpack_from("<IIQQQQ", data, phoff + index * phentsize)
        if kind == 2:  # PT_DYNAMIC
            for entry in range(offset, offset + size, 16):
                tag, value = struct.unpack_from("<qQ", data, entry)
                if tag == DT_FLAGS:
                    return value
                if tag == 0:
                    break
    return 0


def test_no_extension_module_takes_static_thread_local_storage():
    """A module built with initial-exec thread locals (flagged DF_STATIC_TLS) takes a share of
    glibc's small static TLS reserve when it is loaded: with enough of them in one process
    (Spark's lookup imports every `pyspark_*` module) the next fails with "cannot allocate
    memory in static TLS block", and with it the lookup of every Python data source."""
    import glob
    import importlib.util
    import os

    checked = []
    for info in __import__("pkgutil").iter_modules():
        if not info.name.startswith("pyspark_"):
            continue
        spec = importlib.util.find_spec(info.name)
        package = os.path.dirname(spec.origin)
        if not os.path.exists(os.path.join(package, "_platform.py")):
            continue  # not built by this SDK
        for library in glob.glob(os.path.join(package, "*.so")):
            checked.append(library)
            assert not dynamic_flags(library) & DF_STATIC_TLS, f"{library} uses static TLS"
    assert len(checked) >= 7, checked
