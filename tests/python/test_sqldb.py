"""The `sqldb` connector (examples/sqldb) through real PySpark, against a real PostgreSQL server
(started here, on 127.0.0.1, every statement logged) and SQLite files: exact reads of every
type, partitioned reads, bounds discovery, filters run by the server (hostile literals
included), injection attempts through every option that reaches SQL, server functions refused
in a query, names PostgreSQL would cut, errors naming the option to fix, writes of every type
that publish all or nothing on both backends, aborts that race their own tasks, and reads after
a writer was killed."""

import datetime
import decimal
import hashlib
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid

import pyarrow as pa
import pyspark
import pytest
from pyspark.sql import datasource as ds
from pyspark.sql import functions as F
from pyspark.sql.types import LongType, StringType, StructField, StructType

from servers import PostgresServer, free_port

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


def connections_opened(pg, mark):
    """The connections the source opened since `mark` (the server logs each one)."""
    return logged_since(pg, mark).count("application_name=spark-sqldb")


def test_a_worker_reuses_its_connection_across_tasks_and_queries(spark, pg):
    # A URL no other test uses: pools are per way of connecting, this one starts empty.
    url = pg.url + "?connect_timeout=17"
    opened = []
    for _ in range(3):
        mark = len(pg.statements())
        df = read(spark, pg, url=url, table="people", partitionColumn="id", numPartitions=8)
        assert sorted_rows(df) == EXPECTED
        opened.append(connections_opened(pg, mark))
    # Each query plans on the driver and runs 8 tasks, each of which opened a connection of its
    # own before pools; local[2] runs them in a few reused Python workers (two for the tasks,
    # the planner's), each opening one connection for the first query and none after.
    assert 1 <= opened[0] <= 4, opened
    assert sum(opened[1:]) <= 1, opened
    # Without the pool, as before: a connection per task and per planning call.
    mark = len(pg.statements())
    df = read(spark, pg, url=url, table="people", partitionColumn="id", numPartitions=8,
              poolConnections="false")
    assert sorted_rows(df) == EXPECTED
    assert connections_opened(pg, mark) >= 9


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
    assert f"127.0.0.1:{pg.port}" in text, text
    assert wrong not in text
    # In the URL, as JDBC users write it: masked too.
    url = pg.url.replace("postgresql://", f"jdbc:postgresql://{pg.USER}:{wrong}@")
    with pytest.raises(Exception) as raised:
        spark.read.format("sqldb").option("url", url).option("table", "people").load()
    assert "password authentication failed" in str(raised.value)
    assert wrong not in str(raised.value)


@pytest.fixture(scope="module")
def pg_tls():
    server = PostgresServer(tls=True)
    try:
        server.sql("CREATE TABLE numbers AS SELECT g AS n FROM generate_series(1, 100) g")
        yield server
    finally:
        server.stop()


# What the connection reading it is: encrypted or not, and how.
CONNECTION_SSL = (
    "SELECT ssl::text AS ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
)


def ssl_of(spark, server, url=None, **options):
    df = read(spark, server, url=url or server.url, query=CONNECTION_SSL,
              allowServerFunctions="true", **options)
    return df.collect()[0]


