"""Traffic inputs: built-in shapes carry plan's daily traffic, spikes, and the CSV of measured values."""

from __future__ import annotations

import pytest

from chatops.model.demand import UsageAssumptions
from chatops.simulate.demand import jobs_per_message, measured, peaks, shaped
from chatops.simulate.traffic import (MINUTES_PER_DAY, SHAPES, TrafficFileError, clock, parse_spike,
                                      parse_traffic_csv, shape_days, shape_multipliers, spike_multipliers)
from chatops.sizing.demand import estimate_demand


@pytest.mark.parametrize("name", sorted(SHAPES))
@pytest.mark.parametrize("peak_factor", [1.0, 2.0, 3.0, 6.0, 20.0])
def test_shapes_peak_at_plans_peak_and_average_to_plans_daily_traffic(name, peak_factor):
    days = shape_days(name)
    values = shape_multipliers(name, peak_factor, days)
    assert len(values) == days * MINUTES_PER_DAY
    assert max(values) == pytest.approx(1.0)
    # peak factor = busiest hour over the average: the day's traffic is the demand model's.
    assert sum(values) / len(values) == pytest.approx(1 / peak_factor, rel=1e-6)
    assert min(values) >= 0


def test_evening_peaks_at_half_past_eight_and_two_peaks_has_a_lunch_peak():
    evening = shape_multipliers("evening", 3, 1)
    assert evening.index(max(evening)) == 20 * 60 + 30
    two = shape_multipliers("two-peaks", 3, 1)
    lunch = max(two[11 * 60:14 * 60])
    assert two[16 * 60] < lunch < max(two)


def test_week_has_quieter_weekends_and_repeats_over_a_month():
    week = shape_multipliers("week", 3, 7)
    days = [max(week[d * MINUTES_PER_DAY:(d + 1) * MINUTES_PER_DAY]) for d in range(7)]
    assert days[5] < days[0] and days[6] < days[4]
    month = shape_multipliers("week", 3, 30)
    assert month[7 * MINUTES_PER_DAY:14 * MINUTES_PER_DAY] == week


def test_shaped_demand_peaks_at_plans_peaks():
    estimate = estimate_demand(UsageAssumptions(dau=50_000))
    demand = shaped(estimate, shape_multipliers("evening", estimate.usage.peak_factor, 1))
    for service, peak in peaks(estimate).items():
        assert max(demand.of(service)) == pytest.approx(peak)
    assert max(demand.realtime) == estimate.peak_concurrent_connections


@pytest.mark.parametrize("text, start, ramp, hold, factor", [
    ("5x@20:00/10m", 1200, 10, 60, 5.0),
    ("5x@20:00", 1200, 0, 60, 5.0),
    ("1.5@07:05+2h", 425, 0, 120, 1.5),
    ("3x@d2T09:00/5m+90m", 1440 + 540, 5, 90, 3.0),
    ("2x@d1t00:00/1h", 0, 60, 60, 2.0),
])
def test_spike_syntax(text, start, ramp, hold, factor):
    spike = parse_spike(text)
    assert (spike.start_minute, spike.ramp_minutes, spike.hold_minutes, spike.factor) == (start, ramp, hold, factor)


@pytest.mark.parametrize("text, message", [
    ("5x", "is not a spike"), ("5x@25:00", "not a time of day"), ("0x@20:00", "factor"),
    ("5x@20:00/10s", "is not a spike"), ("5x@d0T20:00", "days count from d1"), ("x@20:00", "is not a spike"),
])
def test_bad_spikes_say_what_is_wrong(text, message):
    with pytest.raises(ValueError, match=message):
        parse_spike(text)


