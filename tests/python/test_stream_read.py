"""Streaming reads through real Structured Streaming: the `tail` source over a growing directory,
`fakestream` (a simple reader, read on the driver and replayed on executors) and `sdk_calls`
(every call logged), in micro-batches, under read limits, with AvailableNow, across a crash."""

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time

import pyspark
import pytest
from pyspark.sql.functions import to_json

from tail_lines import append, lines, starts

PYSPARK = tuple(int(part) for part in pyspark.__version__.split(".")[:2])


@pytest.fixture(scope="module")
def session(spark):
    import pyspark_fakepeople
    import pyspark_sdk_fixtures

    pyspark_fakepeople.register(spark)
    pyspark_sdk_fixtures.register(spark)
    return spark


def batch_sizes(query):
    return [p["numInputRows"] for p in query.recentProgress if p["numInputRows"] > 0]


def memory_query(df, name, **options):
    writer = df.writeStream.format("memory").queryName(name)
    for key, value in options.items():
        writer = writer.option(key, value)
    return writer.start()


# -- tail: a directory that grows ----------------------------------------------------------------


def test_tail_reads_appended_lines_new_files_and_waits_for_partial_lines(session, tmp_path):
    append(tmp_path / "a.jsonl", lines("a", 0, 3))
    df = session.readStream.format("tail").option("path", str(tmp_path)).load()
    assert [f.name for f in df.schema.fields] == ["value", "file", "position"]
    query = memory_query(df, "tail_growing")
    try:
        query.processAllAvailable()
        append(tmp_path / "a.jsonl", lines("a", 3, 2) + '{"n": 5, "src"')
        append(tmp_path / "b.jsonl", lines("b", 0, 2))
        query.processAllAvailable()
        seen = session.sql("select value, file, position from tail_growing").collect()
        assert sorted((r.file, r.position, r.value) for r in seen) == (
            starts("a.jsonl", lines("a", 0, 5)) + starts("b.jsonl", lines("b", 0, 2))
        )
        assert not any('"n": 5' in r.value for r in seen), "the partial line waits"
        append(tmp_path / "a.jsonl", ': "a"}\n')
        query.processAllAvailable()
        parsed = session.sql(
            "select from_json(value, 'n INT, src STRING') as e from tail_growing"
        ).select("e.*")
        assert sorted((r.src, r.n) for r in parsed.collect()) == sorted(
            [("a", i) for i in range(6)] + [("b", i) for i in range(2)]
        )
        assert len(batch_sizes(query)) >= 3
    finally:
        query.stop()


@pytest.mark.skipif(
    PYSPARK < (4, 2),
    reason="PySpark 4.0 has no admission control for Python sources: it calls latestOffset() "
    "with no limit, and every micro-batch takes all that is available",
)
def test_max_rows_per_trigger_caps_every_micro_batch(session, tmp_path):
    append(tmp_path / "a.jsonl", lines("a", 0, 23))
    df = (
        session.readStream.format("tail")
        .option("path", str(tmp_path))
        .option("maxRowsPerTrigger", 5)
        .load()
    )
    query = memory_query(df, "tail_limited")
    try:
        query.processAllAvailable()
        assert batch_sizes(query) == [5, 5, 5, 5, 3]
        assert session.sql("select count(distinct position) from tail_limited").first()[0] == 23
    finally:
        query.stop()


def test_query_progress_shows_how_far_the_files_go(session, tmp_path):
    append(tmp_path / "a.jsonl", lines("a", 0, 12))
    size = (tmp_path / "a.jsonl").stat().st_size
    df = (
        session.readStream.format("tail")
        .option("path", str(tmp_path))
        .option("maxRowsPerTrigger", 5)
        .load()
    )
    query = memory_query(df, "tail_progress")
    try:
        query.processAllAvailable()
        # As Spark's JSON (PySpark 4.0's objects give offsets as Python's text of a dict).
        progress = [
            json.loads(p.json)["sources"][0] for p in query.recentProgress if p["numInputRows"] > 0
        ]
    finally:
        query.stop()
    assert progress[-1]["latestOffset"] == {"files": {"a.jsonl": size}}
    if PYSPARK >= (4, 2):
        # reportLatestOffset(): while the limit holds the query back, its progress shows where
        # the files end beside its own end.
        assert [p["latestOffset"] for p in progress] == [{"files": {"a.jsonl": size}}] * 3
        assert progress[0]["endOffset"] != progress[0]["latestOffset"]
    else:
        # PySpark 4.0 never asks a Python source: Spark shows the batch's end (there is one
        # batch: no admission control).
        assert progress[0]["endOffset"] == progress[0]["latestOffset"]