def test_tls_encrypts_and_checks_the_server_as_libpq_s_sslmodes_say(spark, pg_tls):
    assert ssl_of(spark, pg_tls, sslMode="disable").ssl == "false"
    # `prefer` (the default) and `require` encrypt without a CA to check the server against.
    for mode in ("prefer", "require"):
        row = ssl_of(spark, pg_tls, sslMode=mode)
        assert (row.ssl, row.version) == ("true", "TLSv1.3"), (mode, row)
    # `verify-full` checks the certificate against the CA, and its name against the host.
    row = ssl_of(spark, pg_tls, sslMode="verify-full", sslRootCert=pg_tls.ca_file)
    assert row.ssl == "true"
    # libpq's URL parameters do the same.
    url = f"{pg_tls.url}?sslmode=verify-full&sslrootcert={pg_tls.ca_file}"
    assert ssl_of(spark, pg_tls, url=url).ssl == "true"
    # The certificate names 127.0.0.1 only: `localhost` passes `verify-ca`, not `verify-full`.
    localhost = pg_tls.url.replace("127.0.0.1", "localhost")
    assert ssl_of(spark, pg_tls, url=localhost, sslMode="verify-ca",
                  sslRootCert=pg_tls.ca_file).ssl == "true"
    assert read(spark, pg_tls, url=localhost, table="numbers", sslMode="require").count() == 100
    for url, options, reason in [
        (localhost, {"sslRootCert": pg_tls.ca_file}, 'not valid for name "localhost"'),
        # Mozilla's roots do not know the test CA.
        (pg_tls.url, {}, "invalid peer certificate: UnknownIssuer"),
    ]:
        with pytest.raises(Exception) as raised:
            read(spark, pg_tls, url=url, table="numbers", sslMode="verify-full", **options).count()
        text = str(raised.value)
        assert "TLS handshake failed" in text and reason in text, text
        assert "check `sslMode` and `sslRootCert`" in text, text
        # A refused certificate is not retried.
        assert "failed 6 times" not in text, text
        assert pg_tls.password not in text


def test_tls_options_that_cannot_work_are_named(spark, pg_tls, tmp_path):
    not_pem = tmp_path / "ca.txt"
    not_pem.write_text("not a certificate")
    for options, expected in [
        ({"sslMode": "verify-all"}, "option `sslMode`: got `verify-all`"),
        ({"sslMode": "verify-full", "sslRootCert": str(tmp_path / "nope.pem")},
         "cannot read `sslRootCert`"),
        ({"sslMode": "verify-full", "sslRootCert": str(not_pem)},
         "holds no `BEGIN CERTIFICATE` block"),
        ({"url": f"{pg_tls.url}?sslmode=require", "sslMode": "disable"},
         "`sslMode` and the URL's `sslmode` differ"),
    ]:
        with pytest.raises(Exception) as raised:
            read(spark, pg_tls, **{"table": "numbers", **options}).count()
        assert expected in str(raised.value), str(raised.value)


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
                lambda: pg.sql("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'spark_stage%' "
                               "AND tablename NOT LIKE '%\\_aborted'"))
    path = str(tmp_path / "out.db")
    sqlite3.connect(path).close()

    def count(table):
        with sqlite3.connect(path) as db:
            return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]

    def stages():
        with sqlite3.connect(path) as db:
            return str(db.execute("SELECT count(*) FROM sqlite_master WHERE name LIKE "
                                  "'spark_stage%' AND name NOT LIKE '%\\_aborted' ESCAPE '\\'")
                       .fetchone()[0])

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
    # overwrite included, and no staging table left (the abort's marker stays, for late tasks).
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


# -- hostile literals ------------------------------------------------------------------------

# Strings PostgreSQL's text can hold (no NUL), among them every one a pattern could misread.
HOSTILE_ROWS = ["a", "ab", "abc", "A", "a%b", "a_c", "abc%", "\\", "a\\%", "a\\b", "'", "it's",
                "", "Ünïcode", "é", "aé", "😀x", "[a]", "*", "?", "%", "_", "x' OR '1'='1", None]
# Literals of every kind that could be misread: NUL (which PostgreSQL's text cannot hold),
# wildcards, the escape character, quotes, the empty string, multi-byte letters.
HOSTILE_LITERALS = ["a\x00", "\x00", "a%", "_", "\\", "a\\%", "'", "", "é", "😀"]
# Each kind of filter: (the Column predicate Spark evaluates, the filter Spark pushes for it).
FILTER_KINDS = {
    "=": (lambda c, v: c == v, lambda v: ds.EqualTo(("s",), v)),
    "!=": (lambda c, v: c != v, lambda v: ds.Not(ds.EqualTo(("s",), v))),
    "<": (lambda c, v: c < v, lambda v: ds.LessThan(("s",), v)),
    ">": (lambda c, v: c > v, lambda v: ds.GreaterThan(("s",), v)),
    "<=": (lambda c, v: c <= v, lambda v: ds.LessThanOrEqual(("s",), v)),
    ">=": (lambda c, v: c >= v, lambda v: ds.GreaterThanOrEqual(("s",), v)),
    "<=>": (lambda c, v: c.eqNullSafe(v), lambda v: ds.EqualNullSafe(("s",), v)),
    "IN": (lambda c, v: c.isin(v, "ab"), lambda v: ds.In(("s",), (v, "ab"))),
    "startswith": (lambda c, v: c.startswith(v), lambda v: ds.StringStartsWith(("s",), v)),
    "endswith": (lambda c, v: c.endswith(v), lambda v: ds.StringEndsWith(("s",), v)),
    "contains": (lambda c, v: c.contains(v), lambda v: ds.StringContains(("s",), v)),
    "NOT startswith": (lambda c, v: ~c.startswith(v),
                       lambda v: ds.Not(ds.StringStartsWith(("s",), v))),
}


