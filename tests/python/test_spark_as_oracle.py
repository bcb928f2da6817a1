"""Spark's own readers as the oracle, for every Spark type, both ways, in a UTC and a non-UTC
session: what the SDK parses reads as Spark's readers read the same bytes (`tail` against
`spark.read.json`, the `arrow` source against `spark.read.parquet`), and what the `files` sink
writes, Spark's readers read back equal."""

import importlib.util
import os

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ZONES = ["UTC", "America/New_York"]


def json_cases():
    """Every hostile JSON value per type that tests/spark-answers/json_oracle.py asks Spark."""
    path = os.path.join(HERE, "..", "spark-answers", "json_oracle.py")
    spec = importlib.util.spec_from_file_location("json_oracle", path)
    oracle = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(oracle)
    return oracle.TYPE_CASES


@pytest.fixture
def zone(spark, request):
    spark.conf.set("spark.sql.session.timeZone", request.param)
    yield request.param
    spark.conf.set("spark.sql.session.timeZone", "UTC")


def shown(schema):
    """SQL that shows each column as text the same way for both sides: binary in hex, nested
    values as JSON (nulls written), the rest cast to STRING (in the session's zone)."""
    exprs = []
    for field in schema.fields:
        name = f"`{field.name}`"
        kind = field.dataType.typeName()
        if kind == "binary":
            exprs.append(f"hex({name}) AS {name}")
        elif kind in ("array", "map", "struct"):
            exprs.append(f"to_json({name}, map('ignoreNullFields', 'false')) AS {name}")
        else:
            exprs.append(f"CAST({name} AS STRING) AS {name}")
    return exprs


def rows_of(df, show=True):
    """The rows as text (see `shown`), ordered by their first column, `k`."""
    if show:
        df = df.selectExpr(*shown(df.schema))
    return sorted((tuple(row) for row in df.collect()),
                  key=lambda row: (row[0] is None, int(row[0]) if row[0] is not None else 0,
                                   str(row)))


def differences(ours, theirs, names):
    lines = []
    for a, b in zip(ours, theirs):
        if a != b:
            changed = [f"{n}: ours {x!r}, Spark {y!r}" for n, x, y in zip(names, a, b) if x != y]
            lines.append(f"k={b[0]}: " + "; ".join(changed))
    if len(ours) != len(theirs):
        lines.append(f"{len(ours)} rows, Spark {len(theirs)}")
    return lines


def tail_read(spark, directory, schema, name, **options):
    """The rows of everything in `directory`, read by a `tail` stream with `schema`
    (availableNow), as text (shown in the stream: the memory sink cannot hold every value
    Spark can, such as a timestamp past year 9999)."""
    reader = spark.readStream.format("tail").schema(schema).option("path", str(directory))
    for key, value in options.items():
        reader = reader.option(key, value)
    stream = reader.load()
    query = (stream.selectExpr(*shown(stream.schema)).writeStream.format("memory")
             .queryName(name).trigger(availableNow=True).start())
    query.awaitTermination(300)
    if query.exception():
        raise query.exception()
    return rows_of(spark.table(name), show=False)


@pytest.mark.parametrize("zone", ZONES, indirect=True)
def test_tail_parses_hostile_json_as_spark_does(spark, tmp_path, zone):
    cases = json_cases()
    columns = [f"c{index} {ddl}" for index, (ddl, _) in enumerate(cases)]
    schema = ", ".join(["k INT"] + columns + ["_corrupt_record STRING"])
    lines = []
    for index, (_, raws) in enumerate(cases):
        for raw in raws:
            lines.append('{"k":%d,"c%d":%s}' % (len(lines), index, raw))
    # Records Spark's line reader splits at a lone \r; a blank line; an array of records.
    lines.append('{"k":%d}\r{"k":%d}' % (len(lines), len(lines) + 1))
    lines.append("")
    lines.append('[{"k":%d},{"k":%d,"c3":"x"}]' % (len(lines) + 2, len(lines) + 3))
    directory = tmp_path / "events"
    directory.mkdir()
    (directory / "hostile.jsonl").write_bytes(("\n".join(lines) + "\n").encode())

    theirs = spark.read.schema(schema).json(str(directory))
    ours = tail_read(spark, directory, schema, f"hostile_{zone.replace('/', '_')}",
                     mode="PERMISSIVE")
    names = theirs.columns
    expected = rows_of(theirs)
    assert len(expected) > 600
    wrong = differences(ours, expected, names)
    assert not wrong, f"{len(wrong)} rows differ:\n" + "\n".join(wrong[:30])

    dropped = spark.read.schema(schema).option("mode", "DROPMALFORMED").json(str(directory))
    ours = tail_read(spark, directory, schema, f"dropped_{zone.replace('/', '_')}",
                     mode="DROPMALFORMED")
    assert ours == rows_of(dropped)