def test_available_now_reads_what_exists_and_stops(session, tmp_path):
    append(tmp_path / "a.jsonl", lines("a", 0, 10))
    append(tmp_path / "b.jsonl", lines("b", 0, 4))
    df = (
        session.readStream.format("tail")
        .option("path", str(tmp_path))
        .option("maxRowsPerTrigger", 4)
        .load()
    )
    query = df.writeStream.format("memory").queryName("tail_now").trigger(availableNow=True).start()
    assert query.awaitTermination(120), "the query stopped by itself"
    assert session.sql("select count(*) from tail_now").first()[0] == 14
    if PYSPARK >= (4, 2):
        # The source supports AvailableNow: the limit holds in every batch.
        assert batch_sizes(query) == [4, 4, 4, 2]
    else:
        # PySpark 4.0 runs AvailableNow for a Python source as one batch, without a limit.
        assert batch_sizes(query) == [14]


def test_with_a_schema_each_line_is_parsed_as_a_json_record_in_rust(session, tmp_path):
    append(tmp_path / "a.jsonl", "".join(f'{{"id": {i}, "tags": ["t{i}"]}}\n' for i in range(5)))
    append(tmp_path / "a.jsonl", '{"id": 5, "extra": true}\n\n')
    df = (
        session.readStream.format("tail")
        .schema("id BIGINT, tags ARRAY<STRING>, missing STRING")
        .option("path", str(tmp_path))
        .load()
    )
    query = df.writeStream.format("memory").queryName("tail_json").trigger(availableNow=True).start()
    assert query.awaitTermination(120), "the query stopped by itself"
    rows = sorted(session.sql("select * from tail_json").collect())
    assert [tuple(row) for row in rows] == [(i, [f"t{i}"], None) for i in range(5)] + [(5, None, None)]

    # A line that is not a record of the schema fails the query, and says where it is.
    append(tmp_path / "b.jsonl", '{"id": "six"}\n')
    failing = df.writeStream.format("memory").queryName("tail_bad").trigger(availableNow=True).start()
    with pytest.raises(Exception, match=r"tail: .*b\.jsonl"):
        failing.awaitTermination(120)


def test_options_are_checked_before_the_stream_starts(session):
    with pytest.raises(Exception) as error:
        session.readStream.format("tail").option("maxRowsPerTrigger", "0").load()
    message = str(error.value)
    assert "`path` is required" in message and "maxRowsPerTrigger" in message, message


# -- the calls Spark makes, and offsets --------------------------------------------------------


def forget_commit(checkpoint, batch):
    """Removes the record that `batch` was committed (and its checksum file)."""
    for name in (str(batch), f".{batch}.crc"):
        (checkpoint / "commits" / name).unlink()


def calls(log):
    return log.read_text().splitlines() if log.exists() else []


def wait_for_line(log, line, timeout=30):
    deadline = time.monotonic() + timeout
    while line not in calls(log):
        assert time.monotonic() < deadline, f"`{line}` never logged: {calls(log)}"
        time.sleep(0.1)


def calls_stream(session, log, **options):
    reader = session.readStream.format("sdk_calls").option("log", str(log))
    for key, value in options.items():
        reader = reader.option(key, value)
    return reader.load()


def test_commit_and_stop_reach_the_source(session, tmp_path):
    log, available = tmp_path / "calls.log", tmp_path / "available"
    available.write_text("3")
    query = memory_query(calls_stream(session, log, available=str(available)), "calls_stream")
    for rows in (3, 6, 9):
        available.write_text(str(rows))
        query.processAllAvailable()
    rows = sorted(r.partition for r in session.sql("select * from calls_stream").collect())
    assert rows == list(range(9))
    query.stop()
    wait_for_line(log, "stop")
    logged = calls(log)
    assert "initial" in logged
    # Spark commits a batch's end when it plans the next batch: the last end stays uncommitted.
    assert [line for line in logged if line.startswith("commit")] == ["commit 3", "commit 6"]
    assert [line for line in logged if line.startswith("partitions")] == [
        "partitions 0 3",
        "partitions 3 6",
        "partitions 6 9",
    ]


def test_a_panic_on_the_driver_fails_the_query_with_the_source_named(session, tmp_path):
    log, available = tmp_path / "calls.log", tmp_path / "available"
    available.write_text("2")
    query = memory_query(calls_stream(session, log, available=str(available)), "calls_panic")
    query.processAllAvailable()
    available.write_text("panic")
    with pytest.raises(Exception) as error:
        query.processAllAvailable()
    query.stop()
    message = str(error.value)
    # At offset 2 on every version: 4.0 passes no start, and the SDK passes where the last
    # micro-batch ended.
    assert "sdk_calls: panicked in latestOffset(): asked to panic at offset 2" in message, message