def pg_literal(value):
    return "NULL" if value is None else "'" + value.replace("'", "''") + "'"


@pytest.fixture(scope="module")
def hostile(pg):
    values = ", ".join(f"({i}, {pg_literal(v)})" for i, v in enumerate(HOSTILE_ROWS))
    pg.sql(f"CREATE TABLE hostile (id int, s text); INSERT INTO hostile VALUES {values}")
    return "hostile"


def spark_keeps(spark, pg, table):
    """{(kind, literal): the ids Spark keeps}, Spark evaluating every filter itself (pushdown
    off), in one query."""
    cases = [(kind, literal) for kind in FILTER_KINDS for literal in HOSTILE_LITERALS]
    spark.conf.set(PUSHDOWN, "false")
    rows = read(spark, pg, table=table).select(
        "id", *[FILTER_KINDS[kind][0](F.col("s"), literal).alias(f"c{index}")
                for index, (kind, literal) in enumerate(cases)]).collect()
    return {case: sorted(row.id for row in rows if row[index + 1] is True)
            for index, case in enumerate(cases)}


def pushed_read(source, schema, pushed_filter):
    """(the ids read, whether the filter was pushed), the reader driven as Spark drives it with
    pushdown on (the filter offered, then every partition read), in this process. What was not
    pushed is not read: Spark would apply it to every row."""
    reader = source.reader(schema)
    if list(reader.pushFilters([pushed_filter])):
        return None, False
    ids = sorted(id for partition in reader.partitions()
                 for batch in reader.read(partition) for id in batch.column("id").to_pylist())
    return ids, True


@pytest.mark.skipif(not PUSHES, reason="PySpark 4.0 has no filter pushdown for Python sources")
def test_hostile_literals_give_the_rows_spark_gives(spark, pg, hostile):
    import pyspark_sqldb

    expected = spark_keeps(spark, pg, hostile)
    # Over the server's Unix socket (no password to hash: a connection costs little).
    source = pyspark_sqldb.SqlDb({"url": pg.socket_url, "user": pg.USER, "table": hostile})
    schema = source.schema()
    for (kind, literal), keeps in expected.items():
        ids, pushed = pushed_read(source, schema, FILTER_KINDS[kind][1](literal))
        case = (kind, literal)
        # PostgreSQL's text cannot hold NUL: Spark keeps such a filter; it gets every other.
        assert pushed == ("\x00" not in literal), case
        assert not pushed or ids == keeps, case
    assert all(expected[("=", v)] for v in ("_", "\\", "'", "")), "rows to find"


@pytest.mark.skipif(not PUSHES, reason="PySpark 4.0 has no filter pushdown for Python sources")
def test_a_nul_in_a_filter_stays_with_spark(spark, pg, hostile, pushdown):
    s = F.col("s")
    for condition in [s.startswith("a\x00"), s == "a\x00"]:
        df = read(spark, pg, table=hostile).where(condition)
        got = sorted(row.id for row in df.collect())
        spark.conf.set(PUSHDOWN, "false")
        try:
            assert got == sorted(row.id for row in
                                 read(spark, pg, table=hostile).where(condition).collect())
        finally:
            spark.conf.set(PUSHDOWN, "true")
        plan = df._sc._jvm.PythonSQLUtils.explainString(df._jdf.queryExecution(), "formatted")
        found = re.search(r"PushedFilters: \[(.*)\]", plan)
        pushed = found.group(1) if found else ""
        assert "\x00" not in pushed and "\\u0000" not in pushed, plan
        assert "Filter" in plan.split("PushedFilters")[0], "Spark applies the filter itself"


