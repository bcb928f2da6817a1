"""Writes into one directory from several threads of one application at once: each publishes
every one of its rows, or fails with an error its thread sees; none is lost silently."""

import json
import os
import threading

import pytest

import pyspark_filesink

from files_sink import ids


@pytest.fixture(scope="module")
def session(spark):
    pyspark_filesink.register(spark)
    return spark


def activate(spark):
    """Makes `spark` the calling thread's active session: classic PySpark looks Python data
    sources up through it, and a thread of one's own has none (what PySpark's ML tuning does)."""
    spark._jvm.org.apache.spark.sql.SparkSession.setActiveSession(spark._jsparkSession)


def run_threads(count, work):
    """Runs `work(index)` in `count` threads started together; returns each one's exception
    (None when it succeeded), so that no thread's failure goes unseen."""
    barrier = threading.Barrier(count)
    outcomes = [None] * count

    def run(index):
        try:
            barrier.wait()
            work(index)
        except Exception as error:  # collected: the test asserts on every thread's outcome
            outcomes[index] = error

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_appends_from_threads_each_publish_every_row(session, tmp_path):
    target = tmp_path / "out"
    writers, rounds, rows = 3, 2, 50  # the hostile battery's three threads, twice

    def append(index):
        activate(session)
        for round_ in range(rounds):
            start = (round_ * writers + index) * rows
            session.range(start, start + rows, 1, 2).write.format("files").mode("append").save(
                str(target)
            )

    outcomes = run_threads(writers, append)
    assert outcomes == [None] * writers, [str(error)[:2000] for error in outcomes if error]
    assert ids(session, target) == list(range(writers * rounds * rows))
    manifest = json.loads((target / "_SUCCESS").read_text())
    assert manifest["rows"] == rows and len(manifest["files"]) == 2
    assert not (target / "_staging").exists()
    commits = target / "_commits"
    left = os.listdir(commits) if commits.exists() else []
    assert [name for name in left if name.endswith(".journal")] == [], "no commit left half-way"


def test_a_thread_without_an_active_session_fails_where_it_can_be_seen(session, tmp_path):
    # Spark (classic, 4.0 to 4.3 at least) looks a Python data source up through the calling
    # thread's active session: in a thread without one, save() raises before the sink runs.
    # Whatever Spark does, the write either publishes every row or raises in its thread.
    target = tmp_path / "out"

    def append(index):
        session.range(0, 50, 1, 2).write.format("files").mode("append").save(str(target))

    [outcome] = run_threads(1, append)
    if outcome is None:
        assert ids(session, target) == list(range(50))
    else:
        assert "DATA_SOURCE_NOT_FOUND" in str(outcome) and "files" in str(outcome)
        assert not target.exists(), "nothing was written"