def test_a_corrupted_offset_in_the_checkpoint_is_named_with_its_text(session, tmp_path):
    log, checkpoint = tmp_path / "calls.log", tmp_path / "checkpoint"

    def start():
        writer = calls_stream(session, log).writeStream.format("parquet")
        writer = writer.option("checkpointLocation", str(checkpoint))
        return writer.start(str(tmp_path / "out"))

    query = start()
    query.processAllAvailable()
    query.stop()
    # The last offset file: a version line, Spark's metadata, then the source's offset.
    last = max(int(name) for name in os.listdir(checkpoint / "offsets") if name.isdigit())
    offsets = checkpoint / "offsets" / str(last)
    version, metadata, _ = offsets.read_text().splitlines()
    offsets.write_text(f'{version}\n{metadata}\n{{"offset": "nine"}}')
    forget_commit(checkpoint, last)  # so the batch is planned again from it
    (checkpoint / "offsets" / f".{last}.crc").unlink()  # the edit's checksum no longer holds

    query = start()
    with pytest.raises(Exception) as error:
        query.processAllAvailable()
    query.stop()
    message = str(error.value)
    assert "sdk_calls" in message and "offset does not decode" in message, message
    assert 'got `{"offset": "nine"}`' in message, message


def test_an_edited_checkpoint_cannot_point_tail_outside_its_directory(session, tmp_path):
    # One through Spark; the table of hostile entries is examples/tail's unit test.
    entry = "../secret.jsonl"
    events, checkpoint = tmp_path / "events", tmp_path / "checkpoint"
    events.mkdir()
    (tmp_path / "secret.jsonl").write_text("not to be read\n")
    append(events / "a.jsonl", "one\n")

    def start():
        stream = session.readStream.format("tail").option("path", str(events)).load()
        writer = stream.writeStream.format("parquet").option("checkpointLocation", str(checkpoint))
        return writer.start(str(tmp_path / "out"))

    query = start()
    query.processAllAvailable()
    query.stop()
    offsets = checkpoint / "offsets" / "0"
    version, metadata, offset = offsets.read_text().splitlines()
    offsets.write_text(f"{version}\n{metadata}\n{offset.replace('a.jsonl', entry)}")
    forget_commit(checkpoint, 0)  # so the batch is planned again from it
    (checkpoint / "offsets" / ".0.crc").unlink()

    query = start()
    with pytest.raises(Exception) as error:
        query.processAllAvailable()
    query.stop()
    message = str(error.value)
    assert f'the offset names "{entry}", which is not a file of `{events}`' in message, message
    assert "not to be read" not in message
    assert session.read.parquet(str(tmp_path / "out")).count() == 1


# -- fakestream: a simple reader ---------------------------------------------------------------


def people_stream(session, **options):
    reader = session.readStream.format("fakestream")
    for key, value in options.items():
        reader = reader.option(key, value)
    return reader.load()


def test_a_simple_stream_source_has_the_simple_hooks_only():
    import pyspark_fakepeople
    from pyspark.sql.datasource import SimpleDataSourceStreamReader

    source = pyspark_fakepeople.FakeStream
    # Spark uses `simpleStreamReader` only when the source has no `streamReader`.
    assert {"schema", "simpleStreamReader"} <= set(vars(source))
    assert not {"streamReader", "reader"} & set(vars(source))
    assert issubclass(pyspark_fakepeople.FakeStreamSimpleStreamReader, SimpleDataSourceStreamReader)
    # Spark compares a simple stream's prefetched batches with the schema, field metadata and
    # all: its columns carry no comments (Person's have doc comments).
    assert all(not field.metadata for field in source({}).schema().fields)


def test_the_simple_stream_is_the_batch_source_in_micro_batches(session):
    df = people_stream(session, rowsPerBatch=1000, totalRows=2500, seed=3)
    query = memory_query(df, "people_stream")
    try:
        query.processAllAvailable()
        assert batch_sizes(query) == [1000, 1000, 500]
    finally:
        query.stop()
    # Set operations take no maps: the counters are compared as JSON.
    comparable = lambda df: df.withColumn("counters", to_json("counters"))  # noqa: E731
    streamed = comparable(session.sql("select * from people_stream"))
    batch = session.read.format("fakepeople").option("numRows", 2500).option("seed", 3).load()
    batch = comparable(batch)
    assert streamed.count() == 2500
    assert streamed.exceptAll(batch).count() == 0 and batch.exceptAll(streamed).count() == 0


def test_a_simple_stream_under_available_now_reads_to_its_end_and_stops(session):
    df = people_stream(session, rowsPerBatch=1000, totalRows=2500)
    query = df.writeStream.format("memory").queryName("people_now")
    query = query.trigger(availableNow=True).start()
    assert query.awaitTermination(120), "the query stopped by itself"
    if PYSPARK >= (4, 2):
        # The reader supports AvailableNow: micro-batches as usual, up to `totalRows`.
        assert batch_sizes(query) == [1000, 1000, 500]
    else:
        # PySpark 4.0 runs AvailableNow for a Python source as one trigger.
        assert batch_sizes(query) == [1000]
    assert session.sql("select count(distinct id) from people_now").first()[0] == sum(
        batch_sizes(query)
    )