# -- names PostgreSQL would cut ------------------------------------------------------------


def test_names_postgres_would_cut_are_refused(spark, pg):
    long = "a_name_postgresql_would_cut_" + "x" * 36
    assert len(long) == 64
    with pytest.raises(Exception) as raised:
        read(spark, pg, query=f'SELECT id AS "{long}" FROM people').schema
    text = str(raised.value)
    assert "cuts names to 63 bytes" in text and "`query`" in text, text

    df = spark.range(3).withColumnRenamed("id", long)
    for table, named in [("cut_columns", f"column `{long}` is 64 bytes long"),
                         (long, f"`table` `{long}` is 64 bytes long")]:
        mark = len(pg.statements())
        with pytest.raises(Exception) as raised:
            write(df if table != long else spark.range(3), pg.url, table, "append",
                  user=pg.USER, password=pg.password)
        assert named in str(raised.value), str(raised.value)
        assert "CREATE" not in logged_since(pg, mark), "refused before any task ran"
    with pytest.raises(Exception) as raised:
        read(spark, pg, table=long).schema
    assert f"`table` `{long}` is 64 bytes long" in str(raised.value)


# -- server functions in a query -----------------------------------------------------------

SERVER_FUNCTION_ATTEMPTS = [
    ("SELECT lo_import('/etc/hostname') AS oid", "`lo_import`"),
    ("SELECT pg_catalog.lo_import('/etc/hostname') AS oid", "`lo_import`"),
    ("SELECT \"lo_import\"('/etc/hostname') AS oid", "`lo_import`"),
    ("SELECT LO_IMPORT('/etc/hostname') AS oid", "`lo_import`"),
    ("SELECT lo_import/* split */('/etc/hostname') AS oid", "`lo_import`"),
    ("SELECT lo_import -- split\n('/etc/hostname') AS oid", "`lo_import`"),
    ("SELECT oid FROM imports", "`lo_import`"),  # a view: only the plan shows the call
    ("SELECT query_to_xml('SELECT lo_import(''/etc/hostname'')', true, false, '')::text AS x",
     "`query_to_xml`"),
    ("SELECT pg_read_file('/etc/hostname') AS f", "`pg_read_file`"),
    ("SELECT * FROM pg_ls_dir('.') AS f", "`pg_ls_dir`"),
    ("SELECT set_config('default_transaction_read_only', 'off', false) AS s", "`set_config`"),
    ("SELECT U&\"\\006co_import\"('/etc/hostname') AS oid", "U&"),
]


def source_of(pg, **options):
    """The source as Spark's driver opens it, in this process (its errors are those Spark
    shows at `load()`)."""
    import pyspark_sqldb

    return pyspark_sqldb.SqlDb({"url": pg.url, "user": pg.USER, "password": pg.password,
                                **options})


def test_a_query_cannot_call_server_functions(spark, pg):
    pg.sql("CREATE VIEW imports AS SELECT lo_import('/etc/hostname') AS oid")
    objects = pg.sql("SELECT count(*) FROM pg_largeobject_metadata")
    for attempt, named in SERVER_FUNCTION_ATTEMPTS:
        with pytest.raises(Exception) as raised:
            source_of(pg, query=attempt).schema()
        text = str(raised.value)
        assert named in text and "allowServerFunctions" in text, (attempt, text)
    assert pg.sql("SELECT count(*) FROM pg_largeobject_metadata") == objects
    # Names in strings, comments and columns are no calls; the option leaves the rest to the
    # database role (a superuser's here).
    benign = read(spark, pg, query="SELECT 'lo_import(1)' AS lo_value /* lo_export(1) */")
    assert [tuple(row) for row in benign.collect()] == [("lo_import(1)",)]
    allowed = read(spark, pg, query="SELECT length(pg_read_file('PG_VERSION')) AS n",
                   allowServerFunctions="true")
    assert allowed.collect()[0].n > 0


# -- errors --------------------------------------------------------------------------------


