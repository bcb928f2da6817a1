"""Misuse and edge cases through real PySpark (fakepeople, fakerange): catalog tables, nested
user schemas, hostile option values, empty projections, writes to a source that cannot write,
and how failures reach the user."""

import subprocess
import sys

import pyspark
import pytest
from pyspark.sql.types import StructType

import pyspark_fakepeople
import pyspark_fakerange


@pytest.fixture(scope="module")
def spark(spark):
    pyspark_fakepeople.register(spark)
    pyspark_fakerange.register(spark)
    return spark


def test_a_source_can_be_a_catalog_table(spark, tmp_path):
    # Creating the table, Spark hands the source keys of its own (provider, owner; location and
    # path with LOCATION): they are not the user's mistakes.
    spark.sql("CREATE TABLE people_table USING fakepeople")
    spark.sql(f"CREATE TABLE located USING fakepeople LOCATION '{tmp_path}'")
    try:
        assert spark.sql("SELECT count(*) FROM people_table").first()[0] == 1000
        assert spark.sql("SELECT max(id) FROM located").first()[0] == 999
        assert spark.table("people_table").columns[:2] == ["id", "name"]
    finally:
        spark.sql("DROP TABLE IF EXISTS people_table")
        spark.sql("DROP TABLE IF EXISTS located")


def test_a_catalog_table_with_options_is_refused_as_spark_would_drop_them(spark):
    # Spark keeps no OPTIONS for a Python data source's table (PySpark 4.0 to 4.3): every read
    # would build the source from none, silently reading 1000 rows here. The options are only
    # visible at CREATE TABLE (as themselves and as `option.<key>`): refused there.
    with pytest.raises(Exception) as error:
        spark.sql("CREATE TABLE five_people USING fakepeople OPTIONS (numRows '5', seed '3')")
    message = str(error.value)
    assert "with OPTIONS (numrows, seed): Spark keeps no options for a Python data source's" in message
    assert "CREATE TEMPORARY VIEW <name> USING <format> OPTIONS (...)" in message
    assert not spark.catalog.tableExists("five_people")
    # What the message offers keeps them.
    spark.sql("CREATE TEMPORARY VIEW five_people USING fakepeople OPTIONS (numRows '5')")
    try:
        assert spark.sql("SELECT count(*) FROM five_people").first()[0] == 5
    finally:
        spark.catalog.dropTempView("five_people")


def test_a_user_schema_may_be_more_nullable_inside_a_map_or_a_struct(spark):
    # fakepeople's `counters` are MAP<STRING, BIGINT NOT NULL>, its `address` a struct of
    # NOT NULL fields: DDL cannot say so, and asking for nullable ones fits.
    df = (spark.read.format("fakepeople")
          .schema("id BIGINT, counters MAP<STRING, BIGINT>, "
                  "address STRUCT<street: STRING, city: STRING, zip: STRING>")
          .option("numRows", 5).load())
    rows = df.orderBy("id").collect()
    assert [row.id for row in rows] == [0, 1, 2, 3, 4]
    assert all(row.counters and row.address.city for row in rows)


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
        spark.read.format("fakerange").option("numRows", 10).option("failAtRow", 3).load().collect()
    message = str(error.value)
    assert "RuntimeError: fakerange: read failed: asked to fail at row 3" in message
    assert "External error" not in message and "ArrowInvalid" not in message


def test_a_caught_panic_prints_no_backtrace():
    script = (
        "import pyspark_fakerange as m\n"
        "s = m.FakeRange({'numrows': '5', 'numpartitions': '1', 'panicatrow': '2'})\n"
        "r = s.reader(s.schema())\n"
        "try:\n"
        "    list(r.read(r.partitions()[0]))\n"
        "except RuntimeError as e:\n"
        "    print('raised:', e)\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert "raised: fakerange: panicked while reading: asked to panic at row 2" in run.stdout
    assert "panicked at" not in run.stderr, run.stderr


def test_a_value_holding_a_control_character_says_so(spark):
    with pytest.raises(Exception) as error:
        spark.read.format("fakepeople").option("country", "us\0").load()
    message = str(error.value)
    assert ("option `country`: got `us\\u{0}`, expected one of `us`, `de`, `fr`: it holds a "
            "control character (`\\u{0}`, character 3 of 3)") in message, message


def test_a_number_beyond_its_type_names_one_range(spark):
    with pytest.raises(Exception) as error:
        spark.read.format("fakepeople").option("numRows", "18446744073709551616").load()
    message = str(error.value)
    assert ("option `numRows`: got `18446744073709551616`, expected a whole number in "
            "0..=9223372036854775807\n") in message + "\n", message
    assert "it must be in" not in message


def test_a_path_holding_nul_is_refused_before_the_write(spark, tmp_path):
    import pyspark_filesink

    pyspark_filesink.register(spark)
    with pytest.raises(Exception) as error:
        spark.range(3).write.format("files").mode("append").save(f"{tmp_path}/out\0put")
    message = str(error.value)
    assert ("option `path`" in message and "a path cannot hold a NUL character (it holds a "
            "control character (`\\u{0}`") in message, message


def test_columns_sharing_a_name_are_refused_before_any_job(spark, tmp_path):
    import pyspark_filesink

    pyspark_filesink.register(spark)
    df = spark.range(3).selectExpr("id", "id * 2 AS value", "id + 1 AS ID")
    spark.sparkContext.setJobGroup("duplicate-columns", "duplicate-columns")
    try:
        with pytest.raises(Exception) as error:
            df.write.format("files").mode("append").save(str(tmp_path / "out"))
    finally:
        spark.sparkContext.setLocalProperty("spark.jobGroup.id", None)
    message = str(error.value)
    assert "the data written has columns named `id` and `ID` (columns 1, 3)" in message, message
    assert spark.sparkContext.statusTracker().getJobIdsForGroup("duplicate-columns") == []
    assert not (tmp_path / "out").exists()


def test_a_malformed_json_line_names_the_file_the_line_and_the_column(spark, tmp_path):
    events = tmp_path / "events"
    events.mkdir()
    (events / "a.jsonl").write_text('{"id": 1}\n{"id": 2}\n{"id": "three"}\n')
    query = (spark.readStream.format("tail").schema("id BIGINT").option("path", str(events))
             .load().writeStream.format("memory").queryName("malformed")
             .trigger(availableNow=True).start())
    with pytest.raises(Exception) as error:
        query.awaitTermination(120)
    message = str(error.value)
    assert ("a.jsonl`, line 3 (byte 20): column `id`: got `\"three\"`, expected an integer of "
            "BIGINT's range. Set the option `mode` to `PERMISSIVE`") in message, message
