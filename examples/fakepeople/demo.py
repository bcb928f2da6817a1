"""The main job: read the Rust `fakepeople` source from PySpark (local[2]) with no register()
call: Spark finds the installed `pyspark_fakepeople` module by itself."""

import os
import sys
import tempfile
import time

from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import MapType

ROWS = int(os.environ.get("DEMO_ROWS", "1000000"))
LOG_CONFIG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "log4j2.properties")

spark = (
    SparkSession.builder.master("local[2]")
    .appName("fakepeople-demo")
    .config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile={LOG_CONFIG}")
    .config("spark.ui.enabled", "false")
    .config("spark.ui.showConsoleProgress", "false")
    .config("spark.sql.session.timeZone", "UTC")
    .getOrCreate()
)

def people(rows):
    return spark.read.format("fakepeople").option("numRows", rows).option("numPartitions", 2).load()


df = people(ROWS)
df.printSchema()
# A query that stops reading early (show, limit) makes PySpark's worker daemon print a
# BrokenPipeError from the socket the JVM closed: harmless, but noise. Show a read of 5 rows.
people(5).show()

# Warm the Python workers once, then time a full scan of every column.
people(1000).write.format("noop").mode("overwrite").save()
start = time.perf_counter()
df.write.format("noop").mode("overwrite").save()
scan = time.perf_counter() - start

start = time.perf_counter()
count = df.count()
counted = time.perf_counter() - start

print(f"rows: {count}")
print(f"full scan of {ROWS} rows x {len(df.columns)} columns: {scan:.2f} s ({ROWS / scan:,.0f} rows/s)")
print(f"count(): {counted:.2f} s")


def checksum(frame):
    """A sum of per-row hashes over every column (maps as JSON: Spark does not hash maps)."""
    columns = [
        F.to_json(field.name) if isinstance(field.dataType, MapType) else F.col(field.name)
        for field in frame.schema
    ]
    hashes = F.xxhash64(*columns).cast("decimal(38,0)")  # summed without overflow
    return frame.select(F.sum(hashes).alias("sum")).first()["sum"]


# The other direction: the same rows into the Rust `files` sink (the pyspark_filesink wheel),
# published at commit, then read back with Spark's own Parquet reader.
with tempfile.TemporaryDirectory(prefix="fakepeople-demo-") as target:
    start = time.perf_counter()
    df.write.format("files").mode("overwrite").option("path", target).save()
    written = time.perf_counter() - start
    back = spark.read.parquet(target)
    files = sum(name.endswith(".parquet") for name in os.listdir(target))
    print(f"written to `files` (Parquet): {written:.2f} s ({ROWS / written:,.0f} rows/s), {files} files")
    rows_back, sums = back.count(), (checksum(back), checksum(df))
    verdict = "equal" if (rows_back, sums[0]) == (count, sums[1]) else "DIFFERENT"
    print(f"read back: {rows_back} rows, checksum {sums[0]} (source: {sums[1]}): {verdict}")
print(f"pyspark {spark.version}, python {sys.version.split()[0]}, local[2]")
spark.stop()