def sqldb_message(text):
    """The source's own message in a Spark error: from `sqldb:` to the end of its line."""
    found = re.search(r"sqldb: .*", text)
    assert found, text
    return found.group(0)


def repeated(text, longest=24):
    """A run of `longest` characters `text` holds twice, if any."""
    for start in range(len(text) - longest):
        piece = text[start:start + longest]
        if piece in text[start + 1:]:
            return piece
    return None


def broken_option_sets(pg, tmp_path):
    """(options, the option an error must name): one broken option each."""
    people = tmp_path / "people.db"
    with sqlite3.connect(people) as db:
        db.execute("CREATE TABLE people (id INTEGER, name TEXT)")
    creds = {"user": pg.USER, "password": pg.password}
    return [
        ({"url": pg.url, "user": pg.USER, "password": "wrong-Pw-5521", "table": "people"},
         "`password`"),
        ({"url": pg.url, "user": "nobody_here", "password": "wrong-Pw-5521", "table": "people"},
         "`user`"),
        ({"url": pg.url.replace("postgresql://", f"postgresql://{pg.USER}:wrong-Pw-5521@"),
          "table": "people"}, "in `url`"),
        ({"url": pg.url.rsplit("/", 1)[0] + "/no_such_db", **creds, "table": "people"},
         "`url`"),
        ({"url": f"postgresql://127.0.0.1:{free_port()}/postgres", **creds, "table": "people"},
         "host and port in `url`"),
        ({"url": pg.url, **creds, "table": "nope"}, "`table`"),
        ({"url": pg.url, **creds, "table": "nope.people"}, "`table`"),
        ({"url": pg.url, **creds, "query": "SELECT nope FROM people"}, "`query`"),
        ({"url": pg.url, **creds, "query": "SELEC id FROM people"}, "`query`"),
        ({"url": pg.url, **creds, "table": "people", "partitionColumn": "nope"},
         "`partitionColumn`"),
        ({"url": str(tmp_path / "missing.db"), "table": "people"}, "`url`"),
        ({"url": str(people), "table": "nope"}, "`table`"),
        ({"url": str(people), "query": "SELECT nope FROM people"}, "`query`"),
        ({"url": str(people), "query": "SELEC id FROM people"}, "`query`"),
        ({"url": str(people), "table": "people", "partitionColumn": "nope"},
         "`partitionColumn`"),
    ]


def test_each_broken_option_is_named_once_and_the_password_never(pg, tmp_path):
    """At `load()`, where Spark's driver opens the source (through Spark, the same text follows
    Spark's own: `test_wrong_credentials_are_a_clear_error_that_never_shows_the_password`)."""
    import pyspark_sqldb

    for options, named in broken_option_sets(pg, tmp_path):
        with pytest.raises(Exception) as raised:
            pyspark_sqldb.SqlDb(options).schema()
        text = str(raised.value)
        message = sqldb_message(text)
        assert named in message, (options, message)
        assert repeated(message) is None, (options, message)
        assert "wrong-Pw-5521" not in text and pg.password not in text, (options, text)


# -- aborts racing their tasks -------------------------------------------------------------


