"""Filter pushdown through real PySpark (4.1+; 4.0 never pushes): every filter kind Spark
sends, on a table of edge values (`sdk_filters`), gives the same rows pushed as an exact filter
applied in Rust, pushed as a hint, refused, and with pushdown off. The session's time zone is
Los Angeles, so timestamp literals around its daylight-saving changes are converted by Spark."""

import pathlib

import pyspark
import pytest
from pyspark.sql.datasource import DataSourceReader

import pyspark_fakerange
import pyspark_sdk_fixtures

PUSHDOWN = "spark.sql.python.filterPushdown.enabled"
PUSHES = tuple(int(part) for part in pyspark.__version__.split(".")[:2]) >= (4, 1)

# One WHERE clause per filter kind and edge; the comment says what Spark pushes.
CONDITIONS = [
    "n = 1",  # EqualTo
    "n <=> 7",  # EqualNullSafe
    "n <=> NULL",  # IsNull
    "n > 0",
    "n >= 0",
    "n < 0",
    "n <= 0",  # the four comparisons
    "n IN (1, 7, NULL)",  # In, with a NULL
    "n IS NULL",
    "n IS NOT NULL",
    "n <> 1",  # Not(EqualTo)
    "NOT (n IN (1, NULL))",  # Not(In) with a NULL: never true
    "x = double('NaN')",  # NaN equals NaN
    "x > 0.0",  # NaN is above everything
    "x = 0.0",  # -0.0 equals 0.0
    "x <= double('-Infinity')",
    "x IN (0.0, 1.5)",
    "s = 'abc'",
    "s > 'a'",
    "s IN ('', 'ab')",
    "startswith(s, '50%')",  # StringStartsWith: % and _ are plain text
    "endswith(s, '_b')",
    "contains(s, '%')",
    "s LIKE 'a%'",
    "s LIKE '%b'",
    "s LIKE '%_%'",  # a wildcard inside: not pushed
    "at >= TIMESTAMP '2024-03-10 02:30:00'",  # a local time that does not exist
    "at < TIMESTAMP '2024-11-03 01:30:00'",  # a local time that exists twice
    "at = TIMESTAMP '2024-03-10 01:59:59.999999'",
    "at IN (TIMESTAMP '2024-03-10 03:00:00', TIMESTAMP '2024-11-03 01:30:00')",
    "local = TIMESTAMP_NTZ '2024-03-10 02:30:00'",
    "local > TIMESTAMP_NTZ '2024-03-10 02:00:00'",
    "day = DATE '2024-03-10'",
    "day < DATE '1970-01-01'",
    "amount = 12.34",
    "amount > -1.5",
    "amount IN (0.00, 99999999.99)",
    "flag",  # EqualTo(flag, true)
    "NOT flag",
    "flag IS NULL",
    "raw = X'FF00'",
    "raw > X''",
    "point.x = 1",  # a nested column
    "point.y IS NULL",
    "point.y > 2",
    "n > 0 AND s LIKE 'a%'",  # two filters
    "n = 1 OR s = 'abc'",  # a disjunction stays in Spark
]


@pytest.fixture(scope="module")
def spark(spark):
    pyspark_sdk_fixtures.register(spark)
    pyspark_fakerange.register(spark)
    spark.conf.set("spark.sql.session.timeZone", "America/Los_Angeles")
    yield spark
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    spark.conf.unset(PUSHDOWN)


def rows(spark, condition, accept, pushdown):
    spark.conf.set(PUSHDOWN, str(pushdown).lower())
    df = spark.read.format("sdk_filters").option("accept", accept).load().where(condition)
    # NaN != NaN in Python: compare the rows' text.
    return sorted(repr(row) for row in df.collect())


def formatted_plan(df):
    """`df.explain("formatted")`, as text."""
    return df._sc._jvm.PythonSQLUtils.explainString(df._jdf.queryExecution(), "formatted")


def pushed_filters(df):
    """The filters EXPLAIN lists as pushed into the scan."""
    for line in formatted_plan(df).splitlines():
        if line.startswith("PushedFilters: "):
            return line.removeprefix("PushedFilters: ")
    return None


def physical_plan(spark, condition, accept):
    spark.conf.set(PUSHDOWN, "true")
    df = spark.read.format("sdk_filters").option("accept", accept).load().where(condition)
    return df._jdf.queryExecution().executedPlan().toString(), pushed_filters(df)


