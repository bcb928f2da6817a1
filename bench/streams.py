"""The stream half of `make bench`: the Rust `tail` source against Spark's own file streams.

Throughput: one prepared directory of JSON Lines files, drained with `trigger(availableNow=True)`
into Spark's `noop` sink, by Spark's `json` file stream (parsing) and by `tail` given the same
schema (parsing in Rust), and, for the lines alone, by Spark's `text` file stream and by `tail`. Latency: one line written
at a time while a query runs with the default trigger, from the write to its arrival in a
`foreachBatch` sink: appended to a file for `tail`, a new file for Spark's `text` stream (Spark's
file streams read new files only).
"""

import json
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path

FILES = 8
LINE_DDL = "id BIGINT, value DOUBLE, label STRING"
NATIVE_JSON = "native: Spark's `json` file stream"
RUST_JSON = "Rust SDK: `tail` with the schema (JSON parsed in Rust)"
NATIVE_TEXT = "native: Spark's `text` file stream (lines only)"
RUST_TEXT = "Rust SDK: `tail` (lines only)"


def prepare(directory, lines):
    """`lines` narrow rows as JSON Lines, spread over FILES files."""
    per_file = -(-lines // FILES)
    for index in range(FILES):
        first, last = index * per_file, min(lines, (index + 1) * per_file)
        text = "".join(
            f'{{"id": {i}, "value": {i * 0.5}, "label": "row-{i}"}}\n' for i in range(first, last)
        )
        (Path(directory) / f"part-{index:02}.jsonl").write_text(text)


def _frame(spark, case, directory):
    if case == NATIVE_JSON:
        return spark.readStream.schema(LINE_DDL).json(directory)
    if case == NATIVE_TEXT:
        return spark.readStream.text(directory)
    if case == RUST_JSON:
        return spark.readStream.format("tail").schema(LINE_DDL).option("path", directory).load()
    return spark.readStream.format("tail").option("path", directory).load()


def drain(spark, case, directory):
    """Seconds to read all of `directory` with AvailableNow into `noop` (the whole query, and
    its micro-batches' execution alone: Spark's `addBatch`), and the rows read."""
    with tempfile.TemporaryDirectory(prefix="bench-stream-") as checkpoint:
        start = time.perf_counter()
        query = (
            _frame(spark, case, directory)
            .writeStream.format("noop")
            .option("checkpointLocation", checkpoint)
            .trigger(availableNow=True)
            .start()
        )
        query.awaitTermination()
        seconds = time.perf_counter() - start
        progress = query.recentProgress
        rows = sum(p["numInputRows"] for p in progress)
        executing = sum(p["durationMs"].get("addBatch", 0) for p in progress) / 1000
    return seconds, executing, rows


CASES = (NATIVE_JSON, RUST_JSON, NATIVE_TEXT, RUST_TEXT)


def timed_streams(spark, lines, runs):
    """Rows/s of each case in each of `runs` rounds (after an untimed one), the cases taking
    turns so that none always follows the same one: `(case, "query")` for the whole query,
    `(case, "batches")` for its micro-batches' execution."""
    speeds = {(case, part): [] for case in CASES for part in ("query", "batches")}
    with tempfile.TemporaryDirectory(prefix="bench-lines-") as directory:
        prepare(directory, lines)
        for case in CASES:
            _, _, rows = drain(spark, case, directory)
            assert rows == lines, f"{case} read {rows:,} rows, not {lines:,}"
        for run in range(runs):
            shift = run % len(CASES)
            for case in CASES[shift:] + CASES[:shift]:
                seconds, executing, _ = drain(spark, case, directory)
                speeds[(case, "query")].append(lines / seconds)
                speeds[(case, "batches")].append(lines / executing)
            print(f"streams: run {run + 1}/{runs} done", flush=True)
    return speeds


def latencies(spark, tail, count=40, interval=0.25):
    """Seconds from writing each of `count` lines (one every `interval`) to its arrival in a
    `foreachBatch` sink: appended to one file (`tail`) or each in a new file (Spark's `text`)."""
    arrived = []

    def collect(df, _batch_id):
        now = time.time()
        arrived.extend(now - json.loads(row.value)["sent"] for row in df.select("value").collect())

    with tempfile.TemporaryDirectory(prefix="bench-latency-") as directory:
        reader = spark.readStream
        df = reader.format("tail").option("path", directory).load() if tail else reader.text(directory)
        query = df.writeStream.foreachBatch(collect).start()
        time.sleep(3)  # the query is up and polling

        def write(index):
            line = json.dumps({"sent": time.time()}) + "\n"
            if tail:
                with open(os.path.join(directory, "live.jsonl"), "a") as file:
                    file.write(line)
            else:  # a hidden name first: Spark must never see a half-written file
                hidden = os.path.join(directory, f".line-{index}.txt")
                Path(hidden).write_text(line)
                os.rename(hidden, os.path.join(directory, f"line-{index}.txt"))

        writer = threading.Thread(
            target=lambda: [(write(i), time.sleep(interval)) for i in range(count)]
        )
        writer.start()
        writer.join()
        deadline = time.monotonic() + 30
        while len(arrived) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        query.stop()
    assert len(arrived) == count, f"{len(arrived)} of {count} lines arrived"
    return arrived


def report(speeds, latency, lines):
    def cells(case, part):
        rate = statistics.median(speeds[(case, part)])
        if "Rust" not in case:
            return f"{rate:,.0f} | 1.00×"
        anchor = NATIVE_JSON if case == RUST_JSON else NATIVE_TEXT
        same_round = [a / b for a, b in zip(speeds[(case, part)], speeds[(anchor, part)])]
        return f"{rate:,.0f} | {statistics.median(same_round):.2f}×"

    rows = [f"| {case} | {cells(case, 'query')} | {cells(case, 'batches')} |" for case in CASES]
    percentile = lambda values, share: sorted(values)[int(share * (len(values) - 1))]  # noqa: E731
    latency_rows = [
        f"| {name} | {statistics.median(values) * 1000:.0f} ms | "
        f"{percentile(values, 0.9) * 1000:.0f} ms |"
        for name, values in latency.items()
    ]
    return (
        f"{lines:,} JSON Lines rows (`{LINE_DDL}`) in {FILES} files, drained with "
        "`trigger(availableNow=True)` into `noop`. *Query*: from `start()` to the end of "
        "`awaitTermination()`; *micro-batches*: Spark's `addBatch` time alone (without starting "
        "the query, its Python processes, and planning).\n\n"
        "| source | query rows/s | vs Spark's own | micro-batches rows/s | vs Spark's own |\n"
        "|---|---:|---:|---:|---:|\n" + "\n".join(rows)
        + "\n\nLatency, from writing a line to its arrival in a `foreachBatch` sink (default "
        "trigger):\n\n| source | median | p90 |\n|---|---:|---:|\n" + "\n".join(latency_rows)
    )