def backend(kind, pg, tmp_path):
    """(options of a table in a fresh schema or file, the staging tables there, a cleanup)."""
    if kind == "postgres":
        schema = f"races_{uuid.uuid4().hex[:8]}"
        pg.sql(f"CREATE SCHEMA {schema}")
        options = {"url": pg.url, "user": pg.USER, "password": pg.password,
                   "table": f"{schema}.target"}

        def staged():
            return pg.sql(f"SELECT tablename FROM pg_tables WHERE schemaname = '{schema}' "
                          "AND tablename LIKE 'spark_stage%' ORDER BY 1").split()

        return options, staged, lambda: pg.sql(f"DROP SCHEMA {schema} CASCADE")
    path = tmp_path / "races.db"
    sqlite3.connect(path).close()

    def staged():
        with sqlite3.connect(path) as db:
            return [name for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE name LIKE 'spark_stage%' ORDER BY 1")]

    return {"url": f"sqlite:{path}", "table": "target"}, staged, lambda: None


def task_rows(first, count):
    return pa.RecordBatch.from_pydict({
        "id": pa.array(range(first, first + count), pa.int64()),
        "name": pa.array([f"n{i}" for i in range(first, first + count)]),
    })


ROWS_SCHEMA = StructType([StructField("id", LongType()), StructField("name", StringType())])


def writer_of(options, **more):
    """A writer planned on the driver, driven here as Spark's workers and driver drive it."""
    import pyspark_sqldb

    return pyspark_sqldb.SqlDb({**options, **more}).writer(ROWS_SCHEMA, False)


def tasks_staging(staged):
    return [name for name in staged() if not name.endswith("_aborted")]


@pytest.mark.parametrize("kind", ["postgres", "sqlite"])
def test_a_task_that_stages_after_the_abort_keeps_nothing(pg, tmp_path, kind):
    options, staged, cleanup = backend(kind, pg, tmp_path)
    try:
        writer = writer_of(options)
        writer.abort([None, None])
        with pytest.raises(Exception) as raised:
            writer.write(iter([task_rows(1, 10)]))
        assert "the write was aborted" in str(raised.value)
        assert tasks_staging(staged) == []
    finally:
        cleanup()


@pytest.mark.parametrize("kind", ["postgres", "sqlite"])
def test_a_task_staging_while_the_abort_runs_keeps_nothing(pg, tmp_path, kind):
    options, staged, cleanup = backend(kind, pg, tmp_path)
    try:
        writer = writer_of(options)
        copying, go_on = threading.Event(), threading.Event()

        def batches():
            yield task_rows(1, 1000)
            copying.set()  # the task's transaction is open, its first rows copied
            go_on.wait(60)
            yield task_rows(1001, 1000)

        outcome = {}

        def task():
            try:
                outcome["message"] = writer.write(batches())
            except Exception as error:  # the abort came first: it says so
                outcome["error"] = str(error)

        running = threading.Thread(target=task)
        running.start()
        assert copying.wait(60)
        aborting = threading.Thread(target=writer.abort, args=([None, None],))
        aborting.start()
        time.sleep(0.5)
        go_on.set()
        running.join(60)
        aborting.join(60)
        assert not running.is_alive() and not aborting.is_alive()
        if "error" in outcome:
            assert "the write was aborted" in outcome["error"], outcome
        assert tasks_staging(staged) == [], outcome
    finally:
        cleanup()


KILLED_TASK = """
import json, os, signal, sys
import pyarrow as pa
import pyspark_sqldb
from pyspark.sql.types import LongType, StringType, StructField, StructType

options = json.loads(sys.argv[1])
schema = StructType([StructField("id", LongType()), StructField("name", StringType())])
writer = pyspark_sqldb.SqlDb(options).writer(schema, False)
writer.write(iter([pa.RecordBatch.from_pydict({
    "id": pa.array(range(5_000), pa.int64()),
    "name": pa.array([f"n{i}" for i in range(5_000)]),
})]))
os.kill(os.getpid(), signal.SIGKILL)  # the job dies: nobody commits or aborts
"""


@pytest.mark.parametrize("kind", ["postgres", "sqlite"])
def test_a_killed_writes_staging_is_dropped_by_a_later_write_once_expired(
        spark, pg, tmp_path, kind):
    options, staged, cleanup = backend(kind, pg, tmp_path)
    credentials = {k: v for k, v in options.items() if k in ("user", "password")}
    df = spark.createDataFrame([(1, "a")], "id BIGINT, name STRING")
    try:
        ran = subprocess.run([sys.executable, "-c", KILLED_TASK, json.dumps(options)],
                             capture_output=True, text=True, timeout=120)
        assert ran.returncode == -signal.SIGKILL, ran.stderr
        left = tasks_staging(staged)
        assert len(left) == 1, left
        # Younger than the expiry (a day by default): it may be a running write's.
        write(df, options["url"], options["table"], "append", **credentials)
        assert tasks_staging(staged) == left
        time.sleep(2.1)
        write(df, options["url"], options["table"], "append", stagingExpiry="1s", **credentials)
        assert tasks_staging(staged) == []
    finally:
        cleanup()


# -- SQLite after a killed writer -----------------------------------------------------------

KILLED_WRITER = """
import os, signal, sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA cache_size = 1")  # pages spill to the file: the journal is what restores it
db.execute("BEGIN IMMEDIATE")
db.execute("UPDATE people SET name = name || ' changed'")
db.execute("INSERT INTO people SELECT id + 100000, name FROM people")
os.kill(os.getpid(), signal.SIGKILL)  # mid-transaction: a hot journal stays
"""


def test_sqlite_reads_after_a_writer_was_killed_mid_transaction(spark, tmp_path):
    path = tmp_path / "killed.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE people (id INTEGER, name TEXT)")
        db.executemany("INSERT INTO people VALUES (?, ?)", [(i, f"p{i}") for i in range(5000)])
    ran = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(path)], timeout=120)
    assert ran.returncode == -signal.SIGKILL
    assert os.path.exists(f"{path}-journal")
    # What a read-only connection meets: it cannot roll the journal back.
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        sqlite3.connect(f"file:{path}?mode=ro", uri=True).execute(
            "SELECT count(*) FROM people").fetchone()
    df = spark.read.format("sqldb").option("url", str(path)).option("table", "people").load()
    assert sorted_rows(df) == [(i, f"p{i}") for i in range(5000)]
    assert not os.path.exists(f"{path}-journal")


