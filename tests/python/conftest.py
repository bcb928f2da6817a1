"""One local[2] Spark session for the whole suite, running the interpreter that has the wheel.

One session, not one per module: each new session starts its Python planner and worker daemons
again (about 3 s of two cores' time per module, most of a short module's run). What a module
sets, and the views its streams leave, are undone when it ends (the autouse fixture below)."""

import os
import sys
import time

import pytest

# Timestamps come back from Spark as naive datetimes in the Python process's zone: make it UTC.
os.environ["TZ"] = "UTC"
time.tzset()
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)


_session = None


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    global _session
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("datasource-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.python.worker.reuse", "true")
        # Catalog tables of its own: `make test` runs each PySpark's suite at the same time.
        .config("spark.sql.warehouse.dir", str(tmp_path_factory.mktemp("warehouse")))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    _session = (session, dict(session.conf.getAll))
    yield session
    _session = None
    session.stop()


@pytest.fixture(scope="module", autouse=True)
def _settings_restored_after_each_module():
    """A module's settings end with it: whatever it set is put back as the session began."""
    yield
    if _session is None:
        return
    session, baseline = _session
    for key, value in session.conf.getAll.items():
        if key not in baseline:
            session.conf.unset(key)
        elif value != baseline[key]:
            session.conf.set(key, baseline[key])
    # A stream's memory sink leaves its query's name as a view: gone with the module.
    for table in session.catalog.listTables():
        assert table.isTemporary, f"a module left the table {table.name} behind"
        session.catalog.dropTempView(table.name)
