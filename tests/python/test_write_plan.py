"""Write-side planning (`BatchWriter::plan`, `StreamWriter::plan`) through Spark: the plan is
made once on the driver, before any task (of a write, or of a micro-batch: PySpark makes a
stream's writer anew for each), and every task and the commit have it, a stream's commits too
(Spark runs those on a writer made afresh, in another process, which never plans)."""

import json
import time

import pytest


@pytest.fixture(scope="module")
def session(spark):
    import pyspark_sdk_fixtures

    pyspark_sdk_fixtures.register(spark)
    return spark


def records(out, name):
    path = out / name
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_a_batch_write_is_planned_once_and_every_task_and_the_commit_have_the_plan(
    session, tmp_path
):
    session.range(0, 1000, numPartitions=4).write.format("sdk_planned_sink").mode(
        "append"
    ).option("out", str(tmp_path)).save()
    (plan,) = records(tmp_path, "plans")
    (commit,) = records(tmp_path, "commits")
    assert commit == {
        "plan": plan, "tasks": [plan] * 4, "rows": 1000, "batch": None, "types": ["Int64"]
    }
    # A second write plans anew.
    session.range(0, 10, numPartitions=2).write.format("sdk_planned_sink").mode("append").option(
        "out", str(tmp_path)
    ).save()
    plans = records(tmp_path, "plans")
    assert len(plans) == 2 and plans[1] != plan
    assert records(tmp_path, "commits")[1]["tasks"] == [plans[1]] * 2


def test_each_micro_batch_is_planned_once_and_its_commit_has_the_plan(session, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    stream = session.readStream.format("rate").option("rowsPerSecond", 200).load()
    query = (
        stream.writeStream.format("sdk_planned_sink")
        .option("out", str(out))
        .option("checkpointLocation", str(tmp_path / "checkpoint"))
        .trigger(processingTime="500 milliseconds")
        .start()
    )
    try:
        # Two micro-batches ended (each reports its progress after its commit); waiting on
        # `processAllAvailable` instead depends on how many rows the rate source made meanwhile.
        deadline = time.monotonic() + 120
        while len(query.recentProgress) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        query.stop()
    plans = records(out, "plans")
    commits = records(out, "commits")
    assert len(commits) >= 2
    assert [c["batch"] for c in commits] == list(range(len(commits)))
    # Each micro-batch's commit (on a writer made afresh, which plans nothing) got its own
    # plan back, the one its tasks wrote with; a plan may be left over by the batch the stop
    # interrupted.
    assert len({c["plan"] for c in commits}) == len(commits)
    for commit in commits:
        assert commit["plan"] in plans
        assert commit["tasks"] and set(commit["tasks"]) == {commit["plan"]}
    assert len(plans) <= len(commits) + 1


@pytest.mark.parametrize("spark_large", [False, True])
def test_a_sink_that_accepts_large_strings_gets_them_large(session, tmp_path, spark_large):
    # Spark sends large strings only under useLargeVarTypes; a sink that asks for them gets
    # them either way (kept, or widened), and one that does not gets plain ones.
    session.conf.set("spark.sql.execution.arrow.useLargeVarTypes", str(spark_large).lower())
    try:
        df = session.range(0, 100, numPartitions=2).selectExpr("id", "cast(id as string) as s")
        for large in (True, False):
            out = tmp_path / f"large-{large}"
            out.mkdir()
            df.write.format("sdk_planned_sink").mode("append").option("out", str(out)).option(
                "large", large
            ).save()
            (commit,) = records(out, "commits")
            assert commit["rows"] == 100
            assert commit["types"] == ["Int64", "LargeUtf8" if large else "Utf8"]
    finally:
        session.conf.unset("spark.sql.execution.arrow.useLargeVarTypes")
