"""A standalone Spark cluster on 127.0.0.1 (a master and two one-core workers): the example
sources read in parallel on both workers, exactly; a Parquet round trip through Spark and through
the SDK's sink; and a cluster where no Python has the wheel, fed through `--archives`."""

import os
import subprocess
import sys
import textwrap
import time

import pytest
from deployment import SPARK_HOME, StandaloneCluster, free_port, http_json, run_app, spark_env
from expected_people import person


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    # Every Spark Python process runs this interpreter, which has the wheels.
    cluster = StandaloneCluster(str(tmp_path_factory.mktemp("cluster")), sys.executable)
    yield cluster
    cluster.stop()


@pytest.fixture(scope="module")
def spark(cluster):
    from pyspark.sql import SparkSession

    ui_port = free_port()
    session = (
        SparkSession.builder.master(cluster.url)
        .appName("datasource-cluster-tests")
        .config("spark.ui.port", str(ui_port))
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.executor.memory", "512m")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    session.ui_port = ui_port
    # Both executors (one per worker) before the first job, so that its tasks can spread.
    status = session.sparkContext._jsc.sc().getExecutorMemoryStatus
    deadline = time.monotonic() + 60
    while status().size() < 3 and time.monotonic() < deadline:  # the driver and 2 executors
        time.sleep(0.2)
    assert status().size() == 3, "two executors did not register"
    yield session
    session.stop()


def executor_tasks(spark):
    """Tasks run so far by each executor, by host:port (the application's REST API)."""
    app = spark.sparkContext.applicationId
    url = f"http://127.0.0.1:{spark.ui_port}/api/v1/applications/{app}/executors"
    return {e["hostPort"]: e["totalTasks"] for e in http_json(url) if e["id"] != "driver"}


def test_a_read_runs_in_parallel_on_both_workers_with_exact_rows(spark, cluster):
    workers = {w["host"] + ":" + str(w["port"]) for w in cluster.state()["workers"]}
    assert len(workers) == 2
    before = executor_tasks(spark)
    rows = (
        spark.read.format("fakepeople")
        .option("numRows", 2000)
        .option("numPartitions", 8)
        .load()
        .orderBy("id")
        .collect()
    )
    assert [tuple(row) for row in rows] == [person(i) for i in range(2000)]
    after = executor_tasks(spark)
    ran = {executor: after[executor] - before.get(executor, 0) for executor in after}
    assert len(ran) == 2 and all(count > 0 for count in ran.values()), ran


def test_every_source_is_found_by_name_on_the_cluster(spark, tmp_path):
    # No register() in this module: Spark's lookup found each wheel's pyspark_* modules.
    total = spark.read.format("fakerange").option("numRows", 100_000).option("numPartitions", 4)
    assert total.load().selectExpr("count(*)", "sum(id)").first() == (100_000, 4_999_950_000)
    assert spark.read.format("fakewide").option("numRows", 1000).load().count() == 1000
    spark.range(500).write.parquet(str(tmp_path / "ids"))
    arrow = spark.read.format("arrow").option("path", str(tmp_path / "ids")).load()
    assert arrow.selectExpr("sum(id)").first()[0] == sum(range(500))


def test_parquet_round_trip_through_spark_and_through_the_sdk_sink(spark, tmp_path):
    people = spark.read.format("fakepeople").option("numRows", 3000).option("numPartitions", 6)
    people = people.load()
    people.write.parquet(str(tmp_path / "spark"))
    people.write.format("files").mode("append").option("path", str(tmp_path / "sdk")).save()
    expected = [person(i) for i in range(3000)]
    for written in ("spark", "sdk"):
        back = spark.read.parquet(str(tmp_path / written)).orderBy("id").collect()
        assert [tuple(row) for row in back] == expected, written


APP = textwrap.dedent(
    """
    import json, sys
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.appName("archive-route").getOrCreate()
    import pyspark_fakepeople  # from the archives: no Python here has the wheels
    import pyspark_fakerange

    pyspark_fakepeople.register(spark)
    pyspark_fakerange.register(spark)
    rows = spark.read.format("fakepeople").option("numRows", 300).load().orderBy("id").collect()
    total = spark.read.format("fakerange").option("numRows", 1000).load().selectExpr("sum(id)")
    print(json.dumps({
        "imported_from": pyspark_fakepeople.__file__,
        "people": [[row.id, row.name, row.email] for row in rows],
        "range_sum": total.first()[0],
    }))
    spark.stop()
    """
)


def test_a_cluster_without_the_wheel_gets_it_through_archives(spark, cluster, worker_python, tmp_path):
    # The two workers have one core each, all held by this module's session: end it first (so
    # this test stays last in the module).
    spark.stop()
    archives = []
    for module in ("pyspark_fakepeople", "pyspark_fakerange"):
        made = subprocess.run(
            [sys.executable, "-m", module, "archive", str(tmp_path)],
            capture_output=True, text=True, check=True,
        )
        archives.append(made.stdout.strip())
        assert archives[-1] == f"{tmp_path}/{module}.zip#{module}"
        assert "--archives" in made.stderr
    archive = ",".join(archives)
    (tmp_path / "app.py").write_text(APP)
    # The driver, its planning and the executors all run an interpreter without the wheel.
    result = run_app(
        [os.path.join(SPARK_HOME, "bin", "spark-submit"), "--master", cluster.url,
         "--conf", "spark.executor.memory=512m", "--archives", archive, str(tmp_path / "app.py")],
        spark_env(worker_python),
    )
    assert "site-packages" not in result["imported_from"], result["imported_from"]
    assert result["people"] == [list(person(i)[:3]) for i in range(300)]
    assert result["range_sum"] == sum(range(1000))
