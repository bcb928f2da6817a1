"""The stream half of `make bench`: the Rust `tail` source against the stream pipe limit and
Spark's own file streams.

Throughput: one prepared directory of JSON Lines files, drained with `trigger(availableNow=True)`
into Spark's `noop` sink, by Spark's `json` file stream (parsing) and by `tail` given the same
schema (parsing in Rust), and, for the lines alone, by Spark's `text` file stream and by `tail`.
*Stream pipe limit*: a pure-Python `DataSourceStreamReader` over the same files, in the same
micro-batches and tasks (one micro-batch, a task per file), whose tasks hand over pyarrow batches
of the same rows built before the timed runs: no stream source on PySpark's Python path can beat
it, so it is the ceiling `tail` is held to; Spark's JVM streams show what that path costs. Latency: one line written
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

from pyspark import cloudpickle
from pyspark.sql.datasource import DataSource, DataSourceStreamReader, InputPartition
import cpu
from same_round import memory_cells, met, ratio

FILES = 8
LINE_DDL = "id BIGINT, value DOUBLE, label STRING"
# `tail`'s columns of a line: the line, its file, where it starts in the file.
TAIL_DDL = "value STRING, file STRING, position BIGINT"
NATIVE_JSON = "native: Spark's `json` file stream"
PIPE_JSON = "Python: prebuilt pyarrow batches of the parsed rows (stream pipe limit)"
RUST_JSON = "Rust SDK: `tail` with the schema (JSON parsed in Rust)"
NATIVE_TEXT = "native: Spark's `text` file stream (lines only)"
PIPE_TEXT = "Python: prebuilt pyarrow batches of the lines (stream pipe limit)"
RUST_TEXT = "Rust SDK: `tail` (lines only)"
# The SDK's default batch (`BatchSize`): about 8 MiB of Arrow data.
BATCH_BYTES = 8 << 20


def _worker_cache():
    """What each Python worker process keeps across tasks and queries: a module of its own in
    `sys.modules` (the reader arrives pickled by value, with fresh globals every task)."""
    import sys
    import types

    name = "_bench_stream_pipe_cache"
    return sys.modules.setdefault(name, types.ModuleType(name)).__dict__


def _file_batches(path, parsed):
    """One file's rows as `tail` gives them, in batches of about BATCH_BYTES."""
    import pyarrow as pa
    import pyarrow.json as pa_json

    if parsed:
        schema = pa.schema([("id", pa.int64()), ("value", pa.float64()), ("label", pa.string())])
        table = pa_json.read_json(path, parse_options=pa_json.ParseOptions(explicit_schema=schema))
    else:
        with open(path, "rb") as file:
            lines = file.read().split(b"\n")[:-1]
        positions, at = [], 0
        for line in lines:
            positions.append(at)
            at += len(line) + 1
        table = pa.table({
            "value": pa.array([line.decode() for line in lines], pa.string()),
            "file": pa.array([os.path.basename(path)] * len(lines), pa.string()),
            "position": pa.array(positions, pa.int64()),
        })
    rows = max(1, table.num_rows * BATCH_BYTES // max(1, table.nbytes))
    return table.combine_chunks().to_batches(max_chunksize=rows)


class _PipeStreamReader(DataSourceStreamReader):
    def __init__(self, directory, parsed):
        self.directory, self.parsed = directory, parsed

    def initialOffset(self):
        return {"files": 0}

    def latestOffset(self, start=None, limit=None):
        return {"files": FILES}

    def partitions(self, start, end):
        return [InputPartition(index) for index in range(start["files"], end["files"])]

    def read(self, partition):
        cache = _worker_cache()
        key = (self.directory, self.parsed)
        if key not in cache:  # every file, at the first read of the untimed run
            paths = sorted(os.listdir(self.directory))
            cache[key] = [
                _file_batches(os.path.join(self.directory, name), self.parsed) for name in paths
            ]
        yield from cache[key][partition.value]

    def commit(self, end):
        pass


class StreamPipeSource(DataSource):
    """`bench_stream_pipe`: the stream pipe limit over `path` (`parsed`: the JSON rows, else
    `tail`'s lines)."""

    @classmethod
    def name(cls):
        return "bench_stream_pipe"

    def schema(self):
        return LINE_DDL if self.options.get("parsed") == "true" else TAIL_DDL

    def streamReader(self, schema):
        return _PipeStreamReader(self.options["path"], self.options.get("parsed") == "true")


def register(spark):
    """Registers the stream pipe limit (its code shipped by value: workers cannot import bench/)."""
    import sys

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    spark.dataSource.register(StreamPipeSource)


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
    if case in (PIPE_JSON, PIPE_TEXT):
        pipe = spark.readStream.format("bench_stream_pipe").option("path", directory)
        return pipe.option("parsed", str(case == PIPE_JSON).lower()).load()
    return spark.readStream.format("tail").option("path", directory).load()


def drain(spark, case, directory):
    """Seconds to read all of `directory` with AvailableNow into `noop` (the whole query, and
    its micro-batches' execution alone: Spark's `addBatch`), the rows read, and the micro-batches
    that read any."""
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
        batches = sum(1 for p in progress if p["numInputRows"] > 0)
    return seconds, executing, rows, batches


def fingerprint(spark, case, directory):
    """The rows `case` reads from `directory`, as an order-free digest: their count and the XOR
    of each row's hash, over every micro-batch."""
    from pyspark.sql import functions as F

    seen = []

    def digest(df, _batch_id):
        row = df.select(F.count("*"), F.bit_xor(F.xxhash64(*df.columns))).first()
        seen.append((row[0], row[1] or 0))

    with tempfile.TemporaryDirectory(prefix="bench-stream-") as checkpoint:
        query = (
            _frame(spark, case, directory)
            .writeStream.foreachBatch(digest)
            .option("checkpointLocation", checkpoint)
            .trigger(availableNow=True)
            .start()
        )
        query.awaitTermination()
    xor = 0
    for _, value in seen:
        xor ^= value
    return sum(count for count, _ in seen), xor


CASES = (NATIVE_JSON, PIPE_JSON, RUST_JSON, NATIVE_TEXT, PIPE_TEXT, RUST_TEXT)
# What each case is held to: the stream pipe limit of its rows, and Spark's own stream of them.
PIPE_OF = {RUST_JSON: PIPE_JSON, RUST_TEXT: PIPE_TEXT}
NATIVE_OF = {PIPE_JSON: NATIVE_JSON, RUST_JSON: NATIVE_JSON, PIPE_TEXT: NATIVE_TEXT, RUST_TEXT: NATIVE_TEXT}
TARGET_VS_PIPE = 0.9
TARGET_LATENCY_MS = 60


# CPU seconds by process of each timed drain (bench/cpu.py), by case.
SPENT = {}
# The workers' peak RSS (MiB) of `tail` parsing JSON, by lines drained (bench.py measures it).
MEMORY = {}


def timed_streams(spark, lines, runs):
    """Rows/s of each case in each of `runs` rounds (after an untimed one), the cases taking
    turns so that none always follows the same one: `(case, "query")` for the whole query,
    `(case, "batches")` for its micro-batches' execution."""
    register(spark)
    meter = cpu.Meter(jvm=cpu.jvm_of(spark))
    speeds = {(case, part): [] for case in CASES for part in ("query", "batches")}
    with tempfile.TemporaryDirectory(prefix="bench-lines-") as directory:
        prepare(directory, lines)
        micro_batches = {}
        for case in CASES:
            _, _, rows, micro_batches[case] = drain(spark, case, directory)
            assert rows == lines, f"{case} read {rows:,} rows, not {lines:,}"
        for rust, pipe in PIPE_OF.items():
            # The ceiling holds only for the very same rows, in the same micro-batches.
            assert fingerprint(spark, rust, directory) == fingerprint(spark, pipe, directory), (
                f"{rust} and the pipe limit read different rows"
            )
            assert micro_batches[rust] == micro_batches[pipe], (
                f"{rust}: {micro_batches[rust]} micro-batches, the pipe limit "
                f"{micro_batches[pipe]}"
            )
        for run in range(runs):
            shift = run % len(CASES)
            for case in CASES[shift:] + CASES[:shift]:
                (seconds, executing, _, _), spent = meter.measure(
                    lambda: drain(spark, case, directory)
                )
                SPENT.setdefault(case, []).append(spent)
                speeds[(case, "query")].append(lines / seconds)
                speeds[(case, "batches")].append(lines / executing)
            print(f"streams: run {run + 1}/{runs} done", flush=True)
    return speeds


# Spark's checkpoint files through Hadoop's `FileSystem` API, not `FileContext`: its rename asks
# for a link's status, which Hadoop's local file system answers by starting `readlink` (and sets
# permissions by starting `chmod`) where Hadoop's native library is missing, as in PySpark's jars.
CHECKPOINT_MANAGERS = (
    "org.apache.spark.sql.execution.streaming.checkpointing.FileSystemBasedCheckpointFileManager",
    "org.apache.spark.sql.execution.streaming.FileSystemBasedCheckpointFileManager",  # 4.0
)
# The stages of a micro-batch before its rows reach the sink, from `StreamingQueryProgress`.
STAGES = ("latestOffset", "walCommit", "queryPlanning")


def file_system_checkpoints(spark):
    """The class of PySpark's release that writes checkpoints through `FileSystem`."""
    for name in CHECKPOINT_MANAGERS:
        try:
            spark.sparkContext._jvm.java.lang.Class.forName(name)
            return name
        except Exception:  # noqa: BLE001 - py4j raises its own error for a missing class
            continue
    raise RuntimeError("no FileSystemBasedCheckpointFileManager in this Spark")


def latencies(spark, tail, count=40, interval=0.25, checkpoints=None):
    """Seconds from writing each of `count` lines (one every `interval`) to its arrival in a
    `foreachBatch` sink: appended to one file (`tail`) or each in a new file (Spark's `text`);
    and the median milliseconds of each of STAGES over the micro-batches that had rows.
    `checkpoints`: the query's checkpoint file manager class (Spark's default if `None`)."""
    arrived = []

    def collect(df, _batch_id):
        now = time.time()
        arrived.extend(now - json.loads(row.value)["sent"] for row in df.select("value").collect())

    key = "spark.sql.streaming.checkpointFileManagerClass"
    if checkpoints:
        spark.conf.set(key, checkpoints)
    try:
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
            progress = [p for p in query.recentProgress if p["numInputRows"] > 0]
            query.stop()
    finally:
        if checkpoints:
            spark.conf.unset(key)
    assert len(arrived) == count, f"{len(arrived)} of {count} lines arrived"
    stages = {
        stage: statistics.median(p["durationMs"].get(stage, 0) for p in progress) for stage in STAGES
    }
    return arrived, stages


def _same_round(speeds, case, anchor, part):
    return ratio(speeds[(case, part)], speeds[(anchor, part)])


def report(speeds, latency, lines):
    def cells(case, part):
        rate = f"{statistics.median(speeds[(case, part)]):,.0f}"
        vs_pipe = f"{_same_round(speeds, case, PIPE_OF[case], part):.2f}×" if case in PIPE_OF else "—"
        vs_native = f"{_same_round(speeds, case, NATIVE_OF[case], part):.2f}×" if case in NATIVE_OF else "1.00×"
        return f"{rate} | {vs_pipe} | {vs_native}"

    rows = [f"| {case} | {cells(case, 'query')} | {cells(case, 'batches')} |" for case in CASES]
    percentile = lambda values, share: sorted(values)[int(share * (len(values) - 1))]  # noqa: E731
    latency_rows = [
        f"| {name} | {statistics.median(values) * 1000:.0f} ms | "
        f"{percentile(values, 0.9) * 1000:.0f} ms | "
        + " | ".join(f"{stages[stage]:.0f} ms" for stage in STAGES)
        + " |"
        for name, (values, stages) in latency.items()
    ]
    targets = []
    for rust, pipe in PIPE_OF.items():
        vs_pipe = _same_round(speeds, rust, pipe, "query")
        verdict = met([vs_pipe], TARGET_VS_PIPE)
        targets.append(f"| {rust} vs the stream pipe limit (query) | ≥ {TARGET_VS_PIPE}× | {vs_pipe:.2f}× | {verdict} |")
    # The target is judged with Spark's defaults (the first `tail` row).
    tail_latency = next((values for name, (values, _) in latency.items() if "tail" in name), None)
    if tail_latency:
        median = statistics.median(tail_latency) * 1000
        verdict = "met" if median <= TARGET_LATENCY_MS else "not met"
        targets.append(f"| `tail`: a line appended to its arrival, median | ≤ {TARGET_LATENCY_MS} ms | {median:.0f} ms | {verdict} |")
    if len(MEMORY) == 2:
        cells = memory_cells("`tail` with the schema, lines", sorted(MEMORY), MEMORY)
        targets.append("| " + " | ".join(cells) + " |")
    return (
        f"{lines:,} JSON Lines rows (`{LINE_DDL}`) in {FILES} files, drained with "
        "`trigger(availableNow=True)` into `noop`, in one micro-batch of a task per file. "
        "*Query*: from `start()` to the end of `awaitTermination()`; *micro-batches*: Spark's "
        "`addBatch` time alone (without starting the query, its Python processes, and "
        "planning). Ratios are same-round: against the stream pipe limit of the same rows (the "
        "target), and against Spark's own JVM stream of them (what PySpark's Python path costs, "
        "not a target).\n\n"
        "| source | query rows/s | vs pipe limit | vs Spark's own | micro-batches rows/s | vs pipe limit | vs Spark's own |\n"
        "|---|---:|---:|---:|---:|---:|---:|\n" + "\n".join(rows)
        + "\n\n| target | goal | measured | |\n|---|---|---:|---|\n" + "\n".join(targets)
        + "\n\nCPU time per million lines of a whole query, by process (`bench/cpu.py`, from "
        "/proc; the median of the timed runs): Spark's JVM (the query's driver and its tasks) and "
        "the Python workers (the planner's and the tasks' processes: the pipe limit handing over "
        "its prebuilt batches, `tail` reading and parsing the lines); *cores busy* is the whole "
        "machine's CPU time over its cores and the query's time. What `tail`'s workers spend "
        "beyond the pipe limit's is reading the files and, with the schema, parsing JSON.\n\n"
        "| source | Spark's JVM | Python workers | cores busy |\n|---|---:|---:|---:|\n"
        + "\n".join(f"| {case} | " + " | ".join(cpu.cells(SPENT.get(case), lines)) + " |"
                    for case in CASES)
        + "\n\nLatency, from writing a line to its arrival in a `foreachBatch` sink (default "
        "trigger), and the median of three stages of the micro-batches that carried lines, from "
        "Spark's progress reports: the source's `latestOffset`, Spark writing the batch's offsets "
        "to its checkpoint (`walCommit`), and planning. Most of the latency is Spark's checkpoint "
        "write: where Hadoop's native library is missing (PySpark's jars have none), Hadoop's "
        "local file system starts a `readlink` or `chmod` process for each file operation of "
        "Spark's default checkpoint manager (seen with `strace`); the rows marked *FileSystem "
        "checkpoints* set `spark.sql.streaming.checkpointFileManagerClass` to Spark's "
        "`FileSystemBasedCheckpointFileManager`, which skips the `readlink` calls "
        "(`docs/streaming.md`).\n\n"
        "| source | median | p90 | `latestOffset` | `walCommit` | `queryPlanning` |\n"
        "|---|---:|---:|---:|---:|---:|\n" + "\n".join(latency_rows)
    )
