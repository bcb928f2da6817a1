"""The main job: read the Rust `fakepeople` source from PySpark (local[2]) with no register()
call: Spark finds the installed `pyspark_fakepeople` module by itself."""

import os
import sys
import time

from pyspark.sql import SparkSession

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
print(f"pyspark {spark.version}, python {sys.version.split()[0]}, local[2]")
spark.stop()
