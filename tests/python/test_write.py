"""Batch writes: every Spark type through a Rust sink and back, commit, abort, overwrite, the
schema check at save(), and writers and commit messages through pickle."""

import json
import os
import pickle

import pyarrow as pa
import pytest

import pyspark_fakepeople
import pyspark_fakerange
import pyspark_filesink

from files_sink import write_files

# Spark hands writers TIMESTAMP columns in the session's time zone: not UTC here, on purpose.
SESSION_ZONE = "America/New_York"


@pytest.fixture(scope="module")
def session(spark):
    pyspark_fakepeople.register(spark)
    pyspark_fakerange.register(spark)
    pyspark_filesink.register(spark)
    spark.conf.set("spark.sql.session.timeZone", SESSION_ZONE)
    yield spark
    spark.conf.set("spark.sql.session.timeZone", "UTC")


def source(spark, name, **options):
    reader = spark.read.format(name)
    for key, value in options.items():
        reader = reader.option(key, str(value))
    return reader.load()


def files_in(directory):
    """Every file under `directory`, relative to it, with its size."""
    found = {}
    for root, _, names in os.walk(directory):
        for name in names:
            path = os.path.join(root, name)
            found[os.path.relpath(path, directory)] = os.path.getsize(path)
    return found


def published(directory):
    return sorted(name for name in files_in(directory) if name.startswith("part-"))


def data_and_manifests(directory):
    """`files_in`, but not the sink's bookkeeping under `_commits/` (its commit lock, and the
    marks of ended writes that tell a task still running to remove what it stages)."""
    found = files_in(directory)
    return {name: size for name, size in found.items() if not name.startswith("_commits/")}


# -- round trips --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["fakepeople", "fakewide"])
def test_every_type_round_trips_through_parquet(session, tmp_path, name):
    df = source(session, name, numRows=3000, numPartitions=3)
    write_files(df, tmp_path)
    assert len(published(tmp_path)) == 3
    back = session.read.parquet(str(tmp_path))
    # Spark reads every Parquet column back as nullable: the types themselves must be equal.
    assert back.schema.simpleString() == df.schema.simpleString()
    # Read back in the same session (same zone), row for row, value for value.
    assert back.orderBy("id").collect() == df.orderBy("id").collect()


def test_json_lines_round_trip(session, tmp_path):
    df = source(session, "fakerange", numRows=5000, numPartitions=2)
    write_files(df, tmp_path, format="jsonl")
    names = published(tmp_path)
    assert names and all(name.endswith(".jsonl") for name in names)
    back = session.read.schema(df.schema).json(str(tmp_path))
    assert back.orderBy("id").collect() == df.orderBy("id").collect()


def test_the_manifest_names_every_published_file(session, tmp_path):
    write_files(source(session, "fakerange", numRows=1000, numPartitions=4), tmp_path)
    manifest = json.loads((tmp_path / "_SUCCESS").read_text())
    assert manifest["rows"] == 1000
    assert sorted(os.path.basename(f) for f in manifest["files"]) == published(tmp_path)
    assert not (tmp_path / "_staging").exists()


def test_an_empty_write_publishes_nothing_but_succeeds(session, tmp_path):
    write_files(source(session, "fakerange", numRows=0, numPartitions=2), tmp_path)
    assert published(tmp_path) == []
    assert json.loads((tmp_path / "_SUCCESS").read_text())["rows"] == 0


# -- commit, abort, overwrite -------------------------------------------------------------


def test_append_adds_and_overwrite_replaces_at_commit(session, tmp_path):
    # save(path) is the `path` option; Spark refuses its default mode (ErrorIfExists) for
    # Python data sources, so append is spelled out.
    df = source(session, "fakerange", numRows=10, numPartitions=2)
    df.write.format("files").mode("append").save(str(tmp_path))
    write_files(source(session, "fakerange", numRows=5, numPartitions=1), tmp_path)
    assert session.read.parquet(str(tmp_path)).count() == 15
    write_files(source(session, "fakerange", numRows=3, numPartitions=1), tmp_path, "overwrite")
    back = session.read.parquet(str(tmp_path))
    assert sorted(r.id for r in back.collect()) == [0, 1, 2]


@pytest.mark.parametrize("failure", ["failOnTask", "panicOnTask"])
def test_a_failed_task_aborts_and_leaves_the_target_unchanged(session, tmp_path, failure):
    write_files(source(session, "fakerange", numRows=100, numPartitions=2), tmp_path)
    before = data_and_manifests(tmp_path)
    df = source(session, "fakerange", numRows=1000, numPartitions=3)
    with pytest.raises(Exception) as error:
        write_files(df, tmp_path, "overwrite", **{failure: 1})
    message = str(error.value)
    if failure == "failOnTask":
        # The sink's name and the Rust error, as the task raised it.
        assert "files" in message and "asked to fail task 1 (its file is staged)" in message
    else:
        assert "panicked" in message and "asked to panic in task 1" in message
    assert data_and_manifests(tmp_path) == before, "abort left the target as it was"
    # A later write succeeds and the earlier output is still there.
    write_files(df, tmp_path)
    assert session.read.parquet(str(tmp_path)).count() == 1100


