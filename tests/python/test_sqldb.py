"""The `sqldb` connector (examples/sqldb) through real PySpark, against a real PostgreSQL server
(started here, on 127.0.0.1, every statement logged) and SQLite files: exact reads of every
type, partitioned reads, bounds discovery, filters run by the server, injection attempts through
every option that reaches SQL, and writes that publish all or nothing on both backends."""

import datetime
import decimal
import hashlib
import json
import re
import sqlite3
import uuid

import pyspark
import pytest
from pyspark.sql import functions as F

from servers import PostgresServer

PUSHDOWN = "spark.sql.python.filterPushdown.enabled"
PUSHES = tuple(int(part) for part in pyspark.__version__.split(".")[:2]) >= (4, 1)
ROWS = 5000

PEOPLE = f"""
CREATE TABLE people (
    id bigint, name text, score double precision, joined date, balance numeric(12, 2),
    active boolean, seen timestamptz, local timestamp, small smallint, code uuid, meta jsonb,
    raw bytea, label varchar(20)
);
INSERT INTO people
SELECT i, 'person ' || i, i * 0.5, date '2024-01-01' + (i % 365), i * 1.25, i % 2 = 0,
       timestamptz '2024-01-01 00:00:00+00' + i * interval '1 minute',
       timestamp '2024-01-01 00:00:00' + i * interval '1 second', (i % 100)::smallint,
       md5(i::text)::uuid, jsonb_build_object('i', i), decode(lpad(to_hex(i), 8, '0'), 'hex'),
       CASE WHEN i % 3 = 0 THEN 'Ünïcode ' || i ELSE 'plain' END
FROM generate_series(1, {ROWS}) AS i;
INSERT INTO people (id, name) VALUES (NULL, 'no id'), (-7, NULL);
CREATE SEQUENCE people_numbers;
"""


def expected_person(i):
    return (
        i,
        f"person {i}",
        i * 0.5,
        datetime.date(2024, 1, 1) + datetime.timedelta(days=i % 365),
        decimal.Decimal(i * 125).scaleb(-2),
        i % 2 == 0,
        datetime.datetime(2024, 1, 1) + datetime.timedelta(minutes=i),
        datetime.datetime(2024, 1, 1) + datetime.timedelta(seconds=i),
        i % 100,
        str(uuid.UUID(hashlib.md5(str(i).encode()).hexdigest())),
        json.dumps({"i": i}),
        bytearray(bytes.fromhex(f"{i:08x}")),
        f"Ünïcode {i}" if i % 3 == 0 else "plain",
    )


EXPECTED = sorted(
    [expected_person(i) for i in range(1, ROWS + 1)]
    + [(None, "no id") + (None,) * 11, (-7,) + (None,) * 12],
    key=lambda row: (row[0] is not None, row[0] or 0),
)


@pytest.fixture(scope="module")
def pg():
    server = PostgresServer()
    try:
        server.sql(PEOPLE)
        yield server
    finally:
        server.stop()


@pytest.fixture
def pushdown(spark):
    spark.conf.set(PUSHDOWN, "true")
    yield
    spark.conf.set(PUSHDOWN, "false")


def read(spark, pg, **options):
    reader = (
        spark.read.format("sqldb")
        .option("url", pg.url)
        .option("user", pg.USER)
        .option("password", pg.password)
    )
    for key, value in options.items():
        reader = reader.option(key, str(value))
    return reader.load()


def sorted_rows(df):
    return sorted(
        (tuple(row) for row in df.collect()),
        key=lambda row: (row[0] is not None, row[0] or 0),
    )


def logged_since(pg, mark):
    return pg.statements()[mark:]


# -- reading ------------------------------------------------------------------------------


def test_every_postgres_type_is_read_exactly(spark, pg):
    df = read(spark, pg, table="people")
    assert [(f.name, f.dataType.simpleString()) for f in df.schema] == [
        ("id", "bigint"), ("name", "string"), ("score", "double"), ("joined", "date"),
        ("balance", "decimal(12,2)"), ("active", "boolean"), ("seen", "timestamp"),
        ("local", "timestamp_ntz"), ("small", "smallint"), ("code", "string"),
        ("meta", "string"), ("raw", "binary"), ("label", "string"),
    ]
    assert sorted_rows(df) == EXPECTED


