"""Streaming writes: Spark's `rate` source into the `files` sink with a checkpoint, the query's
processes killed mid-batch (SIGKILL, not a clean stop) and restarted: every row exactly once."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

# The query, run in its own process (and process group, with its JVM and Python workers) so
# that it can be killed as a crash kills it. `stop_after` ends it cleanly once that many
# micro-batches are published; without it the query runs until killed.
QUERY = textwrap.dedent(
    """
    import os, sys, time
    from pyspark.sql import SparkSession
    import pyspark_filesink

    target, checkpoint, stop_after = sys.argv[1], sys.argv[2], int(sys.argv[3])
    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    pyspark_filesink.register(spark)
    query = (
        spark.readStream.format("rate")
        .option("rowsPerSecond", 2000)
        .option("numPartitions", 2)
        .load()
        .writeStream.format("files")
        .option("path", target)
        .option("checkpointLocation", checkpoint)
        .trigger(processingTime="200 milliseconds")
        .start()
    )
    batches = os.path.join(target, "_batches")
    while stop_after <= 0 or len(os.listdir(batches) if os.path.isdir(batches) else []) < stop_after:
        if query.exception() is not None:
            raise query.exception()
        time.sleep(0.05)
    query.stop()
    spark.stop()
    """
)


def manifests(target):
    directory = os.path.join(target, "_batches")
    return sorted(os.listdir(directory)) if os.path.isdir(directory) else []


def staged(target):
    """Files tasks have staged for a micro-batch not yet committed."""
    found = []
    for root, _, names in os.walk(os.path.join(target, "_staging")):
        found += [os.path.join(root, name) for name in names]
    return found


def start(script, target, checkpoint, stop_after):
    return subprocess.Popen(
        [sys.executable, str(script), str(target), str(checkpoint), str(stop_after)],
        start_new_session=True,  # its own process group: the JVM and workers die with it
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_for(condition, process, timeout, what):
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            pytest.fail(f"the query exited ({process.returncode}) before {what}: "
                        f"{process.stderr.read().decode()[-3000:]}")
        if time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.005)


def test_a_query_killed_mid_batch_and_restarted_writes_every_row_once(spark, tmp_path):
    script = tmp_path / "query.py"
    script.write_text(QUERY)
    target, checkpoint = tmp_path / "out", tmp_path / "checkpoint"

    first = start(script, target, checkpoint, 0)
    wait_for(lambda: len(manifests(target)) >= 3, first, 180, "three published micro-batches")
    # Kill it while a micro-batch's files are staged and not yet published.
    wait_for(lambda: staged(target), first, 60, "a micro-batch in flight")
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    published_before = len(manifests(target))
    assert staged(target), "killed mid-batch: its staged files are still there"

    second = start(script, target, checkpoint, published_before + 3)
    _, errors = second.communicate(timeout=300)
    assert second.returncode == 0, errors.decode()[-3000:]

    assert not staged(target), "the restarted query committed or removed every staged file"
    values = sorted(row.value for row in spark.read.parquet(str(target)).select("value").collect())
    assert len(values) > 0
    # The rate source numbers its rows 0, 1, 2, ...: each once, none missing.
    assert values == list(range(len(values)))
    recorded = sum(
        json.loads((target / "_batches" / name).read_text())["rows"] for name in manifests(target)
    )
    assert recorded == len(values)
