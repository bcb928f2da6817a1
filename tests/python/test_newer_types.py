"""The column types PySpark added last, through Spark both ways (`sdk_newer_types`): VARIANT,
TIME (Spark 4.1+), day-time intervals and VOID read from Rust values, and written by Spark into
Rust values that read back equal. Year-month intervals, which no PySpark carries to a Python
source, fail naming the column and what to do."""

import datetime
import json

import pyspark
import pytest
from pyspark.sql.functions import to_json

PYSPARK = tuple(int(part) for part in pyspark.__version__.split(".")[:2])


@pytest.fixture(scope="module")
def session(spark):
    import pyspark_sdk_fixtures

    pyspark_sdk_fixtures.register(spark)
    return spark


def newer(session, **options):
    reader = session.read.format("sdk_newer_types")
    for key, value in options.items():
        reader = reader.option(key, value)
    return reader.load()


def test_variants_intervals_and_void_read_from_rust(session):
    df = newer(session, rows=3)
    assert df.schema.simpleString() == (
        "struct<id:bigint,doc:variant,wait:interval day to second,nothing:void>"
    )
    rows = df.select("id", to_json("doc").alias("doc"), "wait", "nothing").orderBy("id").collect()
    assert [json.loads(r.doc) if r.doc else None for r in rows] == [
        {"id": 0, "tags": ["t0", None], "ok": True},
        {"id": 1, "tags": ["t1", None], "ok": True},
        None,
    ]
    assert [r.wait for r in rows] == [
        datetime.timedelta(days=i, seconds=1, microseconds=500_000) for i in range(3)
    ]
    assert [r.nothing for r in rows] == [None] * 3
    # Spark reads the variant's fields as it reads its own.
    assert df.selectExpr("variant_get(doc, '$.tags[0]', 'string') as t").collect()[0].t == "t0"


def test_what_spark_writes_reaches_rust_and_reads_back_equal(session, tmp_path):
    path = tmp_path / "stored.json"
    written = session.sql(
        """select id, parse_json(doc) as doc, make_dt_interval(id, 2, 3, 4.000005) as wait,
                  null as nothing
           from values (1, '{"a": [1, 2.5, "x"], "b": {"c": null}}'), (2, '[true, 1e300]'),
                       (3, null) as t(id, doc)"""
    )
    written.write.format("sdk_newer_types").mode("append").option("path", str(path)).save()
    back = newer(session, path=str(path))
    comparable = lambda df: df.select("id", to_json("doc"), "wait", "nothing")  # noqa: E731
    assert comparable(back).orderBy("id").collect() == comparable(written).orderBy("id").collect()
    # The bytes themselves are Spark's: Spark's own functions read them.
    assert back.selectExpr("variant_get(doc, '$.a[1]', 'double') as x").first().x == 2.5


@pytest.mark.skipif(PYSPARK < (4, 1), reason="TIME is Spark 4.1+ (see the test below for 4.0)")
def test_times_read_from_rust_and_write_back(session, tmp_path):
    df = newer(session, rows=2, time=True)
    assert df.schema.simpleString() == "struct<id:bigint,at:time(6)>"
    assert [r.at for r in df.orderBy("id").collect()] == [
        datetime.time(0, 0, 0, 1),
        datetime.time(1, 0, 0, 1),
    ]
    path = tmp_path / "times.json"
    written = session.sql("select 7L as id, time'13:14:15.123456' as at")
    written.write.format("sdk_newer_types").mode("append").option("time", True).option(
        "path", str(path)
    ).save()
    back = newer(session, time=True, path=str(path)).collect()
    assert [(r.id, r.at) for r in back] == [(7, datetime.time(13, 14, 15, 123456))]


@pytest.mark.skipif(PYSPARK >= (4, 1), reason="the versions without TIME")
def test_a_time_column_on_a_spark_without_time_names_it_and_the_version(session):
    with pytest.raises(Exception) as error:
        newer(session, time=True).schema
    message = str(error.value)
    assert "column `at`: TIME (a Rust `NaiveTime`) needs PySpark 4.1 or later" in message
    assert f"this is PySpark {pyspark.__version__}" in message


def test_a_year_month_interval_is_refused_naming_the_column(session, tmp_path):
    written = session.sql("select 1L as id, interval '1-2' year to month as age")
    with pytest.raises(Exception) as error:
        written.write.format("sdk_newer_types").mode("append").option(
            "path", str(tmp_path / "x.json")
        ).save()
    message = str(error.value)
    assert "column `age`: INTERVAL YEAR TO MONTH cannot reach a Python data source" in message
    assert "cast it to a number of months (INT)" in message