def test_partitioned_reads_equal_one_partition_with_bounds_from_the_server(spark, pg):
    mark = len(pg.statements())
    df = read(spark, pg, table="people", partitionColumn="id", numPartitions=4)
    assert df.rdd.getNumPartitions() == 4
    assert sorted_rows(df) == EXPECTED
    log = logged_since(pg, mark)
    assert re.search(r'SELECT MIN\("id"\)::int8, MAX\("id"\)::int8 FROM \(SELECT "id" FROM "people"', log), log
    # Four ranges, each bound as parameters: -7 .. 5000 split in four.
    assert log.count('FROM "people" WHERE') >= 4, log
    assert "parameters: $1 = '-7'" not in log  # the bounds split the range; -7 is only MIN
    assert re.search(r'"id" >= \$1::int8 AND "id" < \$2::int8', log), log


def test_given_bounds_split_the_range_and_every_row_is_still_read(spark, pg):
    mark = len(pg.statements())
    df = read(spark, pg, table="people", partitionColumn="id", numPartitions=3,
              lowerBound=1000, upperBound=2000)
    assert sorted_rows(df) == EXPECTED
    log = logged_since(pg, mark)
    assert "MIN(" not in log, "bounds were given: no MIN/MAX query"
    assert "parameters: $1 = '1333', $2 = '1666'" in log, log


def test_a_query_is_read_as_a_subquery(spark, pg):
    df = read(spark, pg, query="SELECT id, upper(name) AS shout, balance * 2 AS twice "
                               "FROM people WHERE id BETWEEN 1 AND 3")
    assert [f.dataType.simpleString() for f in df.schema] == ["bigint", "string", "decimal(38,18)"]
    assert sorted_rows(df) == [
        (i, f"PERSON {i}", decimal.Decimal(i * 250).scaleb(-2).quantize(decimal.Decimal(10) ** -18))
        for i in (1, 2, 3)
    ]


CONDITIONS = [
    "score > 100.0 AND joined >= DATE'2024-06-01'",
    "name LIKE 'person 1%'",
    "label = 'Ünïcode 33'",
    "label > 'q'",  # byte-wise, as Spark compares: 'Ü' (0xC3...) is above 'q'
    "balance BETWEEN 10.00 AND 12.50",
    "seen < TIMESTAMP'2024-01-01 00:10:00'",
    "local >= TIMESTAMP_NTZ'2024-01-01 01:23:20'",
    "id IN (1, 2, 4999) OR id IS NULL",  # an OR is Spark's; its IN parts are not pushed alone
    "name IS NULL",
    "NOT (active) AND small = 7",
    "meta = '{\"i\": 12}'",
]


@pytest.mark.parametrize("condition", CONDITIONS)
def test_filters_give_the_rows_spark_gives(spark, pg, condition):
    spark.conf.set(PUSHDOWN, "false")
    expected = sorted_rows(read(spark, pg, table="people").where(condition))
    spark.conf.set(PUSHDOWN, "true")
    try:
        pushed = sorted_rows(read(spark, pg, table="people", partitionColumn="id",
                                  numPartitions=2).where(condition))
    finally:
        spark.conf.set(PUSHDOWN, "false")
    assert pushed == expected
    assert expected, "a condition that keeps no row tests little"


@pytest.mark.skipif(not PUSHES, reason="PySpark 4.0 has no filter pushdown for Python sources")
def test_the_server_runs_the_pushed_filters_with_bound_values(spark, pg, pushdown):
    mark = len(pg.statements())
    df = read(spark, pg, table="people").where("name LIKE 'person 12%' AND score >= 600.0")
    # 12 and 120..129 score under 600; 1200..1299 score 600 and more.
    assert sorted(row.id for row in df.collect()) == list(range(1200, 1300))
    log = logged_since(pg, mark)
    # Spark adds IS NOT NULL for each column; every value is a bound parameter.
    assert ('WHERE ("name" IS NOT NULL) AND ("score" IS NOT NULL) '
            'AND ("name" COLLATE "C" LIKE $1::text) AND ("score" >= $2::float8)') in log, log
    assert "parameters: $1 = 'person 12%', $2 = '600'" in log, log
    plan = df._sc._jvm.PythonSQLUtils.explainString(df._jdf.queryExecution(), "formatted")
    assert "PushedFilters" in plan and "StringStartsWith" in plan, plan


