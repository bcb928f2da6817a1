"""CPU time by part of the pipe, read from /proc around a timed run: where the cores went, so that
a gap to a goal can be explained by measurement (which process spent the time), not by guess.

A process's time is its own (`utime`, `stime`) plus that of its children it has reaped
(`cutime`, `cstime`): a PostgreSQL backend or a Python worker that exits during a run is still
counted, through its parent's reaped time. Resolution is the kernel's clock tick (10 ms).
"""

import os
import statistics
import time

TICK = os.sysconf("SC_CLK_TCK")
POSTGRES = "PostgreSQL"
JVM = "Spark's JVM"
PYTHON = "Python workers"
GROUPS = (POSTGRES, JVM, PYTHON)


def _processes():
    """pid -> (parent pid, its own seconds, its reaped children's seconds)."""
    table = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as stat:
                text = stat.read()
        except OSError:  # it exited while listed
            continue
        # After the command name, in parentheses (which may hold spaces): the state, then the
        # parent pid; utime, stime, cutime and cstime are the 14th to 17th fields of the line.
        fields = text.rsplit(")", 1)[1].split()
        own = (int(fields[11]) + int(fields[12])) / TICK
        children = (int(fields[13]) + int(fields[14])) / TICK
        table[int(name)] = (int(fields[1]), own, children)
    return table


def _busy_seconds():
    """Seconds all cores spent on anything but idling since boot (/proc/stat)."""
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle, iowait = values[3], values[4]
    return (sum(values[:8]) - idle - iowait) / TICK


class Meter:
    """CPU seconds of PostgreSQL (the server whose postmaster is `postmaster`, with its
    backends), of Spark's JVM (the driver process `jvm`, local mode: it runs the tasks) and of the
    Python workers it starts (every process below the JVM)."""

    def __init__(self, jvm, postmaster=None):
        self.jvm = jvm
        self.postmaster = postmaster

    def _group_of(self, pid, table):
        """The group whose root is `pid` or an ancestor of it, or None."""
        seen = 0
        while pid in table and seen < 64:
            if pid == self.postmaster:
                return POSTGRES
            if pid == self.jvm:
                return JVM
            pid = table[pid][0]
            seen += 1
        return None

    def snapshot(self):
        totals = dict.fromkeys(GROUPS, 0.0)
        table = _processes()
        for pid, (_, own, children) in table.items():
            group = self._group_of(pid, table)
            if group is None:
                continue
            if pid == self.jvm:
                # The JVM's own threads are Spark; what it started and reaped is Python.
                totals[JVM] += own
                totals[PYTHON] += children
            elif group == JVM:
                totals[PYTHON] += own + children
            else:
                totals[group] += own + children
        totals["busy"] = _busy_seconds()
        totals["wall"] = time.monotonic()
        return totals

    @staticmethod
    def spent(before, after):
        """Seconds each group (and all cores, `busy`) spent between two snapshots, and the
        seconds between them (`wall`)."""
        return {key: after[key] - before[key] for key in before}

    def measure(self, run):
        """`run()`'s result, and the seconds each group spent while it ran (`spent`)."""
        before = self.snapshot()
        result = run()
        return result, self.spent(before, self.snapshot())


def postmaster_of(data_directory):
    """The postmaster's pid, from the first line of `postmaster.pid` in its data directory."""
    with open(os.path.join(data_directory, "postmaster.pid")) as pid_file:
        return int(pid_file.readline())


def jvm_of(spark):
    """The pid of a local session's JVM: PySpark starts it with `spark-submit`, which `exec`s
    into `java`, so the process PySpark started is the JVM."""
    return spark.sparkContext._gateway.proc.pid


def cells(runs, rows):
    """Table cells of timed runs (their `Meter.spent`) of `rows` rows each: the median CPU time
    per million rows of Spark's JVM and of the Python workers, and how busy the cores were."""
    if not runs:
        return ["—"] * 3
    milliseconds = 1e9 / rows  # seconds per row, as milliseconds per million rows
    return [
        f"{statistics.median(spent[JVM] for spent in runs) * milliseconds:.0f} ms",
        f"{statistics.median(spent[PYTHON] for spent in runs) * milliseconds:.0f} ms",
        f"{busy_share(runs):.0%}",
    ]


def busy_share(runs):
    """The median share of the machine's cores busy over each run (its `Meter.spent`)."""
    cores = os.cpu_count()
    return statistics.median(spent["busy"] / (spent["wall"] * cores) for spent in runs)
