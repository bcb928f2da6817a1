"""Ratios as `make bench` states them, shared by its halves: each run of a case against the
anchor's run in the same round (so drift between rounds cancels out), and whether a goal is met."""

import statistics


def ratio(speeds, anchors):
    """The median of run-by-run ratios of `speeds` to `anchors` (rates, or inverse times: pass
    the anchor's seconds as `speeds` and the case's as `anchors`)."""
    return statistics.median(s / a for s, a in zip(speeds, anchors))


def met(values, goal):
    """`met` when every measured ratio reaches the goal."""
    return "met" if all(value >= goal for value in values) else "not met"


# Worker peak RSS at the larger size over the smaller: flat memory means batches stream (#27).
MEMORY_GROWTH_GOAL = 1.20


def memory_cells(name, sizes, peaks):
    """A memory target's cells: the workers' peak RSS (MiB) at the larger of `sizes` (rows)
    against the smaller, the goal, and the verdict last."""
    small, large = sizes
    growth = peaks[large] / peaks[small]
    return [
        f"worker peak RSS, {large:,} vs {small:,} rows ({name})",
        f"≤ {MEMORY_GROWTH_GOAL:.2f}×",
        f"{growth:.2f}× ({peaks[large]:.0f} MiB vs {peaks[small]:.0f} MiB)",
        "met" if growth <= MEMORY_GROWTH_GOAL else "not met",
    ]