# -- injection ----------------------------------------------------------------------------


def count_people(pg):
    return int(pg.sql("SELECT count(*) FROM people"))


def test_sql_in_a_name_is_refused_before_anything_runs(spark, pg):
    mark = len(pg.statements())
    with pytest.raises(Exception) as raised:
        read(spark, pg, table="people; DROP TABLE people").schema
    assert "option `table`: got `people; DROP TABLE people`" in str(raised.value)
    with pytest.raises(Exception) as raised:
        read(spark, pg, table="people", partitionColumn='id") OR (1=1', numPartitions=2).schema
    assert "option `partitionColumn`" in str(raised.value)
    assert "DROP" not in logged_since(pg, mark)
    assert count_people(pg) == ROWS + 2


def test_a_query_cannot_change_the_database(spark, pg):
    for attempt, reason in [
        ("SELECT 1; DROP TABLE people", "syntax error"),
        ("WITH gone AS (DELETE FROM people RETURNING id) SELECT id FROM gone",
         "data-modifying statement"),
        # Valid SQL that writes: the connection's transactions are read-only.
        ("SELECT nextval('people_numbers') AS n", "read-only transaction"),
    ]:
        with pytest.raises(Exception) as raised:
            read(spark, pg, query=attempt).collect()
        assert reason in str(raised.value), str(raised.value)
    assert count_people(pg) == ROWS + 2


def test_a_filter_value_carrying_sql_is_only_a_value(spark, pg, pushdown):
    mark = len(pg.statements())
    quoted = "x' OR '1'='1"
    assert read(spark, pg, table="people").where(F.col("name") == quoted).count() == 0
    assert read(spark, pg, table="people").where(F.col("name") != quoted).count() == ROWS + 1
    if PUSHES:
        assert "parameters: $1 = 'x'' OR ''1''=''1'" in logged_since(pg, mark)
    assert count_people(pg) == ROWS + 2


def test_wrong_credentials_are_a_clear_error_that_never_shows_the_password(spark, pg):
    wrong = "not-the-Pw-9431"
    with pytest.raises(Exception) as raised:
        (spark.read.format("sqldb").option("url", pg.url).option("user", pg.USER)
         .option("password", wrong).option("table", "people").load())
    text = str(raised.value)
    assert "password authentication failed" in text, text
    assert f"127.0.0.1 (port [{pg.port}]" in text, text
    assert wrong not in text
    # In the URL, as JDBC users write it: masked too.
    url = pg.url.replace("postgresql://", f"jdbc:postgresql://{pg.USER}:{wrong}@")
    with pytest.raises(Exception) as raised:
        spark.read.format("sqldb").option("url", url).option("table", "people").load()
    assert "password authentication failed" in str(raised.value)
    assert wrong not in str(raised.value)


def test_an_unreadable_column_type_is_named_with_a_cast_to_use(spark, pg):
    with pytest.raises(Exception) as raised:
        read(spark, pg, query="SELECT id, interval '1 day' AS gap FROM people").schema
    text = str(raised.value)
    assert "column `gap` has type `interval`" in text and '"gap"::text' in text, text


# -- writing ------------------------------------------------------------------------------


def people_df(spark, first, last, partitions=2):
    return spark.range(first, last + 1, numPartitions=partitions).select(
        F.col("id"),
        F.concat(F.lit("n"), F.col("id").cast("string")).alias("name"),
        (F.col("id") * 1.5).alias("score"),
        (F.col("id") / 4).cast("decimal(10,2)").alias("balance"),
        F.make_date(F.lit(2024), F.lit(2), (F.col("id") % 28 + 1).cast("int")).alias("day"),
        F.to_utc_timestamp(F.timestamp_seconds(F.col("id")), "UTC").alias("at"),
    )


