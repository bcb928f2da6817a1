"""`trigger(availableNow=True)` on a checkpoint whose last micro-batch a crash left unfinished
(the query's processes killed with SIGKILL mid-batch): PySpark 4.2+ replays that batch and reads
on to what existed at the restart. 4.0 and 4.1 cannot run AvailableNow for a Python source and
run it as `trigger(once=True)`, saying so in Spark's log: the restart replays the unfinished batch
and stops, and the lines that came after it wait for the next run, unless the session sets
`spark.sql.streaming.triggerAvailableNowWrapper.enabled` (the README, and `tail`'s README, where
AvailableNow is documented)."""

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

from tail_lines import append, lines, starts

PYSPARK = tuple(int(part) for part in pyspark.__version__.split(".")[:2])

WRAPPER = "spark.sql.streaming.triggerAvailableNowWrapper.enabled"

# The query that crashes, in its own process group (its JVM and Python workers die with it).
QUERY = textwrap.dedent(
    """
    import sys
    from pyspark.sql import SparkSession
    import pyspark_filesink

    source, target, checkpoint = sys.argv[1:4]
    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    pyspark_filesink.register(spark)
    lines = (
        spark.readStream.format("tail")
        .option("path", source)
        .option("maxRowsPerTrigger", 1000)
        .load()
    )
    writer = lines.writeStream.format("files").option("format", "jsonl").option("path", target)
    writer = writer.option("checkpointLocation", checkpoint)
    writer.trigger(processingTime="100 milliseconds").start().awaitTermination()
    """
)


@pytest.fixture(scope="module")
def session(spark):
    import pyspark_filesink

    pyspark_filesink.register(spark)
    return spark


def start(script, source, target, checkpoint):
    return subprocess.Popen(
        [sys.executable, str(script), str(source), str(target), str(checkpoint)],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def batch_ids(directory):
    if not directory.is_dir():
        return set()
    return {int(name) for name in os.listdir(directory) if name.isdigit()}


def unfinished(checkpoint):
    """The micro-batches the checkpoint planned (offsets/) and never committed (commits/)."""
    return batch_ids(checkpoint / "offsets") - batch_ids(checkpoint / "commits")


def planned_end(checkpoint, batch):
    """Where the checkpoint's micro-batch `batch` ends: tail's offset, each file's position."""
    _version, _metadata, offset = (checkpoint / "offsets" / str(batch)).read_text().splitlines()
    return json.loads(offset)["files"]


def published(target):
    """(file, position) of every line the `files` sink published (JSON Lines files)."""
    seen = []
    for name in os.listdir(target):
        if name.endswith(".jsonl") and not name.startswith(("_", ".")):
            with open(target / name, encoding="utf-8") as file:
                seen += [(row["file"], row["position"]) for row in map(json.loads, file)]
    return seen


def drain(session, source, target, checkpoint, wrapper=False):
    """Restarts the query with AvailableNow (and Spark's wrapper of sources that do not support
    it) and runs it to its end: the rows of each of its micro-batches."""
    if wrapper:
        session.conf.set(WRAPPER, "true")
    try:
        lines = (
            session.readStream.format("tail")
            .option("path", str(source))
            .option("maxRowsPerTrigger", 1000)
            .load()
        )
        writer = lines.writeStream.format("files").option("format", "jsonl")
        writer = writer.option("path", str(target)).option("checkpointLocation", str(checkpoint))
        query = writer.trigger(availableNow=True).start()
        assert query.awaitTermination(240), "the query stopped by itself"
    finally:
        session.conf.unset(WRAPPER)
    return [progress["numInputRows"] for progress in query.recentProgress]


@pytest.fixture(scope="module")
def crashing(tmp_path_factory):
    """The query that will crash, started before the test's own Spark session so that their
    JVMs start together: (its directories, its process, the lines it has to read)."""
    root = tmp_path_factory.mktemp("crash")
    script, source = root / "query.py", root / "in"
    target, checkpoint = root / "out", root / "checkpoint"
    script.write_text(QUERY)
    source.mkdir()
    a = lines("a", 0, 6000)
    append(source / "a.jsonl", a)
    process = start(script, source, target, checkpoint)
    yield root, process, a
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def test_available_now_after_a_crash_reads_what_existed_at_the_restart(crashing, session):
    root, first, a = crashing
    source, target, checkpoint = root / "in", root / "out", root / "checkpoint"
    deadline = time.monotonic() + 180
    while not unfinished(checkpoint):
        assert first.poll() is None, first.stderr.read().decode()[-3000:]
        assert time.monotonic() < deadline, "no micro-batch was ever in flight"
        time.sleep(0.005)
    os.killpg(first.pid, signal.SIGKILL)  # mid-batch: planned, not committed
    first.wait()
    if not unfinished(checkpoint):
        # The batch committed between being seen and the kill (a loaded machine): the state a
        # kill a moment earlier leaves is its commit record missing.
        batch = max(batch_ids(checkpoint / "commits"))
        for name in (str(batch), f".{batch}.crc"):
            (checkpoint / "commits" / name).unlink()
    (last,) = unfinished(checkpoint)
    replayed_to = planned_end(checkpoint, last)

    # Lines that exist before the restart: a file grows, a new one appears.
    more_a, b = lines("a", 6000, 500), lines("b", 0, 1500)
    append(source / "a.jsonl", more_a)
    append(source / "b.jsonl", b)
    everything = sorted((file, position) for file, position, _ in
                        starts("a.jsonl", a + more_a) + starts("b.jsonl", b))

    # The same crashed query twice: restarted as it is, and with Spark's wrapper.
    wrapped_target, wrapped_checkpoint = root / "out-wrapped", root / "checkpoint-wrapped"
    if target.exists():  # the sink makes it when a task stages its file
        shutil.copytree(target, wrapped_target)
    shutil.copytree(checkpoint, wrapped_checkpoint)

    batches = drain(session, source, target, checkpoint)
    seen = published(target)
    assert len(seen) == len(set(seen)), "no line twice"
    if PYSPARK >= (4, 2):
        assert sorted(seen) == everything, "the unfinished batch replayed, then every later line"
        assert all(rows <= 1000 for rows in batches), batches
    else:
        # The documented limitation: Spark falls back to one micro-batch, and that is the
        # replay of the unfinished one, up to the checkpoint's offset.
        replayed = [line for line in everything if line[1] < replayed_to.get(line[0], 0)]
        assert sorted(seen) == replayed, "only the unfinished batch was read"
        assert [rows for rows in batches if rows] == [len(replayed)], batches
        assert len(seen) < len(everything)
        # Run again, and it reads the rest.
        drain(session, source, target, checkpoint)
        seen = published(target)
        assert sorted(seen) == everything and len(seen) == len(set(seen))

    # With the wrapper, one run replays the unfinished batch and reads every line that existed
    # at the restart, on every version (4.2+ has no use for it: tail supports AvailableNow).
    drain(session, source, wrapped_target, wrapped_checkpoint, wrapper=True)
    seen = published(wrapped_target)
    assert sorted(seen) == everything and len(seen) == len(set(seen))