# -- every type, written and read back --------------------------------------------------------

EVERY_TYPE = ("id INT, tiny TINYINT, small SMALLINT, i INT, big BIGINT, f FLOAT, d DOUBLE, "
              "dec DECIMAL(38,10), s STRING, b BINARY, flag BOOLEAN, day DATE, at TIMESTAMP, "
              "local TIMESTAMP_NTZ")
EVERY_TYPE_ROWS = [
    (1, -128, -32768, -2147483648, -9223372036854775808, -3.5, -1.5e300,
     decimal.Decimal("-1234567890123456789012345678.0123456789"), "Ünïcode ' \\ % _ 😀",
     b"\x00\xff\x01", True, datetime.date(1900, 1, 1),
     datetime.datetime(1969, 12, 31, 23, 59, 59, 999999),
     datetime.datetime(1900, 1, 1, 0, 0, 0, 1)),
    (2, 127, 32767, 2147483647, 9223372036854775807, 3.4028234663852886e38, float("inf"),
     decimal.Decimal("9999999999999999999999999999.9999999999"), "", b"", False,
     datetime.date(9999, 12, 31), datetime.datetime(2262, 4, 11, 23, 47, 16, 854775),
     datetime.datetime(9999, 12, 31, 23, 59, 59, 999999)),
    (3, 0, 0, 0, 0, 0.0, -0.0, decimal.Decimal("0E-10"), "plain", b"x", True,
     datetime.date(2024, 2, 29), datetime.datetime(2024, 2, 29, 12, 0),
     datetime.datetime(2024, 2, 29, 12, 0)),
    (4,) + (None,) * 13,
]
# What each backend reads back: PostgreSQL keeps every type; SQLite's integers are 64-bit and
# its floats double.
READ_BACK = {
    "postgres": ["int", "smallint", "smallint", "int", "bigint", "float", "double",
                 "decimal(38,10)", "string", "binary", "boolean", "date", "timestamp",
                 "timestamp_ntz"],
    "sqlite": ["bigint", "bigint", "bigint", "bigint", "bigint", "double", "double",
               "decimal(38,10)", "string", "binary", "boolean", "date", "timestamp",
               "timestamp_ntz"],
}


def test_every_type_is_written_and_read_back(spark, sink, request):
    url, options, count, stages = sink
    kind = request.node.callspec.id
    table = f"every_type_{kind}"
    df = spark.createDataFrame(EVERY_TYPE_ROWS, EVERY_TYPE)
    # Spark is the oracle: the rows written, as the types read back.
    types = READ_BACK[kind]
    expected = sorted_rows(df.select([F.col(f.name).cast(t).alias(f.name)
                                      for f, t in zip(df.schema, types)]))

    def read_back():
        reader = spark.read.format("sqldb").option("url", url).option("table", table)
        for key, value in options.items():
            reader = reader.option(key, value)
        return reader.load()

    write(df, url, table, "append", **options)  # a new table
    back = read_back()
    assert [f.dataType.simpleString() for f in back.schema] == types
    assert sorted_rows(back) == expected
    write(df, url, table, "append", **options)  # the existing one
    assert sorted_rows(read_back()) == sorted(expected * 2, key=lambda row: row[0])


