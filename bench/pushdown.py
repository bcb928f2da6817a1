"""The pushdown half of `make bench`: a selective query over Parquet files, through the Rust
`arrow` file source (examples/arrowfiles) with filter pushdown off and on, and through Spark's
own Parquet reader over the same files.

The files hold narrow rows sorted by `id`, in row groups of ROW_GROUP rows: a filter on an `id`
range admits 1% of the rows, so a reader that uses the row groups' statistics skips most of
them. Each case runs `count(*)` and `sum(value)` over the filtered rows, the cases taking turns
round by round.
"""

import statistics
import tempfile
import time
from pathlib import Path

FILES = 4
ROW_GROUP = 100_000
PUSHDOWN = "spark.sql.python.filterPushdown.enabled"
RUST_OFF = "Rust SDK: `arrow`, pushdown off"
RUST_ON = "Rust SDK: `arrow`, pushdown on"
NATIVE = "native: Spark's Parquet reader"
CASES = (RUST_OFF, RUST_ON, NATIVE)


def prepare(directory, rows, files=FILES, row_group=ROW_GROUP):
    """`rows` narrow rows (id, value, label), sorted by id, in `files` Snappy Parquet files of
    `row_group`-row groups; their total size in bytes."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    per_file = -(-rows // files)
    size = 0
    for index in range(files):
        ids = pa.array(range(index * per_file, min(rows, (index + 1) * per_file)), pa.int64())
        table = pa.table(
            {
                "id": ids,
                "value": pc.multiply(pc.cast(ids, pa.float64()), 0.5),
                "label": pc.binary_join_element_wise("row-", pc.cast(ids, pa.string()), ""),
            }
        )
        path = Path(directory) / f"part-{index}.parquet"
        pq.write_table(table, path, row_group_size=row_group)
        size += path.stat().st_size
    return size


def _frame(spark, case, directory):
    if case == NATIVE:
        return spark.read.parquet(directory)
    return spark.read.format("arrow").load(directory)


def run(spark, case, directory, condition):
    """Seconds for `count(*)`, `sum(value)` of the rows `condition` admits, and the result."""
    spark.conf.set(PUSHDOWN, "true" if case == RUST_ON else "false")
    start = time.perf_counter()
    result = _frame(spark, case, directory).where(condition).selectExpr("count(*)", "sum(value)").first()
    return time.perf_counter() - start, tuple(result)


def timed(spark, rows, runs):
    """Seconds of each case in each of `runs` rounds, after an untimed round that checks every
    case gives the same result."""
    low = rows // 2
    condition = f"id >= {low} AND id < {low + rows // 100}"
    seconds = {case: [] for case in CASES}
    with tempfile.TemporaryDirectory(prefix="bench-parquet-") as directory:
        prepare(directory, rows)
        results = {case: run(spark, case, directory, condition)[1] for case in CASES}
        assert len(set(results.values())) == 1, results
        assert results[NATIVE][0] == rows // 100, results
        for index in range(runs):
            shift = index % len(CASES)
            for case in CASES[shift:] + CASES[:shift]:
                seconds[case].append(run(spark, case, directory, condition)[0])
            print(f"pushdown: run {index + 1}/{runs} done", flush=True)
    spark.conf.unset(PUSHDOWN)
    return seconds


def report(seconds, rows):
    def vs(case, anchor):
        same_round = [b / a for a, b in zip(seconds[case], seconds[anchor])]
        return f"{statistics.median(same_round):.2f}×"

    lines = [
        f"| {case} | {statistics.median(seconds[case]) * 1000:,.0f} ms | {vs(case, RUST_OFF)} "
        f"| {vs(case, NATIVE)} |"
        for case in CASES
    ]
    return (
        f"{rows:,} narrow rows sorted by `id` in {FILES} Parquet files (Snappy, row groups of "
        f"{ROW_GROUP:,} rows); `count(*)` and `sum(value)` of the 1% of rows an `id` range "
        "admits. Speeds are inverse times, as same-round ratios: above 1.00× is faster.\n\n"
        "| reader | median time | speed vs pushdown off | speed vs Spark's Parquet |\n"
        "|---|---:|---:|---:|\n" + "\n".join(lines)
    )
