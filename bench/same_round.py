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