def test_a_simple_stream_batch_is_replayed_exactly_after_a_restart(session, tmp_path):
    checkpoint = tmp_path / "checkpoint"
    seen = {}

    def collect(df, batch_id):
        seen.setdefault(batch_id, []).append(sorted(r.id for r in df.select("id").collect()))

    def run():
        df = people_stream(session, rowsPerBatch=700, totalRows=1400)
        query = (
            df.writeStream.foreachBatch(collect).option("checkpointLocation", str(checkpoint)).start()
        )
        query.processAllAvailable()
        query.stop()

    run()
    assert sorted(seen) == [0, 1]
    # Forget that batch 1 was committed: the restarted query runs it again, in a new driver-side
    # process whose cache is empty, so its rows come from `readBetweenOffsets` on an executor.
    forget_commit(checkpoint, 1)
    run()
    assert seen[1] == [list(range(700, 1400))] * 2


# -- a crash: the query's processes killed, lines appended, the query restarted -----------------

QUERY = textwrap.dedent(
    """
    import sys
    from pyspark.sql import SparkSession

    source, target, checkpoint, mode = sys.argv[1:5]
    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    lines = (
        spark.readStream.format("tail")
        .option("path", source)
        .option("maxRowsPerTrigger", 400)
        .option("maxPartitionBytes", 4096)
        .load()
    )
    writer = lines.writeStream.format("parquet").option("path", target)
    writer = writer.option("checkpointLocation", checkpoint)
    if mode == "drain":
        writer.trigger(availableNow=True).start().awaitTermination()
    else:
        writer.trigger(processingTime="100 milliseconds").start().awaitTermination()
    spark.stop()
    """
)


def committed_batches(checkpoint):
    commits = checkpoint / "commits"
    return len([n for n in os.listdir(commits) if n.isdigit()]) if commits.is_dir() else 0


def test_a_query_killed_mid_stream_and_restarted_reads_every_line_once(session, tmp_path):
    script, source = tmp_path / "query.py", tmp_path / "in"
    target, checkpoint = tmp_path / "out", tmp_path / "checkpoint"
    script.write_text(QUERY)
    source.mkdir()
    append(source / "a.jsonl", lines("a", 0, 1))
    total = 1

    def start(mode):
        return subprocess.Popen(
            [sys.executable, str(script), str(source), str(target), str(checkpoint), mode],
            start_new_session=True,  # its own process group: the JVM and workers die with it
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def wait_for_commits(process, count):
        deadline = time.monotonic() + 180
        while committed_batches(checkpoint) < count:
            assert process.poll() is None, process.stderr.read().decode()[-3000:]
            assert time.monotonic() < deadline, f"{count} micro-batches never committed"
            time.sleep(0.02)

    first = start("run")
    wait_for_commits(first, 1)
    # Lines arrive in bulk while the query runs (micro-batches of 400 lines on PySpark 4.2+;
    # on 4.0, which has no read limits for Python sources, one micro-batch per bulk).
    for batch, name in enumerate(("a", "b", "c")):
        first_line = 1 if name == "a" else 0
        append(source / f"{name}.jsonl", lines(name, first_line, 1500 - first_line))
        total += 1500 - first_line
        wait_for_commits(first, batch + 2)
    # Lines keep arriving while the query runs; then it is killed, as a crash kills it.
    append(source / "a.jsonl", lines("a", 1500, 300))
    append(source / "d.jsonl", lines("d", 0, 200) + '{"n": 200, "src": "d"')
    total += 500
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    assert session.read.parquet(str(target)).count() < total, "killed before it read everything"

    # More lines, the partial one completed; the restarted query drains what exists and stops.
    append(source / "d.jsonl", ', "late": true}\n' + lines("d", 201, 99))
    total += 100
    second = start("drain")
    _, errors = second.communicate(timeout=300)
    assert second.returncode == 0, errors.decode()[-3000:]

    out = session.read.parquet(str(target))
    assert out.count() == total, "no line lost or duplicated"
    assert out.select("file", "position").distinct().count() == total
    expected = {(name, i) for name, count in (("a", 1800), ("b", 1500), ("c", 1500), ("d", 300))
                for i in range(count)}
    parsed = out.selectExpr("from_json(value, 'n INT, src STRING') as e").select("e.*")
    assert {(r.src, r.n) for r in parsed.collect()} == expected
    shutil.rmtree(target)
