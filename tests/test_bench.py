"""The benchmark's own arithmetic and a small real run of its scaling scenario."""

from __future__ import annotations

import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))

from run import doubling, paired_ratio, scaling  # noqa: E402


def test_the_doubling_ratio_compares_sizes_within_each_round() -> None:
    # The first size of 50 met a fast minute of the machine: its best time over the size of 100's
    # would be 16 / 6 = 2.67, though within two rounds of three the larger size took 1.8 and 1.6 times as long.
    rows = [{"issues": 50, "round_seconds": [6.0, 10.0, 10.0], "round_cpu_seconds": [9.0, 15.0, 15.0]},
            {"issues": 100, "round_seconds": [20.0, 18.0, 16.0], "round_cpu_seconds": [30.0, 27.0, 24.0]}]
    assert doubling(rows) == [{"issues": 100, "ratio": 1.8, "wall_ratio": 1.8}]


def test_a_small_scaling_run_builds_each_size_in_each_round() -> None:
    rows = scaling([2, 4], 2)
    assert [row["issues"] for row in rows] == [2, 4]
    for row in rows:
        assert len(row["round_seconds"]) == len(row["round_cpu_seconds"]) == 2
        assert row["seconds"] == min(row["round_seconds"]) and row["cpu_seconds"] == min(row["round_cpu_seconds"])
        assert row["cpu_seconds"] > 0
    # Each issue is a one-page note in the pack and has its talking points in the delegation pack.
    assert rows[1]["pages"] > rows[0]["pages"] > 4
    assert [row["issues"] for row in doubling(rows)] == [4]


def test_the_pandoc_ratio_is_the_median_of_each_rounds_pair() -> None:
    # A slow minute made pandoc's second round 3 s: the ratio of the medians (0.8 / 1.1 = 0.73)
    # would flatter briefgen; the median of the rounds' own ratios (0.8, 0.27, 0.82) does not.
    assert paired_ratio([0.8, 0.8, 0.9], [1.0, 3.0, 1.1]) == 0.8
    assert paired_ratio([0.7, 0.8, 0.9], [1.0, 1.0, 1.0]) == 0.8
