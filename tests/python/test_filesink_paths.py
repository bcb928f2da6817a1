"""Paths the `files` sink builds only from what it made itself: commit messages that travel
through pickle carry no path it would follow, and links in place of its own directories are
neither written nor deleted through. A file outside the target is the victim that must stay."""

import os
import pickle

import pyarrow as pa
import pytest

import pyspark_filesink
from pyspark.sql.types import LongType, StructField, StructType

SCHEMA = StructType([StructField("id", LongType(), False)])


@pytest.fixture(scope="module")
def session(spark):
    pyspark_filesink.register(spark)
    return spark


@pytest.fixture
def victim(tmp_path):
    directory = tmp_path / "outside"
    directory.mkdir()
    (directory / "part-00000-0.parquet").write_bytes(b"not the sink's")
    yield directory
    assert sorted(os.listdir(directory)) == ["part-00000-0.parquet"], "written or deleted outside"
    assert (directory / "part-00000-0.parquet").read_bytes() == b"not the sink's"


def published(directory):
    return sorted(name for name in os.listdir(directory) if not name.startswith(("_", ".")))


@pytest.mark.parametrize(
    "text",
    [
        '{{"partition": 0, "file": "{victim}/part-00000-0.parquet", "rows": 3}}',
        '{{"partition": 0, "rows": 3, '
        '"file": "{target}/_staging/../../outside/part-00000-0.parquet"}}',
        '{{"partition": 0, "attempt": 0, "file": true, "rows": 3, "path": "{victim}"}}',
        '{{"partition": 9, "attempt": 0, "file": true, "rows": 3}}',
    ],
    ids=["absolute path", "climbing path", "extra field", "never staged"],
)
def test_a_hostile_commit_message_is_refused_with_its_text(session, tmp_path, victim, text):
    target = tmp_path / "target"
    writer = pyspark_filesink.Files({"path": str(target)}).writer(SCHEMA, False)
    message = writer.write(iter([pa.RecordBatch.from_pydict({"id": [1, 2, 3]})]))
    hostile = type(message)(text.format(victim=victim, target=target))
    committer = pickle.loads(pickle.dumps(writer))  # the driver's copy, as Spark makes it
    with pytest.raises(Exception) as error:
        committer.commit([pickle.loads(pickle.dumps(hostile))])
    assert "commit message" in str(error.value) and '"partition"' in str(error.value)
    assert published(target) == []


def test_a_staging_link_out_of_the_target_is_not_written_through(session, tmp_path, victim):
    target = tmp_path / "target"
    target.mkdir()
    (target / "_staging").symlink_to(victim)
    with pytest.raises(Exception) as error:
        session.range(0, 10, 1, 2).write.format("files").mode("append").save(str(target))
    assert "_staging is a symbolic link" in str(error.value)
    assert published(target) == []
