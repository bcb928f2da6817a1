"""The database half of `make bench`: one PostgreSQL table read by the Rust `sqldb` source
(examples/sqldb) and by Spark's own JDBC reader (the PostgreSQL JDBC driver from Debian's
`libpostgresql-jdbc-java`), each with 1, 4 and 16 partitions over the table's `id` range, and with
64 small partitions, where `sqldb` also runs without its connection pool (a connection per
task, as before the pool).

The server is started here (tests/python/servers.py: 127.0.0.1, a temporary directory). Each
case is a full scan into Spark's `noop` sink; the cases take turns round by round, and speeds are
compared as same-round ratios against JDBC with the same partitions.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "python"))

import cpu  # noqa: E402
from same_round import memory_cells, met, ratio  # noqa: E402
from servers import PostgresServer  # noqa: E402

JDBC_JAR = "/usr/share/java/postgresql.jar"
PARTITIONS = (1, 4, 16)
# Where `sqldb` is held to 1.5× Spark's JDBC reader (#27).
TARGET_PARTITIONS = (4, 16)
TARGET_VS_JDBC = 1.5
# Many small partitions: where opening a connection per task shows.
MANY = 64
UNPOOLED = "sqldb, a connection per task"
TABLE = """
CREATE TABLE bench_rows (
    id bigint NOT NULL, value double precision NOT NULL, label text NOT NULL,
    day date NOT NULL, amount numeric(12, 2) NOT NULL
);
INSERT INTO bench_rows
SELECT i, i * 0.5, 'row-' || i, date '2024-01-01' + (i % 1000), (i % 100000) * 0.01
FROM generate_series(1, {rows}) AS i;
-- Partitioned reads split `id` into ranges: each task's range is found by the index, not by
-- a scan of the whole table (as Spark's JDBC documentation advises).
ALTER TABLE bench_rows ADD PRIMARY KEY (id);
"""
# The table's rows as PostgreSQL generates them, for the memory runs (no table to load).
GENERATED = """
SELECT i::int8 AS id, (i * 0.5)::float8 AS value, 'row-' || i AS label,
       date '2024-01-01' + (i % 1000) AS day, ((i % 100000) * 0.01)::numeric(12, 2) AS amount
FROM generate_series(1, {rows}) AS i
"""
# The workers' peak RSS (MiB) of `sqldb` reading GENERATED, by rows (bench.py measures it).
MEMORY = {}


def generated(spark, server, rows):
    """`rows` generated rows, read with `sqldb` in one partition."""
    return (
        spark.read.format("sqldb")
        .option("url", server.url)
        .option("user", server.USER)
        .option("password", server.password)
        .option("query", GENERATED.format(rows=rows))
        .load()
    )


def case_name(reader, partitions):
    return f"{reader}, {partitions} partition{'s' if partitions > 1 else ''}"


def cases():
    few = [(reader, partitions) for partitions in PARTITIONS for reader in ("sqldb", "jdbc")]
    return few + [("sqldb", MANY), (UNPOOLED, MANY), ("jdbc", MANY)]


def frame(spark, server, rows, reader, partitions):
    if reader == "jdbc":
        df = (
            spark.read.format("jdbc")
            .option("url", f"jdbc:postgresql://127.0.0.1:{server.port}/postgres")
            .option("user", server.USER)
            .option("password", server.password)
            .option("driver", "org.postgresql.Driver")
            .option("dbtable", "bench_rows")
        )
    else:
        df = (
            spark.read.format("sqldb")
            .option("url", server.url)
            .option("user", server.USER)
            .option("password", server.password)
            .option("table", "bench_rows")
            .option("poolConnections", str(reader != UNPOOLED).lower())
        )
    if partitions > 1:
        df = (
            df.option("partitionColumn", "id")
            .option("numPartitions", partitions)
            .option("lowerBound", 1)
            .option("upperBound", rows)
        )
    return df.load()


def scan_seconds(df):
    start = time.perf_counter()
    df.write.format("noop").mode("overwrite").save()
    return time.perf_counter() - start


def timed(spark, rows, runs):
    """Seconds of each case's full scan in each of `runs` rounds, after an untimed round that
    checks both readers give the same rows (count and sums); and the CPU seconds each scan cost
    PostgreSQL, Spark's JVM and the Python workers (bench/cpu.py)."""
    server = PostgresServer()
    try:
        meter = cpu.Meter(jvm=cpu.jvm_of(spark), postmaster=cpu.postmaster_of(server.data))
        started = time.perf_counter()
        server.sql(TABLE.format(rows=rows))
        server.sql("VACUUM ANALYZE bench_rows")
        print(f"database: {rows:,} rows loaded in {time.perf_counter() - started:.0f} s", flush=True)
        checks = {}
        for reader, partitions in cases():
            df = frame(spark, server, rows, reader, partitions)
            checks[(reader, partitions)] = tuple(
                df.selectExpr("count(*)", "sum(id)", "sum(value)", "sum(amount)",
                              "sum(length(label))", "max(day)").first()
            )
        assert len(set(checks.values())) == 1, checks
        assert checks[("jdbc", 1)][0] == rows, checks
        seconds = {case: [] for case in cases()}
        spent = {case: [] for case in cases()}
        for index in range(runs):
            order = cases()
            shift = index % len(order)
            for reader, partitions in order[shift:] + order[:shift]:
                df = frame(spark, server, rows, reader, partitions)
                took, used = meter.measure(lambda: scan_seconds(df))
                seconds[(reader, partitions)].append(took)
                spent[(reader, partitions)].append(used)
            print(f"database: run {index + 1}/{runs} done", flush=True)
        return seconds, spent
    finally:
        server.stop()


def report(measured, rows):
    if not measured:
        return ""
    seconds, spent = measured

    def speedup(reader, partitions):
        # Speeds are inverse times: JDBC's seconds over ours.
        return ratio(seconds[("jdbc", partitions)], seconds[(reader, partitions)])

    def vs_jdbc(reader, partitions):
        return f"{speedup(reader, partitions):.2f}×"

    names = {"sqldb": "Rust SDK: `sqldb`", UNPOOLED: "Rust SDK: `sqldb`, a connection per task",
             "jdbc": "native: Spark JDBC"}
    lines = [
        f"| {case_name(names[reader], partitions)} "
        f"| {statistics.median(seconds[(reader, partitions)]) * 1000:,.0f} ms "
        f"| {rows / statistics.median(seconds[(reader, partitions)]):,.0f} rows/s "
        f"| {vs_jdbc(reader, partitions)} |"
        for reader, partitions in cases()
    ]
    def per_task(reader):
        """Milliseconds each partition beyond the few adds to a whole scan."""
        extra = statistics.median(seconds[(reader, MANY)]) - statistics.median(
            seconds[("jdbc" if reader == "jdbc" else "sqldb", PARTITIONS[-1])]
        )
        return extra / (MANY - PARTITIONS[-1]) * 1000

    costs = (
        f"\n\nEach partition beyond {PARTITIONS[-1]} adds {per_task('sqldb'):.0f} ms to a "
        f"`sqldb` scan with pooled connections, {per_task(UNPOOLED):.0f} ms with a connection "
        f"per task, and {per_task('jdbc'):.0f} ms to Spark's JDBC reader's: the pool saves the "
        "difference of the first two, and the rest of what `sqldb` pays over JDBC is the cost "
        "of a task of a Python data source (its Python worker's round trip, the reader "
        "unpickled, the source opened from its options), which a JVM task does not have."
    )
    return (
        f"{rows:,} rows of `(id bigint primary key, value double precision, label text, day date, "
        "amount numeric(12,2))` in PostgreSQL 15 on 127.0.0.1, read whole into Spark's `noop` "
        "sink; partitions split `id` over its full range (given bounds). Spark's JDBC reader "
        "runs with its defaults (the PostgreSQL driver's default fetch size), `sqldb` with its "
        "own (batches of about 8 MiB), its connections from a pool per Python worker (kept "
        f"between tasks and queries); *a connection per task* turns the pool off "
        f"(`poolConnections=false`), as every task did before it. With {MANY} partitions each "
        "task reads a small range, so setting up its connection weighs. Speed vs JDBC is the "
        "same-round ratio with the same partitions: above 1.00× is faster.\n\n"
        "| reader | median time | rows/s | speed vs JDBC |\n|---|---:|---:|---:|\n" + "\n".join(lines)
        + costs
        + "\n\n| target | goal | measured | |\n|---|---|---:|---|\n"
        + "\n".join(
            f"| `sqldb` vs Spark JDBC, {partitions} partitions | ≥ {TARGET_VS_JDBC}× | "
            f"{speedup('sqldb', partitions):.2f}× | "
            f"{met([speedup('sqldb', partitions)], TARGET_VS_JDBC)} |"
            for partitions in TARGET_PARTITIONS
        )
        + (("\n| " + " | ".join(memory_cells("`sqldb`, rows PostgreSQL generates, 1 partition",
                                              sorted(MEMORY), MEMORY)) + " |")
           if len(MEMORY) == 2 else "")
        + "\n\n" + cpu_report(seconds, spent, rows)
    )


def cpu_report(seconds, spent, rows):
    """Where the cores went in the targeted cases, and the speed over JDBC those figures allow
    `sqldb` at most (when the cores are busy, a scan cannot take less time than its CPU seconds
    over the cores)."""
    def median(case, key):
        return statistics.median(run[key] for run in spent[case])

    lines = []
    bounds = []
    for partitions in TARGET_PARTITIONS:
        for reader in ("sqldb", "jdbc"):
            case = (reader, partitions)
            wall = statistics.median(seconds[case])
            lines.append(
                f"| {case_name(reader, partitions)} | {wall:.2f} s | "
                + " | ".join(f"{median(case, group):.2f} s" for group in cpu.GROUPS)
                + f" | {cpu.busy_share(spent[case]):.0%} |"
            )
        ours, theirs = ("sqldb", partitions), ("jdbc", partitions)
        spark_side = median(ours, cpu.POSTGRES) + median(ours, cpu.JVM)
        jdbc_total = sum(median(theirs, group) for group in cpu.GROUPS)
        allowed = jdbc_total / TARGET_VS_JDBC - spark_side
        bounds.append(
            f"at {partitions} partitions, PostgreSQL and Spark's JVM spend {spark_side:.2f} s on a "
            f"`sqldb` scan and all of JDBC's costs {jdbc_total:.2f} s: with no Python work at all, "
            f"`sqldb` could reach {jdbc_total / spark_side:.2f}× JDBC's speed; "
            f"{TARGET_VS_JDBC}× leaves its Python workers "
            + (f"{allowed:.2f} s ({allowed / rows * 1e9:.0f} ns a row)" if allowed > 0
               else "nothing")
            + f", where they spend {median(ours, cpu.PYTHON):.2f} s "
            f"({median(ours, cpu.PYTHON) / rows * 1e9:.0f} ns a row)"
        )
    return (
        "CPU seconds of a scan by process (median; from /proc, `bench/cpu.py`): PostgreSQL's "
        "server and backends, Spark's JVM (the tasks' threads: JDBC's driver and rows, or the "
        "Arrow batches of a Python source turned into Spark's rows), and the Python workers "
        "(`sqldb` decoding PostgreSQL's rows into Arrow, PySpark's worker); *cores busy* is the "
        f"whole machine's CPU time over {os.cpu_count()} cores × the scan's time.\n\n"
        "| case | time | " + " | ".join(cpu.GROUPS) + " | cores busy |\n"
        "|---|---:|---:|---:|---:|---:|\n" + "\n".join(lines)
        + "\n\nWhen the cores are busy, a scan takes at least its CPU seconds over the cores: "
        + "; ".join(bounds) + "."
    )
