"""The crate `make new-source` made (as `make starter-check`, in target/starter-check), read
from PySpark with no edit: what a new user's first source does."""

import pyspark_starter_check


def test_the_new_source_reads_from_spark_with_no_register_call(spark):
    assert pyspark_starter_check.DefaultSource.name() == "starter_check"
    df = spark.read.format("starter_check").option("rows", 7).option("greeting", "hey").load()
    assert df.schema.simpleString() == "struct<id:bigint,message:string>"
    rows = sorted(tuple(row) for row in df.collect())
    assert rows == [(i, f"hey #{i}") for i in range(7)]
    assert df.rdd.getNumPartitions() == 2
