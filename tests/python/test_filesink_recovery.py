"""What crashes and failures leave in a `files` directory, through real PySpark: a commit
stopped at each of its steps (Spark then aborts, or the process is killed and the next write
recovers), tasks that fail or panic while others still run, and staging of writes killed before
they committed. Spark's readers read exactly the old rows or exactly the new ones, never fewer."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

import pyspark_filesink

from files_sink import ids, write_files

# The steps of a commit (option stopCommitAfter), in order; from `manifested` on it is committed.
# Every step is covered by the sink's Rust tests (sink_tests.rs); here, in real PySpark, the
# first step, the last before the commit point, the commit point, and the last.
STEPS = ["journaled", "published", "manifested", "cleaned"]
COMMITTED = {"manifested", "cleaned"}


@pytest.fixture(scope="module")
def session(spark):
    pyspark_filesink.register(spark)
    return spark


def leftovers(target):
    """What a finished or undone commit must not leave: staging, journals, retired entries."""
    found = []
    if (target / "_staging").exists():
        found.append("_staging")
    commits = target / "_commits"
    if commits.exists():
        found += [n for n in os.listdir(commits) if n.endswith((".journal", ".retired"))]
    return found


@pytest.mark.parametrize("step", STEPS)
def test_an_overwrite_stopped_at_any_step_leaves_the_old_rows_or_the_new(session, tmp_path, step):
    # Spark calls abort when a commit fails: the abort undoes the commit (before its manifest)
    # or finishes it (after).
    target = tmp_path / "out"
    session.range(10).selectExpr("id", "id % 2 as k").write.partitionBy("k").parquet(str(target))
    new = session.range(100, 105, 1, 2).selectExpr("id", "7 as k")
    with pytest.raises(Exception) as error:
        write_files(new, target, "overwrite", stopCommitAfter=step)
    assert f"stopped the commit after step `{step}`" in str(error.value)
    expected = list(range(100, 105)) if step in COMMITTED else list(range(10))
    assert ids(session, target) == expected
    assert leftovers(target) == []


# A write whose process is killed (SIGKILL) right after its commit stopped at a step: nothing
# aborts it; the next write into the directory finds its journal.
KILLED_IN_COMMIT = textwrap.dedent(
    """
    import os, signal, sys
    import pyarrow as pa
    import pyspark_filesink
    from pyspark.sql.types import LongType, StructField, StructType

    target, step = sys.argv[1], sys.argv[2]
    schema = StructType([StructField("id", LongType(), False)])
    sink = pyspark_filesink.Files({"path": target, "stopCommitAfter": step})
    writer = sink.writer(schema, True)  # an overwrite
    message = writer.write(iter([pa.RecordBatch.from_pydict({"id": list(range(100, 105))})]))
    try:
        writer.commit([message])
    except Exception as error:
        print(error, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
    """
)


@pytest.mark.parametrize("step", STEPS)
def test_an_overwrite_killed_at_any_step_is_recovered_by_the_next_write(session, tmp_path, step):
    target = tmp_path / "out"
    write_files(session.range(0, 10, 1, 2), target, "append")
    script = tmp_path / "killed.py"
    script.write_text(KILLED_IN_COMMIT)
    killed = subprocess.run(
        [sys.executable, str(script), str(target), step], capture_output=True, timeout=120
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()[-2000:]
    assert f"stopped the commit after step `{step}`" in killed.stdout.decode()
    assert [n for n in os.listdir(target / "_commits") if n.endswith(".journal")], "a journal"
    write_files(session.range(1000, 1003, 1, 1), target, "append")
    before = list(range(100, 105)) if step in COMMITTED else list(range(10))
    assert ids(session, target) == before + [1000, 1001, 1002]
    assert leftovers(target) == []


def wait_until_idle(spark, timeout=30):
    deadline = time.monotonic() + timeout
    while spark.sparkContext.statusTracker().getActiveStageIds() and time.monotonic() < deadline:
        time.sleep(0.1)


@pytest.mark.parametrize(
    "partitions,task,failure",
    [(3, 1, "failOnTask"), (5, 0, "panicOnTask")],
)
def test_a_failed_write_leaves_no_staging(session, tmp_path, partitions, task, failure):
    # Spark aborts as soon as one task fails, while the others still run: those that stage
    # after the abort must remove what they staged.
    target = tmp_path / "out"
    write_files(session.range(0, 100, 1, 2), target, "append")
    with pytest.raises(Exception):
        df = session.range(0, 100_000, 1, partitions)
        write_files(df, target, "overwrite", **{failure: task})
    wait_until_idle(session)
    deadline = time.monotonic() + 10
    while (target / "_staging").exists() and time.monotonic() < deadline:
        time.sleep(0.1)  # a task Spark is still killing
    assert not (target / "_staging").exists(), sorted(
        os.path.relpath(os.path.join(root, name), target)
        for root, _, names in os.walk(target / "_staging")
        for name in names
    )
    assert ids(session, target) == list(range(100))


# A write killed (SIGKILL) after its task staged a file, before any commit or abort.
KILLED_IN_TASK = textwrap.dedent(
    """
    import os, signal, sys
    import pyarrow as pa
    import pyspark_filesink
    from pyspark.sql.types import LongType, StructField, StructType

    schema = StructType([StructField("id", LongType(), False)])
    writer = pyspark_filesink.Files({"path": sys.argv[1]}).writer(schema, False)
    writer.write(iter([pa.RecordBatch.from_pydict({"id": [7, 8, 9]})]))
    os.kill(os.getpid(), signal.SIGKILL)
    """
)


def backdate(path, seconds):
    when = time.time() - seconds
    for root, dirs, names in os.walk(path):
        for name in names + dirs:
            os.utime(os.path.join(root, name), (when, when))
    os.utime(path, (when, when))


@pytest.mark.parametrize(
    "age,options,removed",
    [
        (3600, {}, False),  # may be a live write's: kept
        (2 * 86400, {}, True),  # untouched for longer than a day: abandoned
    ],
)
def test_staging_of_a_killed_write_is_removed_once_expired(
    session, tmp_path, age, options, removed
):
    target = tmp_path / "out"
    write_files(session.range(0, 5, 1, 1), target, "append")
    script = tmp_path / "killed.py"
    script.write_text(KILLED_IN_TASK)
    killed = subprocess.run(
        [sys.executable, str(script), str(target)], capture_output=True, timeout=120
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()[-2000:]
    [abandoned] = os.listdir(target / "_staging")
    backdate(target / "_staging" / abandoned, age)
    write_files(session.range(5, 8, 1, 1), target, "append", **options)
    assert (target / "_staging").exists() != removed
    assert ids(session, target) == list(range(8)), "the killed write's rows are never published"
