"""The `arrow` file source (examples/arrowfiles) through real PySpark, against files pyarrow
writes and against Spark's own Parquet reader over the same files."""

import datetime

import pyarrow as pa
import pyarrow.parquet as pq
import pyspark
import pytest

from servers import S3Server

PUSHDOWN = "spark.sql.python.filterPushdown.enabled"
PUSHES = tuple(int(part) for part in pyspark.__version__.split(".")[:2]) >= (4, 1)

ROWS = 1000


def table(start, stop):
    ids = list(range(start, stop))
    return pa.table(
        {
            "id": pa.array(ids, pa.int64()),
            "label": pa.array([None if i % 7 == 0 else f"row-{i}%_" for i in ids]),
            "score": pa.array([float("nan") if i % 11 == 0 else i / 4 for i in ids]),
            "count": pa.array([i * 3 for i in ids], pa.uint32()),
            "color": pa.array(["red", "green", "blue", None] * ((stop - start) // 4)).dictionary_encode(),
            "at": pa.array(
                [datetime.datetime(2024, 3, 10, tzinfo=datetime.timezone.utc)
                 + datetime.timedelta(minutes=i) for i in ids],
                pa.timestamp("ns", tz="America/Los_Angeles"),
            ),
        }
    )


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("arrowfiles")
    (root / "parquet").mkdir()
    # Sorted ids in row groups of 100: a selective filter on id rules most of them out.
    # Microsecond timestamps, which Spark's own Parquet reader (the reference here) can read.
    for name, rows in [("a", table(0, ROWS // 2)), ("b", table(ROWS // 2, ROWS))]:
        pq.write_table(
            rows, root / "parquet" / f"{name}.parquet", row_group_size=100, coerce_timestamps="us"
        )
    # Nanoseconds, which it cannot.
    (root / "nanos").mkdir()
    pq.write_table(table(0, 8), root / "nanos" / "n.parquet")
    (root / "parquet" / "_SUCCESS").write_text("")
    with pa.ipc.new_file(root / "c.arrow", table(0, 8).schema) as writer:
        writer.write_table(table(0, 8))
    return root


def test_the_schema_is_the_first_files_with_types_spark_can_hold(spark, files):
    df = spark.read.format("arrow").load(str(files / "parquet"))
    assert df.schema.simpleString() == (
        "struct<id:bigint,label:string,score:double,count:bigint,color:string,at:timestamp>"
    )
    assert df.count() == ROWS
    # One partition per row group.
    assert df.rdd.getNumPartitions() == 10
    row = df.where("id = 13").first()
    assert (row.label, row.score, row["count"], row.color) == ("row-13%_", 3.25, 39, "green")
    assert row.at == datetime.datetime(2024, 3, 10, 0, 13)


def test_a_glob_and_an_arrow_ipc_file(spark, files):
    glob = spark.read.format("arrow").load(str(files / "parquet" / "b.*"))
    assert glob.count() == ROWS // 2
    ipc = spark.read.format("arrow").load(str(files / "c.arrow"))
    assert sorted(row.id for row in ipc.collect()) == list(range(8))
    # Nanosecond timestamps (Spark's Parquet reader refuses them) read as microseconds.
    nanos = spark.read.format("arrow").load(str(files / "nanos"))
    assert nanos.where("id = 5").first().at == datetime.datetime(2024, 3, 10, 0, 5)


def test_the_same_values_as_sparks_parquet_reader(spark, files):
    ours = spark.read.format("arrow").load(str(files / "parquet"))
    spark_own = spark.read.parquet(str(files / "parquet"))
    # Spark reads the unsigned count as a BIGINT too, and the dictionary as its values.
    assert sorted(map(repr, ours.collect())) == sorted(map(repr, spark_own.collect()))


def test_a_users_schema_reads_only_its_columns(spark, files):
    df = spark.read.format("arrow").schema("count BIGINT, id BIGINT").load(str(files / "parquet"))
    assert df.columns == ["count", "id"]
    assert df.where("id = 20").first() == (60, 20)
    with pytest.raises(Exception, match="arrow.*column `missing` does not exist"):
        spark.read.format("arrow").schema("missing INT").load(str(files / "parquet")).collect()


def test_no_files_is_an_error_that_names_the_path(spark, files):
    with pytest.raises(Exception, match=r"arrow: .*option `path`: no Arrow or Parquet files at"):
        spark.read.format("arrow").load(str(files / "nothing-*.parquet"))


SELECTIVE = [
    "id >= 250 AND id < 260",
    "id IN (3, 777, 5000)",
    "label LIKE 'row-99%'",
    "label IS NULL AND id < 100",
    "score = double('NaN') AND id > 900",
    "color = 'blue' AND id BETWEEN 400 AND 420",
    "at >= TIMESTAMP '2024-03-09 17:00:00'",  # in UTC: 2024-03-10 01:00, ids from 60
    "count > 2990",
]


@pytest.mark.parametrize("condition", SELECTIVE)
def test_pushed_filters_give_sparks_own_rows(spark, files, condition):
    path = str(files / "parquet")
    # The reference: Spark's reader without its own pushdown (with it, Spark drops the NaN rows
    # of `score = NaN`: the Parquet statistics leave NaN out and it trusts them).
    spark.conf.set("spark.sql.parquet.filterPushdown", "false")
    try:
        expected = sorted(map(repr, spark.read.parquet(path).where(condition).collect()))
    finally:
        spark.conf.unset("spark.sql.parquet.filterPushdown")
    assert expected, condition
    for pushdown in ("false", "true"):
        spark.conf.set(PUSHDOWN, pushdown)
        got = spark.read.format("arrow").load(path).where(condition).collect()
        assert sorted(map(repr, got)) == expected, (condition, pushdown)
    spark.conf.unset(PUSHDOWN)


@pytest.mark.skipif(not PUSHES, reason="PySpark 4.0 has no filter pushdown for Python sources")
def test_row_groups_the_filters_rule_out_are_not_read(spark, files):
    path = str(files / "parquet")
    spark.conf.set(PUSHDOWN, "true")
    try:
        df = spark.read.format("arrow").load(path).where("id >= 250 AND id < 420")
        # Row groups 200-299, 300-399 and 400-499 of the first file: three tasks, not ten.
        assert df.rdd.getNumPartitions() == 3
        assert df.count() == 170
    finally:
        spark.conf.unset(PUSHDOWN)


# -- object storage ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def s3(files):
    server = S3Server()
    try:
        for name in ("a.parquet", "b.parquet", "_SUCCESS"):
            server.put_file(f"tables/parquet/{name}", files / "parquet" / name)
        server.put_file("tables/c.arrow", files / "c.arrow")
        yield server
    finally:
        server.stop()


def s3_read(spark, s3, path, **options):
    reader = spark.read.format("arrow")
    # Quick retries unless a test says otherwise.
    for key, value in s3.options(retryWait="10ms", **options).items():
        reader = reader.option(key, value)
    return reader.load(path)


def test_objects_read_as_the_same_files_on_disk(spark, files, s3):
    ours = s3_read(spark, s3, "s3://data/tables/parquet/")
    # One partition per row group, as on disk; the values Spark reads from the local files.
    assert ours.rdd.getNumPartitions() == 10
    spark_own = spark.read.parquet(str(files / "parquet"))
    assert sorted(map(repr, ours.collect())) == sorted(map(repr, spark_own.collect()))
    # A glob, one object, an Arrow IPC object, and `file://` for the local files.
    assert s3_read(spark, s3, "s3://data/tables/*/b.parq*").count() == ROWS // 2
    assert s3_read(spark, s3, "s3://data/tables/parquet/a.parquet").count() == ROWS // 2
    ipc = s3_read(spark, s3, "s3://data/tables/c.arrow")
    assert sorted(row.id for row in ipc.collect()) == list(range(8))
    local = spark.read.format("arrow").load(f"file://{files / 'parquet'}")
    assert local.count() == ROWS


@pytest.mark.skipif(not PUSHES, reason="PySpark 4.0 has no filter pushdown for Python sources")
def test_object_row_groups_the_filters_rule_out_are_not_fetched(spark, s3):
    spark.conf.set(PUSHDOWN, "true")
    try:
        df = s3_read(spark, s3, "s3://data/tables/parquet/").where("id >= 250 AND id < 420")
        assert df.rdd.getNumPartitions() == 3
        s3.clear()
        assert df.count() == 170
        # Each planning lists once and reads each footer at most once (a worker keeps the
        # footers it read); the three tasks then read ranges of a.parquet only: b.parquet's row
        # groups are all ruled out, and nothing of it beyond its footer is fetched.
        gets = [path for method, path, _ in s3.requests if method == "GET"]
        listings = sum("list-type=2" in path for path in gets)
        assert listings >= 1, gets
        assert sum(path.endswith("/b.parquet") for path in gets) <= listings, gets
        assert sum(path.endswith("/a.parquet") for path in gets) >= 3, gets
    finally:
        spark.conf.unset(PUSHDOWN)


def test_throttling_and_slow_answers_are_retried(spark, s3):
    s3.clear()
    s3.slow_seconds = 3.0
    s3.inject("b.parquet", 503, 503, "slow")
    df = s3_read(spark, s3, "s3://data/tables/parquet/b.parquet", requestTimeout="1s",
                 splitRowGroups="false")
    assert df.count() == ROWS // 2
    outcomes = s3.seen("b.parquet")
    assert outcomes[:3] == [503, 503, "slow"] and "forwarded" in outcomes[3:], outcomes


def test_missing_objects_and_refused_keys_are_clear_errors_without_the_secret(spark, s3,
                                                                              tmp_path):
    for path in ("s3://data/nothing/", "s3://data/tables/parquet/missing.parquet",
                 "s3://data/tables/*.csv"):
        with pytest.raises(Exception) as raised:
            s3_read(spark, s3, path).count()
        assert "no Arrow or Parquet objects at `s3://data/" in str(raised.value), str(raised.value)
    wrong = "wrong-" + s3.secret_access_key
    with pytest.raises(Exception) as raised:
        s3_read(spark, s3, "s3://data/tables/parquet/", awsSecretAccessKey=wrong).count()
    text = str(raised.value)
    assert "cannot list `s3://data/tables/parquet/`" in text, text
    assert "403 Forbidden" in text and "SignatureDoesNotMatch" in text, text
    assert s3.secret_access_key not in text and wrong not in text
    # The secret by reference: only `file:<path>` travels in Spark's options.
    secret = tmp_path / "s3-secret"
    secret.write_text(s3.secret_access_key + "\n")
    df = s3_read(spark, s3, "s3://data/tables/parquet/", awsSecretAccessKey=f"file:{secret}")
    assert df.count() == ROWS
    with pytest.raises(Exception) as raised:
        s3_read(spark, s3, "s3://data/tables/parquet/",
                awsSecretAccessKey=f"file:{tmp_path / 'absent'}").count()
    assert "cannot read the file" in str(raised.value) and "absent" in str(raised.value)
    with pytest.raises(Exception) as raised:
        s3_read(spark, s3, "ftp://data/x.parquet").count()
    assert "`ftp://` is not a store this source reads" in str(raised.value)