UNSTORABLE = {
    "tags": lambda: F.array(F.lit("a"), F.lit("b")),
    "attrs": lambda: F.create_map(F.lit("k"), F.lit("v")),
    "address": lambda: F.struct(F.lit("x").alias("street")),
    "gap": lambda: F.expr("INTERVAL '1' DAY"),
}


def test_types_no_table_takes_are_refused_at_save_by_name(spark, sink, request):
    url, options, count, stages = sink
    kind = request.node.callspec.params["sink"]
    new, existing = f"unstorable_new_{kind}", f"unstorable_existing_{kind}"
    write(spark.range(3).select("id", *[F.lit("text").alias(c) for c in UNSTORABLE]),
          url, existing, "append", **options)
    for column, value in UNSTORABLE.items():
        df = spark.range(3).withColumn(column, value())
        for table in [new, existing]:
            with pytest.raises(Exception) as raised:
                write(df, url, table, "append", **options)
            # At save(), where Spark plans the writer: no task ran.
            assert "Failed to initialize Python data source writer" in str(raised.value)
            text = sqldb_message(str(raised.value))
            assert f"`{column}`" in text and "`id`" not in text, (table, text)
    assert stages() == "0"
    assert count(existing) == 3


def test_push_limit_is_defined_only_where_pyspark_has_the_hook(tmp_path):
    import pyspark_sqldb
    from pyspark.sql.datasource import DataSourceReader

    # PySpark up to 4.3 has no `pushLimit`: nothing is defined, reads are what they were.
    assert ("pushLimit" in vars(pyspark_sqldb.SqlDbReader)) == hasattr(
        DataSourceReader, "pushLimit"
    )
    # Where PySpark has it (Spark's main branch), the reader takes the LIMIT into each
    # partition's query: shown in a process whose PySpark gets the hook before the source is
    # imported, its reader driven as Spark's workers drive it.
    path = tmp_path / "ten.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (id INTEGER)")
        db.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(10)])
    script = f"""
from pyspark.sql.datasource import DataSourceReader
DataSourceReader.pushLimit = lambda self, limit: False
import pyspark_sqldb
source = pyspark_sqldb.SqlDb({{"url": "sqlite:{path}", "table": "t",
                               "partitionColumn": "id", "numPartitions": "2"}})
reader = source.reader(source.schema())
taken = reader.pushLimit(3)
rows = [sum(b.num_rows for b in reader.read(p)) for p in reader.partitions()]
print(taken, rows)
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "[3,", "3]"]


def test_conn_options_are_settings_of_every_connection(spark, pg):
    # Options under the `conn.` prefix pass through to PostgreSQL as run-time settings, from the
    # moment each connection opens: the query sees them (a value with a space included).
    df = read(
        spark,
        pg,
        query="SELECT current_setting('statement_timeout') AS timeout, "
        "current_setting('application_name') AS app, current_setting('search_path') AS path",
        **{
            "conn.statement_timeout": "1234",
            "conn.application_name": "spark test",
            "conn.search_path": "public, pg_catalog",
        },
    )
    assert df.collect() == [("1234ms", "spark test", "public, pg_catalog")]
    # Reads stay read-only: sqldb's own settings cannot be undone, and SQLite has none.
    with pytest.raises(Exception) as error:
        read(spark, pg, table="people", **{"conn.default_transaction_read_only": "off"}).schema
    assert "option `conn.default_transaction_read_only`: sqldb sets" in str(error.value)
    with pytest.raises(Exception) as error:
        spark.read.format("sqldb").option("url", "sqlite:/nowhere.db").option(
            "table", "t"
        ).option("conn.journal_mode", "wal").load()
    assert "the `conn.` options are PostgreSQL settings" in str(error.value)
