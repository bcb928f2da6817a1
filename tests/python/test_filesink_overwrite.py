"""`files` over directories Spark's own writers left: an overwrite replaces everything Spark's
readers read (partition directories, other formats, the streaming file sink's log), so that
`spark.read` then reads exactly the new rows; an append whose rows Spark's readers would not
read is refused. Spark's readers are the oracle."""

import os

import pytest

import pyspark_filesink

from files_sink import ids, write_files


@pytest.fixture(scope="module")
def session(spark):
    pyspark_filesink.register(spark)
    return spark


def entries(directory):
    """Every entry under `directory`, relative to it; directories end with `/`."""
    found = set()
    for root, dirs, names in os.walk(directory):
        for name in dirs:
            found.add(os.path.relpath(os.path.join(root, name), directory) + "/")
        for name in names:
            found.add(os.path.relpath(os.path.join(root, name), directory))
    return found


def old_rows(spark):
    """Ten rows with columns to partition by; `k` is null for two of them."""
    return spark.range(10).selectExpr(
        "id", "if(id < 2, null, id % 3) as k", "cast(id % 2 as string) as j"
    )


# Each layout: what Spark (or the sink itself) leaves in a directory, written with `old_rows`.


def spark_parquet(spark, df, path):
    df.write.parquet(path)  # part files, _SUCCESS and Hadoop's .crc checksums


def spark_partitioned(spark, df, path):
    df.write.partitionBy("k").parquet(path)  # k=0/ ... and k=__HIVE_DEFAULT_PARTITION__/


def spark_partitioned_twice(spark, df, path):
    df.write.partitionBy("j", "k").parquet(path)  # j=0/k=1/ ...


def spark_json(spark, df, path):
    df.write.json(path)  # files spark.read.parquet cannot read at all


def files_jsonl(spark, df, path):
    write_files(df, path, "append", format="jsonl")


def spark_streaming_sink(spark, df, path):
    # Spark's file stream sink: its `_spark_metadata` log decides what spark.read reads.
    source = path + "-source"
    df.write.json(source)
    query = (
        spark.readStream.schema(df.schema)
        .json(source)
        .writeStream.format("parquet")
        .option("checkpointLocation", path + "-checkpoint")
        .trigger(availableNow=True)
        .start(path)
    )
    query.awaitTermination(120)


LAYOUTS = [
    spark_parquet,
    spark_partitioned,
    spark_partitioned_twice,
    spark_json,
    files_jsonl,
    spark_streaming_sink,
]


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda layout: layout.__name__)
def test_overwrite_leaves_only_the_new_rows_to_spark_readers(session, tmp_path, layout):
    target = tmp_path / "out"
    layout(session, old_rows(session), str(target))
    (target / "_mine").mkdir()
    (target / "_mine" / "note").write_text("not data: kept")
    new = session.range(100, 107).selectExpr("id", "7 as k", "'x' as j")
    write_files(new, target, "overwrite")
    back = session.read.parquet(str(target))
    # No partition column inferred from old directories, no old row, every new one.
    assert sorted(back.columns) == ["id", "j", "k"]
    assert ids(session, target) == list(range(100, 107))
    assert back.where("k = 7 and j = 'x'").count() == 7
    left = {
        entry
        for entry in entries(target)
        if not (entry.startswith("part-") or entry.startswith("_commits/") or entry == "_commits/")
    }
    # What Spark wrote is gone; what is hidden and not Spark's stays.
    assert left == {"_SUCCESS", "_mine/", "_mine/note"}


@pytest.mark.parametrize(
    "layout,named",
    [(spark_partitioned, "k="), (spark_streaming_sink, "_spark_metadata")],
    ids=["partitioned", "streaming sink"],
)
def test_an_append_spark_readers_would_not_read_is_refused(session, tmp_path, layout, named):
    target = tmp_path / "out"
    layout(session, old_rows(session), str(target))
    before = ids(session, target)
    with pytest.raises(Exception) as error:
        write_files(session.range(100, 103), target, "append")
    message = str(error.value)
    assert "cannot append" in message and named in message and str(target) in message
    assert ids(session, target) == before
    assert not (target / "_staging").exists()
