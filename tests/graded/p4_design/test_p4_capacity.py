"""Graded: back-of-envelope capacity."""

from __future__ import annotations

import pytest


@pytest.mark.rubric("p4.capacity.peak_qps", points=3)
def test_peak_qps_from_daily_volume_and_peak_factor(project_module):
    """Peak QPS is the daily volume spread over 86,400 seconds, times the peak factor."""
    capacity = project_module("fraud_design.capacity")
    assert capacity.peak_qps(1_728_000, 2.5) == pytest.approx(50.0), (
        "1,728,000 a day is 20 per second on average; at a peak factor of 2.5 that is 50 QPS, you returned "
        f"{capacity.peak_qps(1_728_000, 2.5)}."
    )
    assert capacity.peak_qps(864_000, 1.0) == pytest.approx(10.0), "864,000 a day at peak factor 1 is 10 QPS."


@pytest.mark.rubric("p4.capacity.reads_and_storage", points=3)
def test_feature_reads_and_storage_per_day(project_module):
    """Feature-store reads/s = peak QPS x reads per request; storage/day = volume x bytes x replicas (GB)."""
    capacity = project_module("fraud_design.capacity")
    reads = capacity.feature_store_reads_per_second(50.0, 4)
    assert reads == pytest.approx(200.0), (
        f"50 QPS x 4 lookups per request is 200 reads/s, you returned {reads}."
    )
    storage = capacity.storage_gb_per_day(1_000_000, 2_000, 3)
    assert storage == pytest.approx(6.0), (
        f"1,000,000 payments x 2,000 bytes x 3 replicas is 6e9 bytes = 6.0 GB (decimal) a day; "
        f"you returned {storage}."
    )


@pytest.mark.rubric("p4.capacity.peak_qps", points=2)
def test_peak_qps_rejects_a_peak_below_the_average(project_module):
    """peak_qps raises a ValueError for a peak factor below 1 or a negative daily volume."""
    capacity = project_module("fraud_design.capacity")
    for daily, factor, why in (
        (1_000_000, 0.5, "a peak factor of 0.5 puts the peak below the average rate"),
        (-1_000, 2.0, "a negative daily volume is not a volume"),
    ):
        try:
            value = capacity.peak_qps(daily, factor)
        except ValueError:
            continue
        pytest.fail(
            f"peak_qps({daily}, {factor}) returned {value}, but {why}: raise a ValueError that says so "
            "(see the docstring).",
            pytrace=False,
        )