def test_every_filter_gives_the_rows_spark_gives_without_pushdown(spark):
    total = len(rows(spark, "true", "none", False))
    selective = 0
    # PySpark 4.0 never pushes: a few conditions show that the setting changes nothing there.
    conditions = CONDITIONS if PUSHES else CONDITIONS[:6]
    for condition in conditions:
        expected = rows(spark, condition, "none", False)
        selective += 0 < len(expected) < total
        assert rows(spark, condition, "exact", True) == expected, condition
    # The conditions select something, and not everything: a wrong answer would show.
    assert selective >= len(conditions) - 4


@pytest.mark.parametrize("accept", ["inexact", "none"])
def test_filters_handed_back_are_applied_by_spark(spark, accept):
    for condition in ["n > 0", "s LIKE 'a%'", "x = double('NaN')", "point.y IS NULL"]:
        assert rows(spark, condition, accept, True) == rows(spark, condition, "none", False)


@pytest.mark.skipif(not PUSHES, reason="PySpark 4.0 has no filter pushdown for Python sources")
def test_exact_filters_are_pushed_and_spark_does_not_filter_again(spark):
    plan, pushed = physical_plan(spark, "n > 0 AND s LIKE 'a%'", "exact")
    assert "Filter" not in plan.split("BatchScan")[0], plan
    assert pushed == "[IsNotNull(n), IsNotNull(s), GreaterThan(n,0), StringStartsWith(s,a)]"
    plan, pushed = physical_plan(spark, "n > 0", "inexact")
    assert "Filter" in plan.split("BatchScan")[0], plan
    assert pushed is None, pushed  # EXPLAIN lists no pushed filters


def test_a_source_without_pushdown_reads_with_the_setting_on_and_off(spark):
    expected = None
    for pushdown in (False, True):
        spark.conf.set(PUSHDOWN, str(pushdown).lower())
        df = spark.read.format("sdk_shapes").option("rows", 20).load().where("id > 12")
        got = sorted(row.id for row in df.collect())
        assert got == list(range(13, 20))
        expected = expected or got
        assert got == expected


def test_the_hook_passes_pysparks_override_check(spark):
    """PySpark (4.1+) refuses every read of a reader that overrides `pushFilters` while
    pushdown is off, by comparing the method's `__func__` with the inherited one. The SDK's
    hook presents the inherited function (the source only skips work: Spark applies what it
    does not accept). Pinned on both sides, for the installed PySpark."""
    source = pyspark_sdk_fixtures.Edges({"accept": "exact"})
    reader = source.reader(source.schema())
    # PySpark 4.0 has no hook: none is added.
    assert hasattr(reader, "pushFilters") == PUSHES
    if PUSHES:
        assert reader.pushFilters.__func__ is DataSourceReader.pushFilters
        worker = pathlib.Path(pyspark.__file__).parent / "sql/worker/plan_data_source_read.py"
        check = 'getattr(reader.pushFilters, "__func__", None) is not DataSourceReader.pushFilters'
        assert check in worker.read_text(), "PySpark changed its check: revisit the hook"
    for pushdown in (False, True):
        assert rows(spark, "n = 1", "exact", pushdown) == rows(spark, "n = 1", "none", False)


def scan_output_rows(spark, df):
    """The rows the scan gave Spark (its `numOutputRows` metric), after collecting `df`."""
    spark.conf.set("spark.sql.adaptive.enabled", "false")
    try:
        df = df.select("*")  # a fresh plan, planned without adaptive execution
        rows = df.collect()
        scan = df._jdf.queryExecution().executedPlan().collectLeaves().apply(0)
        return rows, scan.metrics().apply("numOutputRows").value()
    finally:
        spark.conf.unset("spark.sql.adaptive.enabled")


def test_fakerange_generates_only_the_ids_its_filters_admit(spark):
    def query():
        df = spark.read.format("fakerange").option("numRows", 10_000).load()
        return df.where("id >= 100 AND id < 200 AND id IN (5, 150, 160, 9000) AND value >= 75.0")

    spark.conf.set(PUSHDOWN, "false")
    unpushed, scanned_all = scan_output_rows(spark, query())
    spark.conf.set(PUSHDOWN, "true")
    pushed, scanned = scan_output_rows(spark, query())
    assert sorted(pushed) == sorted(unpushed) == [(150, 75.0, "row-150"), (160, 80.0, "row-160")]
    assert scanned_all == 10_000
    if PUSHES:
        # Only ids 150 and 160 were generated; `value >= 75.0` was left to Spark.
        assert scanned == 2
        pushed = pushed_filters(query())
        assert pushed.startswith("[GreaterThanOrEqual(id,100), LessThan(id,200), In(id, ["), pushed
        assert "value" not in pushed, pushed
    else:
        assert scanned == 10_000