def test_a_spike_ramps_up_holds_and_ramps_down():
    spike = parse_spike("5x@00:10/4m+3m")
    values = spike_multipliers([spike], 30)
    assert values[:10] == [1.0] * 10
    assert values[10:14] == [2.0, 3.0, 4.0, 5.0]          # reaches 5x at the end of the ramp
    assert values[14:17] == [5.0] * 3                      # holds
    assert values[17:21] == [4.0, 3.0, 2.0, 1.0]           # back to 1x at the end of the ramp down
    assert values[21:] == [1.0] * 9
    both = spike_multipliers([spike, parse_spike("2x@00:12+2m")], 30)
    assert both[12] == values[12] * 2 and both[14] == values[14]  # overlapping spikes multiply


def test_csv_with_some_columns_drives_those_services_and_shapes_the_others():
    estimate = estimate_demand(UsageAssumptions(dau=50_000))
    text = "timestamp,connections,requests_per_second\n" + "".join(
        f"2024-05-01T20:{m:02d}:00Z,{1000 * (m + 1)},{10 * (m + 1)}\n" for m in range(10))
    traffic = parse_traffic_csv(text)
    demand = measured(estimate, traffic, 20)
    assert demand.realtime[:10] == [1000.0 * (m + 1) for m in range(10)]
    assert demand.realtime[10:] == demand.realtime[:10]  # repeated to fill the run
    assert demand.api[3] == 40.0
    # No messages column: workers follow the connections' shape, at plan's peak.
    assert demand.workers[9] == pytest.approx(peaks(estimate)["workers"])
    assert demand.workers[0] == pytest.approx(peaks(estimate)["workers"] / 10)


def test_csv_messages_become_worker_jobs_by_the_demand_models_ratio():
    estimate = estimate_demand(UsageAssumptions(dau=50_000, fanout=8))
    demand = measured(estimate, parse_traffic_csv("messages_per_second\n100\n200\n"), 2)
    assert demand.workers == [100 * jobs_per_message(estimate), 200 * jobs_per_message(estimate)]
    assert jobs_per_message(estimate) == pytest.approx(8 * 0.3 * 2)  # fanout x offline share x (push + offline)


def test_csv_load_column_is_a_share_of_plans_peak():
    estimate = estimate_demand(UsageAssumptions(dau=10_000))
    demand = measured(estimate, parse_traffic_csv("load\n0.5\n1\n"), 2)
    assert demand.api == [peaks(estimate)["api"] / 2, peaks(estimate)["api"]]


def test_csv_gaps_repeat_the_row_before():
    traffic = parse_traffic_csv("timestamp,connections\n2024-05-01T00:00:00Z,10\n2024-05-01T00:05:00Z,20\n"
                                "2024-05-01T00:06:00+00:00,30\n")
    assert traffic.columns["connections"] == [10, 10, 10, 10, 10, 20, 30]
    assert traffic.filled_minutes == 4


@pytest.mark.parametrize("text, message", [
    ("", "empty"),
    ("connections\n", "a header but no rows"),
    ("timestamp\n2024-05-01T00:00:00Z\n", "no value column"),
    ("conections\n5\n", "unknown column 'conections'"),
    ("connections\n5\nabc\n", "row 3, connections: 'abc' is not a number"),
    ("connections\n-1\n", "row 2, connections: '-1' must be a finite number >= 0"),
    ("connections,load\n5\n", "row 2 has 1 cells, the header 2"),
    ("timestamp,connections\nyesterday,5\n", "row 2, timestamp: 'yesterday' is not ISO 8601"),
    ("timestamp,connections\n2024-05-01T00:00:00Z,5\n2024-05-01T00:00:30Z,6\n", "whole minutes"),
    ("timestamp,connections\n2024-05-01T00:01:00Z,5\n2024-05-01T00:00:00Z,6\n", "whole minutes"),
])
def test_bad_csv_names_the_row_or_column(text, message):
    with pytest.raises(TrafficFileError, match=message):
        parse_traffic_csv(text, "day.csv")


def test_clock_labels():
    assert clock(0) == "d1 00:00" and clock(1203) == "d1 20:03" and clock(1440 * 29 + 59) == "d30 00:59"
