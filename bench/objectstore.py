"""The object-storage half of `make bench`: the Rust `arrow` source (examples/arrowfiles) over
the same Parquet files on local disk and in an S3-compatible store on 127.0.0.1 (moto's
standalone server, tests/python/servers.py, reached directly), and Spark's own Parquet reader
over the local files for reference.

Each case is a full scan into Spark's `noop` sink, the cases taking turns round by round; the
S3 case is compared with the local one as a same-round ratio. To say where the time goes, the
store's own rate is timed too: GETs of whole files, from a Python client in this process.
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "python"))

import pushdown  # noqa: E402  (bench/ is first on sys.path)
from servers import S3Server  # noqa: E402

FILES = 4
ROW_GROUP = 262_144
LOCAL = "Rust SDK: `arrow`, local disk"
S3 = "Rust SDK: `arrow`, S3 (moto on 127.0.0.1)"
NATIVE = "native: Spark's Parquet reader, local disk"
CASES = (LOCAL, S3, NATIVE)


def frame(spark, case, directory, store):
    if case == NATIVE:
        return spark.read.parquet(directory)
    if case == LOCAL:
        return spark.read.format("arrow").load(directory)
    reader = spark.read.format("arrow")
    for key, value in store.options(awsEndpoint=store.moto_url).items():
        reader = reader.option(key, value)
    return reader.load(f"s3://{store.bucket}/bench/")


def store_rate(store, keys):
    """Bytes/s of whole-object GETs from the store (one client, one object at a time)."""
    start, size = time.perf_counter(), 0
    for key in keys:
        size += len(store.s3.get_object(Bucket=store.bucket, Key=key)["Body"].read())
    return size / (time.perf_counter() - start)


def store_latency(store, key, requests=50):
    """Median seconds of a 64 KiB ranged GET (a footer's size): the store's cost per request."""
    seconds = []
    for _ in range(requests):
        start = time.perf_counter()
        store.s3.get_object(Bucket=store.bucket, Key=key, Range="bytes=0-65535")["Body"].read()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds)


def timed(spark, rows, runs):
    """Seconds of each case's full scan in each of `runs` rounds (after one untimed round that
    checks every case reads the same rows), the size of the files, and the store's own rate."""
    store = S3Server()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-objects-") as directory:
            size = pushdown.prepare(directory, rows, FILES, ROW_GROUP)
            keys = []
            for path in sorted(Path(directory).glob("*.parquet")):
                keys.append(f"bench/{path.name}")
                store.put_file(keys[-1], path)
            checks = {
                case: tuple(frame(spark, case, directory, store)
                            .selectExpr("count(*)", "sum(id)", "sum(length(label))").first())
                for case in CASES
            }
            assert len(set(checks.values())) == 1 and checks[LOCAL][0] == rows, checks
            seconds = {case: [] for case in CASES}
            for index in range(runs):
                shift = index % len(CASES)
                for case in CASES[shift:] + CASES[:shift]:
                    df = frame(spark, case, directory, store)
                    start = time.perf_counter()
                    df.write.format("noop").mode("overwrite").save()
                    seconds[case].append(time.perf_counter() - start)
                print(f"object storage: run {index + 1}/{runs} done", flush=True)
            rate = statistics.median(store_rate(store, keys) for _ in range(3))
            latency = store_latency(store, keys[0])
            tasks = frame(spark, S3, directory, store).rdd.getNumPartitions()
            return seconds, size, rate, latency, tasks
    finally:
        store.stop()


def report(measured, rows):
    if not measured:
        return ""
    seconds, size, rate, latency, tasks = measured
    local = seconds[LOCAL]

    def vs_local(case):
        return f"{statistics.median(l / s for s, l in zip(seconds[case], local)):.2f}×"

    lines = [
        f"| {case} | {statistics.median(seconds[case]) * 1000:,.0f} ms "
        f"| {rows / statistics.median(seconds[case]):,.0f} rows/s | {vs_local(case)} |"
        for case in CASES
    ]
    s3_seconds = statistics.median(seconds[S3])
    gap = s3_seconds - statistics.median(local)
    # Two tasks at a time (local[2]): each makes its requests one after another.
    requests = tasks * latency / 2
    transfer = size / rate / 2
    return (
        f"{rows:,} narrow rows in {FILES} Snappy Parquet files ({size / 2**20:,.0f} MiB, row "
        f"groups of {ROW_GROUP:,} rows), read whole into Spark's `noop` sink. *Speed vs local* is "
        "the same-round ratio against the `arrow` source over the same files on local disk: "
        "above 1.00× is faster.\n\n"
        "| reader | median time | rows/s | speed vs local |\n|---|---:|---:|---:|\n"
        + "\n".join(lines)
        + f"\n\nWhere the S3 time goes ({gap:.1f} s above the local scan): the store is moto's "
        f"server, in Python, which answered a 64 KiB ranged GET in {latency * 1000:.0f} ms "
        f"(median) and served whole objects at {rate / 2**20:,.0f} MiB/s to one client. The scan "
        f"runs {tasks} tasks (a row group each), two at a time, each fetching its row group's "
        f"column chunks (the footer once per worker and file, cached): about "
        f"{requests:.1f} s of request latency and {transfer:.1f} s of transfer at those rates"
        + (
            ", which is the whole gap"
            if requests + transfer >= gap
            else f"; the other {gap - requests - transfer:.1f} s is time a task waits on its "
            "row group's bytes before decoding them (a row group is fetched whole, then decoded)"
        )
        + ". Against a real S3 endpoint, latency and bandwidth are the network's, not this "
        "server's."
    )
