"""fakerange: the raw-Arrow and row-builder paths, register(), and a required option."""

import pytest

import pyspark_fakerange


@pytest.fixture(scope="module")
def registered(spark):
    pyspark_fakerange.register(spark)
    pyspark_fakerange.register(spark)  # registering again is harmless
    return spark


def load(spark, **options):
    return spark.read.format("fakerange").options(**{k: str(v) for k, v in options.items()}).load()


@pytest.mark.parametrize("path", ["arrow", "rows"])
def test_both_paths_give_the_same_rows(registered, path):
    df = load(registered, numRows=25_000, numPartitions=3, path=path, batchRows=4096)
    assert df.rdd.getNumPartitions() == 3
    assert df.schema.simpleString() == "struct<id:bigint,value:double,label:string>"
    rows = df.orderBy("id").collect()
    assert len(rows) == 25_000
    assert rows[0] == (0, 0.0, "row-0")
    assert rows[-1] == (24_999, 12_499.5, "row-24999")
    assert all(row.id == i for i, row in enumerate(rows))


def test_aggregates_agree_across_paths(registered):
    sums = [
        load(registered, numRows=100_000, path=path).selectExpr("sum(id)", "sum(value)").first()
        for path in ("arrow", "rows")
    ]
    assert sums[0] == sums[1] == (4_999_950_000, 2_499_975_000.0)


def test_missing_required_option_is_reported(registered):
    with pytest.raises(Exception) as error:
        load(registered).count()
    message = str(error.value)
    assert (
        "option `numRows` is required: a whole number in 0..=9223372036854775807. Rows to "
        "produce (ids are `BIGINT`s, so at most 2^63 - 1)" in message
    )


def test_wide_paths_agree_and_nulls_land_where_expected(registered):
    frames = [
        registered.read.format("fakewide").option("numRows", 3000).option("path", path).load()
        for path in ("arrow", "rows")
    ]
    assert frames[0].schema == frames[1].schema
    assert len(frames[0].columns) == 20
    arrow, rows = (df.orderBy("id").collect() for df in frames)
    assert arrow == rows
    assert len(arrow) == 3000
    assert sum(r.opt_long is None for r in arrow) == 300  # every tenth id
    assert arrow[3].list_col == [3, 4, 5]
    assert str(arrow[123].dec_col) == "1.23"


def test_error_inside_read_reaches_the_driver_with_the_source_name(registered):
    with pytest.raises(Exception) as error:
        load(registered, numRows=100, numPartitions=2, failAtRow=70).collect()
    assert "fakerange: read failed: asked to fail at row 70" in str(error.value)


def test_panic_inside_read_is_an_exception_not_a_crash(registered):
    with pytest.raises(Exception) as error:
        load(registered, numRows=100, numPartitions=2, panicAtRow=10).collect()
    assert "fakerange: panicked while reading: asked to panic at row 10" in str(error.value)
    # The Python workers survived: the session still reads.
    assert load(registered, numRows=10).count() == 10
