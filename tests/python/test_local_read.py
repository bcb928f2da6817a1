"""Reading a source without Spark: `pyspark_<wheel>.read(format, **options)` plans, partitions
and reads it in this process, through the same classes Spark uses, as a
`pyarrow.RecordBatchReader`; pyarrow, DuckDB and Polars take it, and it gives Spark's rows."""

import sqlite3
import subprocess
import sys
import textwrap

import duckdb
import polars as pl
import pyarrow as pa
import pytest

import pyspark_fakepeople
import pyspark_sqldb


def spark_rows(df, key):
    return df.orderBy(key).toArrow().to_pylist()


def test_a_read_without_spark_gives_the_rows_spark_reads(spark):
    pyspark_fakepeople.register(spark)
    options = {"numRows": 2500, "seed": 3, "numPartitions": 3}
    local = pyspark_fakepeople.read("fakepeople", **options)
    assert isinstance(local, pa.RecordBatchReader)
    table = local.read_all()
    reader = spark.read.format("fakepeople")
    for key, value in options.items():
        reader = reader.option(key, value)
    df = reader.load()
    assert table.schema.names == df.columns
    assert table.sort_by("id").to_pylist() == spark_rows(df, "id")


def test_duckdb_and_polars_take_the_reader():
    people = pyspark_fakepeople.read("fakepeople", numRows=1000, numPartitions=4)  # noqa: F841
    assert duckdb.sql("select count(*), min(id), max(id) from people").fetchall() == [(1000, 0, 999)]
    frame = pl.DataFrame(pyspark_fakepeople.read("fakepeople", numRows=10))
    assert frame.shape[0] == 10 and frame["id"].to_list() == list(range(10))


def test_no_jvm_is_started():
    script = textwrap.dedent(
        """
        import pyspark, pyspark_fakepeople
        rows = pyspark_fakepeople.read("fakepeople", numRows=5).read_all().num_rows
        assert pyspark.SparkContext._gateway is None and pyspark.SparkContext._jvm is None
        print(rows)
        """
    )
    # No Java on the path: a JVM could not start even if something tried.
    env = {"PATH": "/usr/bin/false-path", "JAVA_HOME": "/nonexistent"}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["5"]


def test_partitions_and_filters_are_chosen(spark, tmp_path):
    path = tmp_path / "people.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE people (id INTEGER, name TEXT)")
        db.executemany(
            "INSERT INTO people VALUES (?, ?)",
            [(i, f"n{i}" if i % 7 else None) for i in range(100)],
        )
    options = {"url": f"sqlite:{path}", "table": "people", "partitionColumn": "id"}
    filters = [("id", ">=", 10), ("name", "is_not_null"), ("name", "ends_with", "5")]
    local = pyspark_sqldb.read("sqldb", numPartitions=4, filters=filters, **options).read_all()
    pyspark_sqldb.register(spark)
    reader = spark.read.format("sqldb")
    for key, value in options.items():
        reader = reader.option(key, value)
    df = reader.option("numPartitions", 4).load()
    expected = df.where("id >= 10 and name is not null and name like '%5'")
    assert local.sort_by("id").to_pylist() == spark_rows(expected, "id")
    # Each planned partition on its own: together, every row once.
    parts = [
        pyspark_sqldb.read("sqldb", numPartitions=4, partitions=[index], **options)
        .read_all()
        .column("id")
        .to_pylist()
        for index in range(4)
    ]
    assert all(0 < len(part) < 100 for part in parts)
    assert sorted(sum(parts, [])) == list(range(100))


def test_mistakes_are_named():
    with pytest.raises(ValueError, match="no source is named `nope`; this wheel has"):
        pyspark_fakepeople.read("nope")
    with pytest.raises(ValueError, match="`fakestream` has no batch reader"):
        pyspark_fakepeople.read("fakestream")
    with pytest.raises(ValueError, match=r"partition 7 is not one of the 2 planned \(0 to 1\)"):
        pyspark_fakepeople.read("fakepeople", numPartitions=2, partitions=[7])
    with pytest.raises(ValueError, match="filter op '~' is not one of"):
        pyspark_fakepeople.read("fakepeople", filters=[("id", "~", 1)])
    with pytest.raises(ValueError, match="numRows"):
        pyspark_fakepeople.read("fakepeople", numRows="many").read_all()


def test_filters_a_source_takes_are_pushed_to_it():
    import importlib

    import pyspark
    import pyspark_fakerange

    local = importlib.import_module("pyspark_fakerange._sdk.local_read")
    source = pyspark_fakerange.FakeRange({"numRows": "10000"})
    reader = source.reader(source.schema())
    tests = [
        local.filter_test("fakerange", spec) for spec in [("id", ">=", 100), ("value", ">=", 75.0)]
    ]
    remaining = local.push(reader, tests)
    if tuple(map(int, pyspark.__version__.split(".")[:2])) >= (4, 1):
        # fakerange generates only the ids its filters admit; `value` is left to be applied.
        assert remaining == tests[1:]
        rows = pyspark_fakerange.read(
            "fakerange", numRows=10000, filters=[("id", ">=", 100), ("value", ">=", 75.0)]
        ).read_all()
        assert rows.num_rows == 9850  # ids 150 to 9999 (value = id / 2)
    else:
        # PySpark 4.0 has no filter objects: every filter is applied here.
        assert remaining == tests
