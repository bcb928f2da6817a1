"""Sources and sinks written with the async capability traits (`sdk_async` of the fixtures
wheel, tests/fixtures/src/asynchronous.rs) through real PySpark: batches from an async stream
on the SDK's runtime, a writer's batches as an async stream, and errors and panics inside async
code reaching Python as the hook's error, naming the source, with no backtrace."""

import subprocess
import sys

import pytest


def load(spark, **options):
    reader = spark.read.format("sdk_async")
    for key, value in options.items():
        reader = reader.option(key, str(value))
    return reader.load()


def test_an_async_source_and_sink_run_through_spark(spark, tmp_path):
    df = load(spark, partitions=3, rows=5000)
    assert df.rdd.getNumPartitions() == 3
    assert tuple(df.selectExpr("count(*)", "sum(id)", "count(DISTINCT id)").first()) == (
        15000, sum(range(15000)), 15000)
    out = tmp_path / "written"
    df.write.format("sdk_async").option("out", str(out)).mode("append").save()
    assert out.read_text() == "15000"
    # Spark stops pulling at the limit: the stream is dropped, not read to its end.
    assert load(spark, partitions=1, rows=10_000_000).limit(5).count() == 5


def test_errors_and_panics_in_async_code_are_the_hook_s_error(spark):
    for options, expected in [
        ({"failAt": 1234}, "sdk_async: read failed: asked to fail at row 1234"),
        ({"panicAt": 1234}, "sdk_async: read failed: panicked: asked to panic at row 1234"),
        ({"panicPlanning": "true"},
         "sdk_async: panicked in partitions(): asked to panic while planning"),
    ]:
        with pytest.raises(Exception) as raised:
            load(spark, rows=5000, **options).collect()
        assert expected in str(raised.value), (options, str(raised.value))


def test_a_panic_in_async_code_prints_no_backtrace():
    script = (
        "import pyspark_sdk_fixtures as m\n"
        "from pyspark.sql.types import StructType\n"
        "for options in ({'panicAt': '7'}, {'panicPlanning': 'true'}):\n"
        "    s = m.AsyncRows({'rows': '100', **options})\n"
        "    r = s.reader(s.schema())\n"
        "    try:\n"
        "        list(r.read(r.partitions()[0]))\n"
        "    except RuntimeError as e:\n"
        "        print('raised:', e)\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=120)
    assert "raised: sdk_async: read failed: panicked: asked to panic at row 7" in run.stdout, \
        run.stdout + run.stderr
    assert "raised: sdk_async: panicked in partitions(): asked to panic while planning" in \
        run.stdout, run.stdout + run.stderr
    assert "panicked at" not in run.stderr, run.stderr