def failing_df(spark, first, last, fail_at):
    @F.udf("bigint")
    def fail_at_row(i):
        if i == fail_at:
            raise ValueError(f"task failed on purpose at id {i}")
        return i

    return people_df(spark, first, last).withColumn("id", fail_at_row("id"))


def write(df, url, table, mode, **options):
    writer = df.write.format("sqldb").mode(mode).option("url", url).option("table", table)
    for key, value in options.items():
        writer = writer.option(key, str(value))
    writer.save()


@pytest.fixture(params=["postgres", "sqlite"])
def sink(request, pg, tmp_path):
    """(url, options, count of a table, staging tables left) of one backend."""
    if request.param == "postgres":
        options = {"user": pg.USER, "password": pg.password}
        return (pg.url, options, lambda table: int(pg.sql(f"SELECT count(*) FROM {table}")),
                lambda: pg.sql("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'spark_stage%'"))
    path = str(tmp_path / "out.db")
    sqlite3.connect(path).close()

    def count(table):
        with sqlite3.connect(path) as db:
            return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]

    def stages():
        with sqlite3.connect(path) as db:
            return str(db.execute("SELECT count(*) FROM sqlite_master "
                                  "WHERE name LIKE 'spark_stage%'").fetchone()[0])

    return f"sqlite:{path}", {}, count, stages


def test_writes_append_overwrite_and_publish_nothing_when_a_task_fails(spark, sink, request):
    url, options, count, stages = sink
    table = f"written_{request.node.callspec.id}"
    write(people_df(spark, 1, 1000), url, table, "append", **options)
    assert count(table) == 1000
    write(people_df(spark, 1001, 1500), url, table, "append", **options)
    assert count(table) == 1500
    write(people_df(spark, 1, 10), url, table, "overwrite", **options)
    assert count(table) == 10

    # The second partition fails after the writer has taken batches of it: nothing published,
    # overwrite included, and no staging table left.
    spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", "50")
    try:
        with pytest.raises(Exception) as raised:
            write(failing_df(spark, 1, 1000, fail_at=900), url, table, "overwrite", **options)
        assert "task failed on purpose at id 900" in str(raised.value)
    finally:
        spark.conf.unset("spark.sql.execution.arrow.maxRecordsPerBatch")
    assert count(table) == 10
    assert stages() == "0"

    read_back = spark.read.format("sqldb").option("url", url).option("table", table)
    for key, value in options.items():
        read_back = read_back.option(key, value)
    assert sorted_rows(read_back.load()) == sorted_rows(people_df(spark, 1, 10))


def test_data_that_does_not_fit_the_table_is_refused_at_save(spark, pg):
    pg.sql("CREATE TABLE narrow (id integer, name text)")
    with pytest.raises(Exception) as raised:
        write(people_df(spark, 1, 5), pg.url, "narrow", "append",
              user=pg.USER, password=pg.password)
    text = str(raised.value)
    assert "id" in text and "score" in text, text
    assert pg.sql("SELECT count(*) FROM narrow") == "0"


def test_sqlite_reads_partitioned_and_filtered(spark, tmp_path):
    path = tmp_path / "people.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE people (id INTEGER, name TEXT, score REAL)")
        db.executemany("INSERT INTO people VALUES (?, ?, ?)",
                       [(i, f"p{i}", i / 2) for i in range(1, 1001)] + [(None, "none", None)])
    whole = spark.read.format("sqldb").option("url", str(path)).option("table", "people").load()
    split = (spark.read.format("sqldb").option("url", f"sqlite:{path}").option("table", "people")
             .option("partitionColumn", "id").option("numPartitions", 3).load())
    assert split.rdd.getNumPartitions() == 3
    assert sorted_rows(split) == sorted_rows(whole)
    assert len(sorted_rows(whole)) == 1001
    spark.conf.set(PUSHDOWN, "true")
    try:
        assert sorted_rows(split.where("name LIKE 'p99%' AND score > 49.0")) == [
            (i, f"p{i}", i / 2) for i in (99, 990, 991, 992, 993, 994, 995, 996, 997, 998, 999)
        ]
    finally:
        spark.conf.set(PUSHDOWN, "false")
