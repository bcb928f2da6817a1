"""fakepeople through real PySpark: schema, values, partitions, options, errors, pickling.
This module never calls register(): every read here relies on Spark's auto-registration of
the `pyspark_fakepeople` module's DefaultSource."""

import pickle

import pyarrow as pa
import pytest
from pyspark.sql.datasource import DataSource, DataSourceReader, InputPartition
from pyspark.sql.pandas.types import to_arrow_schema
from pyspark.sql.types import (
    ArrayType,
    BinaryType,
    BooleanType,
    ByteType,
    DateType,
    DecimalType,
    DoubleType,
    FloatType,
    IntegerType,
    LongType,
    MapType,
    ShortType,
    StringType,
    StructField,
    StructType,
    TimestampNTZType,
    TimestampType,
)

import pyspark_fakepeople
from expected_people import person

EXPECTED_SCHEMA = StructType(
    [
        StructField("id", LongType(), False, {"comment": "Unique row number."}),
        StructField("name", StringType(), False, {"comment": "First and last name."}),
        StructField(
            "email",
            StringType(),
            True,
            {"comment": "`first.last<id>@example.com`, or missing (`nullEmailRate`)."},
        ),
        StructField("born", DateType(), False, {"comment": "Date of birth, from 1950 to 2004."}),
        StructField(
            "signed_up",
            TimestampType(),
            False,
            {"comment": "When the person signed up (an instant), from 2015 to 2024."},
        ),
        StructField(
            "last_login",
            TimestampNTZType(),
            True,
            {"comment": "Local wall-clock time of the last login (no time zone)."},
        ),
        StructField("score", DoubleType(), False, {"comment": "A score from 0 to 100 (`DOUBLE`)."}),
        StructField(
            "rating",
            FloatType(),
            False,
            {"comment": "A rating from 0 to 4.9, in tenths (`FLOAT`)."},
        ),
        StructField(
            "balance",
            DecimalType(12, 2),
            False,
            {"comment": "Account balance, to the cent (`DECIMAL(12,2)`)."},
        ),
        StructField("active", BooleanType(), False, {"comment": "Whether the account is active."}),
        StructField("level", ByteType(), False, {"comment": "Level from 0 to 9 (`TINYINT`)."}),
        StructField(
            "floor",
            ShortType(),
            False,
            {"comment": "The floor lived on, from -100 to 199 (`SMALLINT`)."},
        ),
        StructField(
            "visits",
            IntegerType(),
            False,
            {"comment": "A visit count: any `INT`, negative ones too (random bits)."},
        ),
        StructField(
            "avatar",
            BinaryType(),
            False,
            {"comment": "Four bytes of picture (`BINARY`)."},
        ),
        StructField(
            "address",
            StructType(
                [
                    StructField(
                        "street",
                        StringType(),
                        False,
                        {"comment": "House number and street."},
                    ),
                    StructField(
                        "city",
                        StringType(),
                        False,
                        {"comment": "A city of the `country` option's country."},
                    ),
                    StructField("zip", StringType(), True, {"comment": "Missing for some people."}),
                ]
            ),
            False,
            {"comment": "Where the person lives (`STRUCT`)."},
        ),
        StructField(
            "tags",
            ArrayType(StringType(), False),
            False,
            {"comment": "Up to three tags, repeats possible (`ARRAY<STRING>`)."},
        ),
        StructField(
            "counters",
            MapType(StringType(), LongType(), False),
            False,
            {"comment": "Activity counts, `logins` and `purchases` (`MAP<STRING, BIGINT>`)."},
        ),
    ]
)


def load(spark, **options):
    return spark.read.format("fakepeople").options(**{k: str(v) for k, v in options.items()}).load()


def test_auto_registration_needs_no_register_call(spark):
    # No register() anywhere in this module: Spark found pyspark_fakepeople.DefaultSource.
    assert pyspark_fakepeople.DefaultSource is pyspark_fakepeople.FakePeople
    assert pyspark_fakepeople.DefaultSource.name() == "fakepeople"
    assert load(spark, numRows=3).count() == 3


def test_schema_is_the_expected_struct_type(spark):
    assert load(spark).schema == EXPECTED_SCHEMA


def test_every_value_matches_the_generator(spark):
    rows = load(spark, numRows=500, numPartitions=3).orderBy("id").collect()
    assert len(rows) == 500
    for row in rows:
        assert tuple(row) == person(row.id), f"row {row.id}"
    # The sample exercises nulls and non-nulls in every nullable column.
    for column in ("email", "last_login"):
        values = [row[column] for row in rows]
        assert None in values and any(v is not None for v in values), column
    assert None in [row.address.zip for row in rows]


def test_options_change_the_rows(spark):
    rows = load(spark, numRows=50, seed=7, nullEmailRate=1, country="FR").collect()
    assert all(row.email is None for row in rows)
    assert {row.address.city for row in rows} <= {"Paris", "Lyon", "Marseille"}
    assert sorted(tuple(r) for r in rows) == sorted(
        person(i, seed=7, null_email_rate=1.0, country="fr") for i in range(50)
    )


