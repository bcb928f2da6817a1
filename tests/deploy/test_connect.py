"""Spark Connect on 127.0.0.1: a server from the pip PySpark, and client sessions that read every
SDK source by name with no register call, get option and read errors in full, and, from a server
whose Python lacks the wheel, `ship` it."""

import os
import sys

import pytest
from conftest import sdk_source_names
from deployment import CONNECT_MODE_VARIABLES, ConnectServer
from expected_people import person


@pytest.fixture(scope="module", autouse=True)
def classic_mode_afterwards():
    """A Connect client session switches this process to Connect mode: the modules after this
    one start classic sessions."""
    saved = {name: os.environ.get(name) for name in CONNECT_MODE_VARIABLES}
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    # The server's Python processes run this interpreter, which has the wheels.
    server = ConnectServer(str(tmp_path_factory.mktemp("connect")), sys.executable)
    yield server
    server.stop()


def client_session(url):
    from pyspark.sql import SparkSession

    return SparkSession.builder.remote(url).create()


@pytest.fixture(scope="module")
def client(server):
    session = client_session(server.url)
    yield session
    session.stop()


def test_every_sdk_source_is_found_by_name_without_register(client, tmp_path):
    names = sdk_source_names()
    # The example wheels' sources, each through a module of its own.
    assert {"fakepeople", "fakerange", "fakewide", "fakesink", "fakestream", "arrow", "files",
            "tail", "sqldb", "rest"} <= set(names), names
    for name in sorted(names):
        try:
            client.read.format(name).load().schema
        except Exception as error:  # missing options, or a sink: found all the same
            assert "DATA_SOURCE_NOT_FOUND" not in str(error), name


def test_a_database_is_written_and_read_in_partitions_through_connect(client, tmp_path):
    url = f"sqlite:{tmp_path / 'people.db'}"
    people = client.read.format("fakepeople").option("numRows", 300).load().select("id", "name")
    people.write.format("sqldb").mode("append").option("url", url).option("table", "people").save()
    read = (client.read.format("sqldb").option("url", url).option("table", "people")
            .option("partitionColumn", "id").option("numPartitions", 3).load())
    assert sorted(tuple(row) for row in read.collect()) == sorted(
        (row[0], row[1]) for row in (person(i) for i in range(300))
    )


def test_sources_read_and_write_through_connect(client, tmp_path):
    people = client.read.format("fakepeople").option("numRows", 500).option("numPartitions", 3)
    rows = people.load().orderBy("id").collect()
    assert [tuple(row) for row in rows] == [person(i) for i in range(500)]
    ranged = client.read.format("fakerange").option("numRows", 10_000).load()
    assert ranged.selectExpr("count(*)", "sum(id)").first() == (10_000, 49_995_000)
    path = str(tmp_path / "people")
    people.load().write.format("files").mode("append").option("path", path).save()
    assert client.read.format("arrow").option("path", path).load().count() == 500
    query = (
        client.readStream.format("fakestream").option("rowsPerBatch", 100).option("totalRows", 250)
        .load().writeStream.format("memory").queryName("people_stream").start()
    )
    try:
        query.processAllAvailable()
    finally:
        query.stop()
    assert client.table("people_stream").count() == 250


def test_option_errors_reach_the_client_in_full_at_the_first_action(client):
    df = client.read.format("fakepeople").option("numRows", "-3").option("sede", "1").load()
    # load() is lazy over Connect: the options are parsed when the plan is first analysed.
    with pytest.raises(Exception) as caught:
        df.schema
    message = str(caught.value)
    assert "2 invalid options" in message, message
    assert "option `numRows`: got `-3`, expected a whole number" in message, message
    assert "`sede`" in message and "`seed`" in message, message


def test_a_read_error_names_the_source(client):
    df = client.read.format("fakerange").option("numRows", 10).option("failAtRow", 3).load()
    with pytest.raises(Exception) as caught:
        df.collect()
    message = str(caught.value)
    assert "fakerange: read failed: asked to fail at row 3" in message, message
    assert "External error" not in message, message


def test_a_second_client_session_finds_the_sources_too(server, client):
    second = client_session(server.url)
    try:
        assert second.session_id != client.session_id
        assert second.read.format("fakewide").option("numRows", 42).load().count() == 42
    finally:
        second.stop()


@pytest.fixture(scope="module")
def bare_server(tmp_path_factory, worker_python):
    server = ConnectServer(str(tmp_path_factory.mktemp("bare")), worker_python, "bare-connect")
    yield server
    server.stop()


def test_ship_sends_the_wheels_to_a_server_whose_python_lacks_them(bare_server):
    import pyspark_fakepeople
    import pyspark_fakerange

    session = client_session(bare_server.url)
    try:
        with pytest.raises(Exception, match="DATA_SOURCE_NOT_FOUND"):
            session.read.format("fakerange").load().schema
        pyspark_fakerange.ship(session)
        pyspark_fakerange.ship(session)  # once per session: the second call only registers
        pyspark_fakepeople.ship(session)  # a second wheel in the same session
        ranged = session.read.format("fakerange").option("numRows", 1000).load()
        assert ranged.selectExpr("sum(id)").first()[0] == sum(range(1000))
        rows = session.read.format("fakepeople").option("numRows", 50).load().orderBy("id")
        assert [tuple(row) for row in rows.collect()] == [person(i) for i in range(50)]
    finally:
        session.stop()
