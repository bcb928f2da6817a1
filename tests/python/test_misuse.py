"""Misuse and edge cases through real PySpark (fakepeople, fakerange): catalog tables, nested
user schemas, hostile option values, empty projections, writes to a source that cannot write,
and how failures reach the user."""

import subprocess
import sys

import pyspark
import pytest
from pyspark.sql.types import StructType

import pyspark_fakepeople


@pytest.fixture(scope="module")
def spark(spark):
    pyspark_fakepeople.register(spark)
    return spark


def test_a_source_can_be_a_catalog_table(spark, tmp_path):
    # Creating the table, Spark hands the source keys of its own (provider, owner,
    # option.numrows; location and path with LOCATION): they are not the user's mistakes.
    spark.sql("CREATE TABLE people_table USING fakepeople OPTIONS (numRows '5')")
    spark.sql(f"CREATE TABLE located USING fakepeople OPTIONS (numRows '3') LOCATION '{tmp_path}'")
    try:
        # Spark keeps no OPTIONS for a Python data source's table (PySpark 4.0 to 4.3): reading
        # it builds the source from no options, so it reads with the source's defaults.
        assert spark.sql("SELECT count(*) FROM people_table").first()[0] == 1000
        assert spark.sql("SELECT max(id) FROM located").first()[0] == 999
        assert spark.table("people_table").columns[:2] == ["id", "name"]
    finally:
        spark.sql("DROP TABLE IF EXISTS people_table")
        spark.sql("DROP TABLE IF EXISTS located")


def test_a_user_schema_may_ask_nested_types_as_ddl_writes_them(spark):
    # DDL's ARRAY<STRING> allows null elements; the source's never are: that fits.
    df = spark.read.format("fakepeople").schema("id BIGINT, tags ARRAY<STRING>").option("numRows", 4).load()
    assert [row.id for row in df.orderBy("id").collect()] == [0, 1, 2, 3]
    with pytest.raises(Exception) as error:
        spark.read.format("fakepeople").schema("id BIGINT, tags ARRAY<BIGINT>").load().collect()
    assert "column `tags` is ARRAY<STRING NOT NULL> but the given schema says ARRAY<BIGINT>" in str(
        error.value
    )


@pytest.mark.skipif(
    tuple(int(p) for p in pyspark.__version__.split(".")[:2]) < (4, 1),
    reason="PySpark 4.0's worker drops the row count of a batch without columns (a pure-Python "
    "source yielding empty tuples counts 0 on 4.0 and on 4.3 alike)",
)
def test_an_empty_projection_still_counts(spark):
    df = spark.read.format("fakepeople").schema(StructType([])).option("numRows", 7).load()
    assert df.count() == 7


def test_hostile_values_come_back_bounded_and_escaped(spark):
    with pytest.raises(Exception) as error:
        spark.read.format("fakepeople").option("country", "x" * 1_000_000).load()
    message = str(error.value)
    assert "... (1000000 characters in all)" in message
    assert len(message) < 20_000
    with pytest.raises(Exception) as error:
        spark.read.format("fakepeople").option("country", "us\n  - option `numRows`: got `5`, all good").load()
    assert "got `us\\n  - option" in str(error.value)


def test_underscores_only_between_digits(spark):
    assert spark.read.format("fakepeople").option("numRows", "1_000").load().count() == 1000
    with pytest.raises(Exception) as error:
        spark.read.format("fakepeople").option("numRows", "_1__0_").load()
    assert "an underscore may only stand between two digits" in str(error.value)


def test_a_source_that_cannot_write_says_so(spark):
    df = spark.range(3)
    with pytest.raises(Exception) as error:
        df.write.format("fakerange").mode("append").save()
    message = str(error.value)
    assert "fakerange: this source cannot be written" in message
    assert "numRows" not in message, "not the missing read option"


def test_a_read_error_is_a_plain_error_naming_the_source(spark):
    with pytest.raises(Exception) as error:
        spark.read.format("fakepeople").option("numRows", 10).option("failAtRow", 3).load().collect()
    message = str(error.value)
    assert "RuntimeError: fakepeople: read failed: asked to fail at row 3" in message
    assert "External error" not in message and "ArrowInvalid" not in message


def test_a_caught_panic_prints_no_backtrace():
    script = (
        "import pyspark_fakepeople as m\n"
        "s = m.FakePeople({'numrows': '5', 'numpartitions': '1', 'panicatrow': '2'})\n"
        "r = s.reader(s.schema())\n"
        "try:\n"
        "    list(r.read(r.partitions()[0]))\n"
        "except RuntimeError as e:\n"
        "    print('raised:', e)\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert "raised: fakepeople: panicked while reading: asked to panic at row 2" in run.stdout
    assert "panicked at" not in run.stderr, run.stderr
