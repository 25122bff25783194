"""Each scenario shifts what the generated sources show, against the baseline (same seed, size
and as-of), measured in the files and tables."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

from tests.sample_data import measure
from tests.sample_data.conftest import AS_OF


def _835_days(folder, payer: str) -> set[date]:
    days = set()
    for path in (folder / "clearinghouse" / "inbound").glob(f"*_835_{payer}_*.835"):
        days.add(datetime.strptime(path.name[:8], "%Y%m%d").date())
    return days


def test_payer_outage_stops_one_payers_835s_for_ten_days(generated):
    base, outage = generated("baseline"), generated("payer_outage")
    window = {AS_OF - timedelta(days=d) for d in range(8, 18)}  # 10 days ending 7 days ago
    assert len(_835_days(base, "CEDAR") & window) >= 2
    assert _835_days(outage, "CEDAR") & window == set()

    # Longest gap between two CEDARLINE remittance days: at least 10 days, baseline ≤ 5.
    def longest_gap(days):
        d = sorted(days)
        return max((b - a).days for a, b in itertools.pairwise(d))

    assert longest_gap(_835_days(outage, "CEDAR")) >= 10
    assert longest_gap(_835_days(base, "CEDAR")) <= 5
    # Other payers are unaffected.
    assert _835_days(outage, "BLUE") == _835_days(base, "BLUE")


def _failures(folder, interface: str, start: datetime, end: datetime) -> tuple[int, int]:
    engine = measure.sql(folder, "engine")
    return engine.execute(
        "SELECT COUNT(*), SUM(dead_lettered_at IS NOT NULL) FROM message_log "
        "WHERE interface = ? AND created_at >= ? AND created_at < ?",
        (interface, start.isoformat(), end.isoformat()),
    ).fetchone()


def test_dead_letter_storm_fails_an_interface_for_hours(generated):
    base, storm = generated("baseline"), generated("dead_letter_storm")
    engine = measure.sql(storm, "engine")
    rows = engine.execute(
        "SELECT created_at FROM message_log WHERE error_signature = 'ECONNREFUSED' "
        "ORDER BY created_at"
    ).fetchall()
    assert len(rows) >= 10
    first, last = datetime.fromisoformat(rows[0][0]), datetime.fromisoformat(rows[-1][0])
    assert timedelta(hours=3) <= last - first <= timedelta(hours=8)
    total, dead = _failures(storm, "dft_charges", first, last + timedelta(seconds=1))
    assert dead == total  # every message in the window dead-lettered
    total_b, dead_b = _failures(base, "dft_charges", first, last + timedelta(seconds=1))
    assert total_b > 0 and (dead_b or 0) <= 0.05 * total_b
    work = measure.sql(storm, "workflow")
    items = work.execute(
        "SELECT COUNT(*) FROM work_item WHERE stage = 'interface' AND exception_type = "
        "'ECONNREFUSED'"
    ).fetchone()[0]
    assert items == dead


def test_posting_backlog_triples_latency_at_one_hospital(generated):
    base, backlog = generated("baseline"), generated("posting_backlog")
    since = AS_OF - timedelta(days=40)
    b = measure.median(measure.posting_latency_hours(base, AS_OF, since, "H02"))
    s = measure.median(measure.posting_latency_hours(backlog, AS_OF, since, "H02"))
    assert 2.5 * b <= s <= 4 * b, (b, s)
    # Another hospital is unaffected.
    b1 = measure.median(measure.posting_latency_hours(base, AS_OF, since, "H01"))
    s1 = measure.median(measure.posting_latency_hours(backlog, AS_OF, since, "H01"))
    assert abs(s1 - b1) <= 0.1 * b1


def _authorization_denial_rate(folder, payer_id: str, since: date, until: date = AS_OF) -> float:
    clps, _ = measure.read_remits(folder)
    firsts = [
        c
        for (pcn, payer), c in measure.initial_adjudications(clps).items()
        if payer == payer_id and since <= c.production < until
    ]
    auth = [
        c
        for c in firsts
        if measure.denial_kind(c) != "none" and measure.denial_category(c) == "authorization"
    ]
    return len(auth) / len(firsts)


def test_denial_spike_one_payer_denies_for_authorization(generated):
    base, spike = generated("baseline"), generated("denial_spike")
    since = AS_OF - timedelta(days=50)
    b = _authorization_denial_rate(base, "ZZ304", since)
    s = _authorization_denial_rate(spike, "ZZ304", since)
    assert b < 0.05 and s >= 0.15, (b, s)
    # Before the spike, nothing changed.
    early, spike_start = AS_OF - timedelta(days=150), AS_OF - timedelta(days=60)
    assert (
        abs(
            _authorization_denial_rate(spike, "ZZ304", early, spike_start)
            - _authorization_denial_rate(base, "ZZ304", early, spike_start)
        )
        < 0.03
    )


def test_override_spike_after_a_rules_new_version(generated):
    base, spike = generated("baseline"), generated("override_spike")
    since = AS_OF - timedelta(days=40)
    b = measure.override_rate(base, "SCRUB-AUTH", since)
    s = measure.override_rate(spike, "SCRUB-AUTH", since)
    assert b <= 0.15 and s >= 0.3, (b, s)
    work = measure.sql(spike, "workflow")
    versions = {
        r[0]
        for r in work.execute(
            "SELECT DISTINCT decider_version FROM automated_decision WHERE decider_id = "
            "'SCRUB-AUTH' AND decided_at >= ?",
            (since.isoformat(),),
        )
    }
    assert versions == {"4"}
    assert (
        work.execute(
            "SELECT COUNT(*) FROM decider_version WHERE name = 'SCRUB-AUTH' AND version = '4'"
        ).fetchone()[0]
        == 1
    )
    # The whole system's override rate rises too.
    assert measure.override_rate(spike) > measure.override_rate(base)
