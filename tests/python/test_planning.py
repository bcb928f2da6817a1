"""Readers that plan, through real PySpark (fixture sources of `tests/fixtures/src/planning.rs`):
a schema known at run time, the user's `.schema(...)` driving a source, a plan made once on the
driver and seen by every task, and Arrow types Spark lacks."""

import datetime
import decimal

import pytest

import pyspark_sdk_fixtures


@pytest.fixture(scope="module")
def spark(spark):
    pyspark_sdk_fixtures.register(spark)
    return spark


def test_a_schema_from_an_option_is_read_at_run_time(spark):
    df = spark.read.format("sdk_shaped").option("columns", "n:int, at:timestamp, ok:boolean").load()
    assert df.schema.simpleString() == "struct<n:int,at:timestamp,ok:boolean>"
    rows = sorted(df.collect())
    assert [row.n for row in rows] == [0, 1, 2]
    assert rows[1].ok is False
    assert rows[2].at == datetime.datetime(2024, 1, 1, 0, 0, 2)


def test_a_bad_schema_option_names_the_option_and_the_source(spark):
    with pytest.raises(Exception, match=r"sdk_shaped.*option `columns`: type `money`"):
        spark.read.format("sdk_shaped").option("columns", "n:money").load()


def test_the_users_schema_decides_what_a_source_produces(spark):
    df = (
        spark.read.format("sdk_shaped")
        .schema("tags ARRAY<STRING>, total DECIMAL(10,2), inner STRUCT<day: DATE, x: DOUBLE>")
        .load()
    )
    rows = sorted(df.collect(), key=lambda row: row.total)
    assert [row.tags for row in rows] == [
        ["tags-0", "tags-1"],
        ["tags-1", "tags-2"],
        ["tags-2", "tags-3"],
    ]
    assert rows[2].total == decimal.Decimal("2.25")
    assert rows[0].inner.day == datetime.date(2024, 1, 1)
    assert rows[1].inner.x == 1.5


def test_a_users_schema_the_source_cannot_produce_is_refused_by_name(spark):
    with pytest.raises(Exception, match=r"sdk_shaped.*cannot make up values of column `m`"):
        spark.read.format("sdk_shaped").schema("m MAP<STRING, INT>").load().collect()


def test_a_source_of_a_fixed_schema_still_takes_a_subset(spark):
    df = spark.read.format("sdk_planned").schema("token STRING, start BIGINT").load()
    assert df.columns == ["token", "start"]
    assert sorted(row.start for row in df.collect()) == [0, 10, 20]


def test_the_plan_is_made_once_on_the_driver_and_reaches_every_task(spark):
    df = spark.read.format("sdk_planned").option("partitions", 4).load()
    rows = df.collect()
    assert sorted(row.start for row in rows) == [0, 10, 20, 30]
    tokens = {row.token for row in rows}
    assert len(tokens) == 1, tokens
    # Each partition was read by its own task, which knows its identity.
    assert sorted(row.task_partition for row in rows) == [0, 1, 2, 3]
    assert all(row.attempt == 0 for row in rows)
    # And its stage, its CPUs, and the job's local properties.
    assert len({row.stage for row in rows}) == 1 and rows[0].stage is not None
    assert all(row.cpus == 1 and row.resources == 0 for row in rows)
    assert all(row.property is None for row in rows)
    spark.sparkContext.setLocalProperty("sdk.test.tag", "tagged")
    try:
        assert {row.property for row in df.collect()} == {"tagged"}
    finally:
        spark.sparkContext.setLocalProperty("sdk.test.tag", None)
    # The same DataFrame keeps its plan; a new scan plans anew.
    assert {row.token for row in df.collect()} == tokens
    again = spark.read.format("sdk_planned").option("partitions", 4).load()
    assert {row.token for row in again.collect()} != tokens


def test_arrow_types_spark_lacks_arrive_as_the_spark_types_that_hold_them(spark):
    df = spark.read.format("sdk_arrow_types").load()
    assert df.schema.simpleString() == (
        "struct<u8:smallint,u16:int,u32:bigint,u64:decimal(20,0),large:string,view:string,"
        "dict:string,fixed:binary,at:timestamp>"
    )
    first, second = df.collect()
    assert (first.u8, first.u16, first.u32, first.u64) == (255, 65535, 4294967295, 2**64 - 1)
    assert (first.large, first.view, first.dict) == ("large", "a view longer than twelve", "red")
    assert (second.dict, bytes(second.fixed)) == ("blue", b"\x03\x04")
    # Nanoseconds truncated to Spark's microseconds; the instant is kept (sessions here are UTC).
    assert first.at == datetime.datetime(2023, 11, 14, 22, 13, 20, 123456)