@pytest.mark.parametrize("partitions", [1, 3, 8])
def test_partitions_split_rows_without_gaps_or_repeats(spark, partitions):
    df = load(spark, numRows=1001, numPartitions=partitions)
    assert df.rdd.getNumPartitions() == partitions
    ids = [row.id for row in df.select("id").collect()]
    assert len(ids) == 1001
    assert sorted(ids) == list(range(1001))


def test_same_seed_same_rows_whatever_the_partitioning(spark):
    one = load(spark, numRows=200, numPartitions=1).orderBy("id").collect()
    seven = load(spark, numRows=200, numPartitions=7).orderBy("id").collect()
    assert one == seven


def test_zero_rows(spark):
    assert load(spark, numRows=0).count() == 0


def test_bad_value_names_option_value_and_expectation(spark):
    with pytest.raises(Exception) as error:
        load(spark, numPartitions=0).count()
    message = str(error.value)
    assert "data source `fakepeople`" in message
    assert "option `numPartitions`: got `0`, expected a whole number" in message
    assert "in 1..=1024" in message


def test_unknown_option_suggests_the_nearest(spark):
    with pytest.raises(Exception) as error:
        load(spark, numPartitons=2).count()
    message = str(error.value)
    assert "unknown option `numpartitons`; did you mean `numPartitions`?" in message
    assert "valid options: numRows, numPartitions, seed, nullEmailRate, country" in message


def test_every_problem_is_listed_at_once(spark):
    with pytest.raises(Exception) as error:
        load(spark, numRows="lots", nullEmailRate=2, country="it", colour="red").count()
    message = str(error.value)
    assert "4 invalid options" in message
    assert "option `numRows`: got `lots`" in message
    assert "option `nullEmailRate`: got `2`, expected a number in 0.0..=1.0" in message
    assert "option `country`: got `it`, expected one of `us`, `de`, `fr`" in message
    assert "unknown option `colour`" in message


def test_user_schema_may_select_a_subset_of_columns(spark):
    df = (
        spark.read.format("fakepeople")
        .schema("name STRING, id BIGINT")  # reordered, and id widened to nullable
        .option("numRows", "20")
        .load()
    )
    rows = df.orderBy("id").collect()
    assert [tuple(r) for r in rows] == [(person(i)[1], i) for i in range(20)]


def test_user_schema_that_does_not_match_is_refused_by_column(spark):
    with pytest.raises(Exception) as error:
        spark.read.format("fakepeople").schema("id STRING, nope INT").load().collect()
    message = str(error.value)
    assert "column `id` is BIGINT but the given schema says STRING" in message
    assert "column `nope` does not exist" in message


def test_classes_are_real_pyspark_data_source_classes():
    source = pyspark_fakepeople.FakePeople({"numrows": "10", "numpartitions": "3"})
    assert isinstance(source, DataSource)
    reader = source.reader(source.schema())
    assert isinstance(reader, DataSourceReader)
    partitions = reader.partitions()
    assert len(partitions) == 3
    assert all(isinstance(p, InputPartition) for p in partitions)
    assert "numPartitions" in pyspark_fakepeople.FakePeople.__doc__


def test_reader_and_partitions_survive_pickling():
    from pyspark import cloudpickle

    source = pyspark_fakepeople.FakePeople({"numrows": "10", "numpartitions": "2", "seed": "5"})
    reader = source.reader(source.schema())
    for dumps in (pickle.dumps, cloudpickle.dumps):
        copy = pickle.loads(dumps(reader))
        partitions = [pickle.loads(dumps(p)) for p in copy.partitions()]
        ids = [i for p in partitions for b in copy.read(p) for i in b.column("id").to_pylist()]
        assert ids == list(range(10))
    # The source pickles by reference to the installed module.
    assert (
        pickle.loads(cloudpickle.dumps(pyspark_fakepeople.FakePeople))
        is pyspark_fakepeople.FakePeople
    )


def test_batches_are_pyarrow_with_exactly_sparks_arrow_schema():
    source = pyspark_fakepeople.FakePeople({"numrows": "5"})
    reader = source.reader(source.schema())
    batches = list(reader.read(reader.partitions()[0]))
    assert batches and all(isinstance(b, pa.RecordBatch) for b in batches)
    try:  # PySpark 4.1+ takes the zone; 4.0 always converts TimestampType to UTC
        expected = to_arrow_schema(EXPECTED_SCHEMA, timezone="UTC")
    except TypeError:
        expected = to_arrow_schema(EXPECTED_SCHEMA)
    assert batches[0].schema.equals(expected), f"{batches[0].schema}\n!=\n{expected}"
    # Field names of nested types count too (PySpark 4.3 compares them).
    assert batches[0].schema.field("tags").type.value_field.name == "element"
    assert batches[0].schema.field("counters").type.key_field.name == "key"
