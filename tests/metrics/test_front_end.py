"""KPI.md §1, hand-worked: outcomes of first submissions, acks missing, clean claims, month
edges, voids, test data."""

from __future__ import annotations

import pytest

from metrics.engine import compute_kpis
from metrics.periods import Period
from tests.metrics.world import World, at, day

AS_OF = at("2024-06-15 12:00")
MAY = Period.month(2024, 5)


def kpis(world: World, period: Period = MAY, as_of=AS_OF, **kw):
    return compute_kpis(world.frames(), as_of, period, **kw)


def _status(category: str):
    return lambda w, p: w.status(p, category)


# (pcn, how it was answered) → counted as: accepted, rejected or no outcome.
OUTCOMES = [
    ("999 IK5 A", lambda w, p: w.ack(p, "A"), "accepted"),
    ("999 IK5 E", lambda w, p: w.ack(p, "E"), "accepted"),
    ("999 IK5 R", lambda w, p: w.ack(p, "R"), "rejected"),
    ("999 IK5 M", lambda w, p: w.ack(p, "M"), "rejected"),
    ("999 IK5 W", lambda w, p: w.ack(p, "W"), "rejected"),
    ("999 IK5 X", lambda w, p: w.ack(p, "X"), "rejected"),
    ("group AK9 A, no AK2", lambda w, p: w.ack(p, "A", group_level=True), "accepted"),
    ("group AK9 R, no AK2", lambda w, p: w.ack(p, "R", group_level=True), "rejected"),
    ("277CA A1", lambda w, p: w.status(p, "A1"), "accepted"),
    ("277CA A2", lambda w, p: w.status(p, "A2"), "accepted"),
    ("277CA A5", lambda w, p: w.status(p, "A5"), "accepted"),
    *[(f"277CA {c}", _status(c), "rejected") for c in ("A3", "A4", "A6", "A7", "A8")],
    ("277CA rejection above", lambda w, p: w.status(p, "A1", rejected_above=True), "rejected"),
    ("999 A then 277CA A7", lambda w, p: (w.ack(p, "A"), w.status(p, "A7")), "rejected"),
    ("test 999 only", lambda w, p: w.ack(p, "A", is_test=True), "none"),
    ("999 after as-of", lambda w, p: w.ack(p, "A", when=at("2024-06-16 00:00")), "none"),
    ("nothing", lambda w, p: None, "none"),
]


@pytest.mark.parametrize(("label", "answer", "expected"), OUTCOMES, ids=[o[0] for o in OUTCOMES])
def test_outcome_of_the_first_submission(label, answer, expected):
    w = World()
    w.claim("C1", at("2024-05-03 10:00"))
    answer(w, "C1")
    r = kpis(w)
    assert r.values["claims_submitted"] == 1
    if expected == "none":
        assert r.values["first_pass_acceptance_rate"] is None
        assert "denominator is 0" in r.notes["first_pass_acceptance_rate"]
        assert r.values["acks_missing"] == 1
    else:
        assert r.values["first_pass_acceptance_rate"] == (1.0 if expected == "accepted" else 0.0)
        assert r.values["rejection_rate"] == (0.0 if expected == "accepted" else 1.0)
        assert r.values["acks_missing"] == 0


def test_answer_to_a_replacement_is_not_the_first_submissions_outcome():
    w = World()
    w.claim("C1", at("2024-05-03 10:00"))
    w.replacement("C1", at("2024-05-04 10:00"))
    replacement_sub = w.rows["submission"][-1]["id"]
    w.ack(replacement_sub, "A")
    r = kpis(w)
    assert r.values["first_pass_acceptance_rate"] is None
    assert r.values["acks_missing"] == 1


def test_rates_and_acks_missing_on_a_mix():
    w = World()
    for i, code in enumerate(["A", "A", "A", "R"]):
        w.claim(f"C{i}", at("2024-05-02 09:00"))
        w.ack(f"C{i}", code)
    w.claim("OLD", at("2024-06-13 11:59"))  # more than 48 h before as-of, no answer
    w.claim("NEW", at("2024-06-13 12:00"))  # exactly 48 h: not yet missing
    r = kpis(w, Period.parse("all", AS_OF))
    assert r.values["claims_submitted"] == 6
    assert r.values["first_pass_acceptance_rate"] == 3 / 4
    assert r.values["rejection_rate"] == 1 / 4
    assert r.values["acks_missing"] == 1
    assert r.flags["clean_claim_rate"] == ["provisional"]


def test_month_edges_use_the_utc_day():
    w = World()
    w.claim("LAST", at("2024-05-31 23:59:59"))
    w.claim("FIRST", at("2024-06-01 00:00:00"))
    w.claim("APRIL", at("2024-04-30 23:59:59"))
    assert kpis(w).values["claims_submitted"] == 1
    assert kpis(w, Period.month(2024, 6)).values["claims_submitted"] == 1
    assert kpis(w, Period.month(2024, 4)).values["claims_submitted"] == 1
    span = Period.days(day("2024-04-30"), day("2024-05-31"))
    assert kpis(w, span).values["claims_submitted"] == 2


def test_clean_claim_needs_acceptance_and_no_hold_or_resubmission_before_adjudication():
    w = World()
    p = w.payer("P")
    for pcn in ("CLEAN", "HELD", "RESUB", "LATE_RESUB", "REJ"):
        w.claim(pcn, at("2024-05-02 09:00"), payer=p)
        w.ack(pcn, "R" if pcn == "REJ" else "A")
    w.work_item(at("2024-05-01 09:00"), stage="pre_bill", subject="HELD")
    w.replacement("RESUB", at("2024-05-05 09:00"))
    remit = w.remit(day("2024-05-10"), payer=p)
    for pcn in ("CLEAN", "HELD", "RESUB", "LATE_RESUB"):
        w.loop(remit, pcn, charge=10_000, paid=10_000)
    w.replacement("LATE_RESUB", at("2024-05-20 09:00"))  # after the first adjudication
    r = kpis(w)
    assert r.values["clean_claim_rate"] == 2 / 5  # CLEAN and LATE_RESUB
    assert r.values["touchless_claim_rate"] == 4 / 5
    assert r.values["manual_touch_rate"]["claims"] == 1 / 5
    assert "clean_claim_rate" not in r.flags


def test_voided_claim_leaves_denominators_from_its_void_day():
    w = World()
    w.claim("KEPT", at("2024-05-02 09:00"), voided_at=at("2024-06-20 00:00"))  # void after as-of
    w.claim("VOID_LATER", at("2024-05-02 09:00"), voided_at=at("2024-06-03 00:00"))
    w.claim("VOID_SAME_DAY", at("2024-05-02 09:00"), voided_at=at("2024-05-02 17:00"))
    r = kpis(w)
    # Submitted on May 2 and voided later: the May 2 fact stands; a same-day void removes it.
    assert r.values["claims_submitted"] == 2


def test_test_claims_and_acks_are_excluded():
    w = World()
    w.claim("PROD", at("2024-05-02 09:00"))
    w.claim("TEST", at("2024-05-02 09:00"), is_test=True)
    w.ack("PROD", "R", is_test=True)
    r = kpis(w)
    assert r.values["claims_submitted"] == 1
    assert r.values["acks_missing"] == 1
