"""Runs pytest suites at the same time, one per interpreter: `python run_suites.py DIR
LABEL=PYTHON[:ARGS] ...` (ARGS: pytest arguments, space-separated).

Neither PySpark suite alone keeps two cores busy (Spark's planning, its Python workers and the
test's servers wait on each other), so `make test` runs the newest and the oldest PySpark's
suites side by side. Each suite's output goes to a log under target/, printed whole when the
suite ends (never interleaved); the exit status is non-zero when any suite failed.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(directory, *suites):
    logs = ROOT / "target" / "pytest-logs"
    logs.mkdir(parents=True, exist_ok=True)
    running = []
    for suite in suites:
        label, _, spec = suite.partition("=")
        python, _, args = spec.partition(":")
        python = os.path.abspath(python)
        # The data source runs in Spark's Python workers: they must use the interpreter that has the wheel.
        env = dict(os.environ, PYSPARK_PYTHON=python, PYSPARK_DRIVER_PYTHON=python)
        log = logs / f"{Path(directory).name}-{label}.log"
        command = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--durations=5", *args.split()]
        handle = log.open("w")
        process = subprocess.Popen(command, cwd=directory, env=env, stdout=handle, stderr=subprocess.STDOUT)
        running.append((label, log, handle, process, time.perf_counter()))
        print(f"started {Path(directory).name} on {label}: {' '.join(command[1:])} (log: {log})", flush=True)
    failed = []
    for label, log, handle, process, started in running:
        code = process.wait()
        handle.close()
        print(f"\n===== {Path(directory).name} on {label}: exit {code} after {time.perf_counter() - started:.0f} s =====")
        print(log.read_text(), flush=True)
        if code != 0:
            failed.append(label)
    if failed:
        sys.exit(f"{Path(directory).name} failed on {', '.join(failed)}")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])