EVERY_TYPE = """
SELECT * FROM VALUES
  (1, true, CAST(-128 AS TINYINT), CAST(32767 AS SMALLINT), 2147483647, 9223372036854775807L,
   CAST('NaN' AS FLOAT), CAST('-Infinity' AS DOUBLE),
   CAST('-12345678901234567890.123456789012345678' AS DECIMAL(38,18)),
   'h\u00e9llo "q" \\\\ \n\t\u0001', X'00FF10', DATE'1900-01-01',
   TIMESTAMP'2020-03-08 02:30:00.123456', TIMESTAMP_NTZ'2020-01-01 00:00:00.123456',
   array(1.5D, NULL, CAST('Infinity' AS DOUBLE)), map('a', 1, 'b', NULL),
   named_struct('x', 1, 'y', array(named_struct('z', 'q'), named_struct('z', NULL))),
   CAST(0.1 AS FLOAT), -0.0D),
  (2, false, CAST(127 AS TINYINT), CAST(-32768 AS SMALLINT), -2147483648,
   -9223372036854775808L, CAST('Infinity' AS FLOAT), 1e308D,
   CAST('0.000000000000000001' AS DECIMAL(38,18)), '', X'', DATE'9999-12-31',
   TIMESTAMP'2020-11-01 01:30:00', TIMESTAMP_NTZ'9999-12-31 23:59:59.999999',
   array(), map(), named_struct('x', NULL, 'y', array()), CAST(-3.4028235e38 AS FLOAT), 4.9e-324D),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
   NULL, NULL, NULL)
AS t(k, b, tiny, small, i, l, f, d, m, s, bin, day, at, wall, tags, props, nested, f2, d2)
"""


def every_type(spark):
    return spark.sql(EVERY_TYPE)


@pytest.mark.parametrize("zone", ZONES, indirect=True)
def test_tail_reads_what_spark_writes_as_spark_reads_it(spark, tmp_path, zone):
    df = every_type(spark)
    directory = tmp_path / "written"
    df.coalesce(1).write.json(str(directory))
    # Spark names its files part-*.json: follow those.
    theirs = spark.read.schema(df.schema).json(str(directory))
    ours = tail_read(spark, directory, df.schema, f"written_{zone.replace('/', '_')}",
                     suffix=".json")
    assert ours == rows_of(theirs)
    assert len(ours) == 3 and ours[0][1] == "true", "something was read"


@pytest.mark.parametrize("zone", ZONES, indirect=True)
@pytest.mark.parametrize("timestamps", ["INT96", "TIMESTAMP_MICROS", "TIMESTAMP_MILLIS"])
def test_the_arrow_source_reads_sparks_parquet_as_spark_does(spark, tmp_path, zone, timestamps):
    spark.conf.set("spark.sql.parquet.outputTimestampType", timestamps)
    try:
        df = every_type(spark)
        directory = tmp_path / "parquet"
        df.write.parquet(str(directory))
    finally:
        spark.conf.unset("spark.sql.parquet.outputTimestampType")
    theirs = spark.read.parquet(str(directory))
    ours = spark.read.format("arrow").load(str(directory))
    assert ours.schema.simpleString() == theirs.schema.simpleString()
    assert rows_of(ours) == rows_of(theirs)


@pytest.mark.parametrize("zone", ZONES, indirect=True)
@pytest.mark.parametrize("file_format", ["parquet", "jsonl"])
def test_spark_reads_back_what_the_files_sink_writes(spark, tmp_path, zone, file_format):
    df = every_type(spark)
    directory = tmp_path / "sunk"
    df.write.format("files").option("format", file_format).mode("append").save(str(directory))
    if file_format == "parquet":
        theirs = spark.read.parquet(str(directory))
        assert theirs.schema.simpleString() == df.schema.simpleString()
    else:
        assert any(name.endswith(".jsonl") for name in os.listdir(directory))
        theirs = spark.read.schema(df.schema).json(str(directory))
    expected = rows_of(df)
    got = rows_of(theirs)
    wrong = differences(got, expected, df.columns)
    assert not wrong, "\n".join(wrong)
    assert len(got) == 3 and got[0][1] == "true", "something was read"
