"""The baseline is believable: KPI.md's definitions, computed over the generated output, land in
the ranges of a healthy regional health system."""

from __future__ import annotations

from tests.sample_data import measure
from tests.sample_data.conftest import AS_OF


def test_first_pass_acceptance_between_92_and_97_percent(baseline):
    rate, decided, _no_outcome = measure.first_pass_acceptance(measure.read_front_end(baseline))
    assert decided > 10_000
    assert 0.92 <= rate <= 0.97, rate


def test_initial_denial_rate_between_8_and_12_percent(baseline):
    rate, pairs = measure.initial_denial_rate(measure.read_remits(baseline)[0])
    assert pairs > 8_000
    assert 0.08 <= rate <= 0.12, rate


def test_days_in_ar_and_ar_over_90_days(baseline):
    days, over_90 = measure.days_in_ar(baseline, AS_OF)
    assert 40 <= days <= 50, days
    assert 0.15 <= over_90 <= 0.25, over_90


def test_posting_latency_median_between_one_and_two_days(baseline):
    median_h = measure.median(measure.posting_latency_hours(baseline, AS_OF))
    assert 24 <= median_h <= 48, median_h


def test_sla_breach_between_5_and_15_percent(baseline):
    open_late, resolved_late = measure.sla_breach(baseline, AS_OF)
    assert 0.05 <= open_late <= 0.15, open_late
    assert 0.05 <= resolved_late <= 0.15, resolved_late


def test_override_rate_between_3_and_8_percent(baseline):
    rate = measure.override_rate(baseline)
    assert 0.03 <= rate <= 0.08, rate


def test_interface_failures_are_rare_but_present(baseline):
    engine = measure.sql(baseline, "engine")
    total, failed, dead = engine.execute(
        "SELECT COUNT(*), SUM(status = 'failed'), SUM(dead_lettered_at IS NOT NULL) "
        "FROM message_log"
    ).fetchone()
    assert failed > 0 and dead > 0
    assert (failed + dead) / total < 0.01