def test_a_write_that_cannot_create_its_directory_names_the_path(session, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(Exception) as error:
        write_files(source(session, "fakerange", numRows=10), blocker / "out")
    assert "cannot create" in str(error.value) and str(blocker) in str(error.value)


# -- typed rows in: the round trip through fakesink ---------------------------------------


def fakesink(df, report, **options):
    writer = df.write.format("fakesink").mode("append").option("report", str(report))
    for key, value in options.items():
        writer = writer.option(key, str(value))
    writer.save()
    return json.loads(report.read_text())


@pytest.mark.parametrize("name,rows", [("fakerange", "range"), ("fakewide", "wide"), ("fakepeople", "people")])
def test_typed_rows_decode_to_what_the_source_generated(session, tmp_path, name, rows):
    df = source(session, name, numRows=4000, numPartitions=3)
    tally = fakesink(df, tmp_path / "report.json", rows=rows)
    assert tally == {"rows": 4000, "mismatches": 0}


def test_a_changed_row_is_a_mismatch(session, tmp_path):
    # The check can fail: one label changed is one mismatch.
    df = source(session, "fakerange", numRows=100).selectExpr(
        "id", "value", "if(id = 7, 'changed', label) as label"
    )
    assert fakesink(df, tmp_path / "report.json", rows="range") == {"rows": 100, "mismatches": 1}


def test_safe_widenings_are_taken(session, tmp_path):
    # INT ids widen to the sink's BIGINT; FLOAT values to its DOUBLE.
    df = source(session, "fakerange", numRows=500).selectExpr(
        "cast(id as int) as id", "cast(value as float) as value", "label"
    )
    assert fakesink(df, tmp_path / "report.json", rows="range") == {"rows": 500, "mismatches": 0}


def test_columns_are_matched_by_name_not_position(session, tmp_path):
    df = source(session, "fakerange", numRows=300).select("label", "id", "value")
    assert fakesink(df, tmp_path / "report.json", rows="range") == {"rows": 300, "mismatches": 0}


def jobs_run(spark, group, action):
    spark.sparkContext.setJobGroup(group, group)
    try:
        action()
    finally:
        spark.sparkContext.setLocalProperty("spark.jobGroup.id", None)
    return spark.sparkContext.statusTracker().getJobIdsForGroup(group)


def test_a_schema_mismatch_is_refused_at_save_before_any_task(session, tmp_path):
    df = source(session, "fakerange", numRows=100).selectExpr(
        "cast(id as string) as id", "value", "cast(null as string) as label", "1 as extra"
    )
    report = tmp_path / "report.json"
    errors = []

    def save():
        with pytest.raises(Exception) as error:
            fakesink(df, report, rows="range")
        errors.append(str(error.value))

    assert jobs_run(session, "refused-write", save) == [], "no Spark job started"
    message = errors[0]
    assert "fakesink" in message
    assert "`id`" in message and "STRING" in message and "BIGINT" in message
    assert "`label`" in message and "null" in message
    assert "`extra`" in message
    assert not report.exists()


def test_a_files_target_with_a_missing_column_is_not_needed(session, tmp_path):
    # `files` takes any schema: a frame with one column is written as it is.
    write_files(source(session, "fakerange", numRows=20).select("label"), tmp_path)
    assert session.read.parquet(str(tmp_path)).columns == ["label"]


# -- the write protocol through pickle, as Spark runs it across processes ------------------


def test_writers_and_commit_messages_survive_pickle(session, tmp_path):
    from pyspark.sql.types import DoubleType, LongType, StringType, StructField, StructType

    schema = StructType(
        [
            StructField("id", LongType(), False),
            StructField("value", DoubleType(), False),
            StructField("label", StringType(), False),
        ]
    )
    source_class = pyspark_fakerange.FakeSink
    report = tmp_path / "report.json"
    sink = source_class({"rows": "range", "report": str(report)})
    writer = pickle.loads(pickle.dumps(sink.writer(schema, False)))  # driver → executor
    batch = pa.RecordBatch.from_pydict(
        {"id": [0, 1, 2], "value": [0.0, 0.5, 9.0], "label": ["row-0", "row-1", "row-2"]},
        schema=pa.schema(
            [
                pa.field("id", pa.int64(), False),
                pa.field("value", pa.float64(), False),
                pa.field("label", pa.string(), False),
            ]
        ),
    )
    message = writer.write(iter([batch]))
    from pyspark.sql.datasource import WriterCommitMessage

    assert isinstance(message, WriterCommitMessage)
    message = pickle.loads(pickle.dumps(message))  # executor → driver
    committer = pickle.loads(pickle.dumps(writer))
    committer.commit([message])
    assert json.loads(report.read_text()) == {"rows": 3, "mismatches": 1}


def test_an_abort_with_failed_tasks_removes_what_was_staged(session, tmp_path):
    from pyspark.sql.types import LongType, StructField, StructType

    schema = StructType([StructField("id", LongType(), False)])
    sink = pyspark_filesink.Files({"path": str(tmp_path)})
    writer = pickle.loads(pickle.dumps(sink.writer(schema, False)))
    batch = pa.RecordBatch.from_pydict({"id": [1, 2, 3]})
    message = pickle.loads(pickle.dumps(writer.write(iter([batch]))))
    assert files_in(tmp_path / "_staging"), "the task staged its file"
    writer.abort([message, None])  # the second task failed
    assert data_and_manifests(tmp_path) == {}
    # What is left: the mark that the write ended, for a task of it still running.
    assert [name for name in files_in(tmp_path) if not name.endswith(".ended")] == []
