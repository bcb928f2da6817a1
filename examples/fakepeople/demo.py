"""The main job: read the Rust `fakepeople` source from PySpark (local[2]) with no register()
call: Spark finds the installed `pyspark_fakepeople` module by itself."""

import os
import sys
import time

from pyspark.sql import SparkSession

ROWS = int(os.environ.get("DEMO_ROWS", "1000000"))

spark = (
    SparkSession.builder.master("local[2]")
    .appName("fakepeople-demo")
    .config("spark.ui.enabled", "false")
    .config("spark.ui.showConsoleProgress", "false")
    .config("spark.sql.session.timeZone", "UTC")
    .getOrCreate()
)
spark.sparkContext.setLogLevel("ERROR")

df = spark.read.format("fakepeople").option("numRows", ROWS).option("numPartitions", 2).load()
df.printSchema()
df.show(5)

# Warm the Python workers once, then time a full scan of every column.
df.limit(1000).write.format("noop").mode("overwrite").save()
start = time.perf_counter()
df.write.format("noop").mode("overwrite").save()
scan = time.perf_counter() - start

start = time.perf_counter()
count = df.count()
counted = time.perf_counter() - start

print(f"rows: {count}")
print(f"full scan of {ROWS} rows x {len(df.columns)} columns: {scan:.2f} s ({ROWS / scan:,.0f} rows/s)")
print(f"count(): {counted:.2f} s")
print(f"pyspark {spark.version}, python {sys.version.split()[0]}, local[2]")
spark.stop()
