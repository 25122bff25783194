"""KPI.md §2, hand-worked: the worked example exactly, reversals, secondary payers, unmatched and
unbalanced remits, overturns and their maturity, write-offs, underpayments."""

from __future__ import annotations

import polars as pl

from metrics.engine import compute_kpis, drill
from metrics.periods import Cuts, Period
from tests.metrics.world import World, at, day

AS_OF = at("2024-08-15 12:00")
MAY = Period.month(2024, 5)


def worked_example(later_payment: bool = True) -> tuple[World, dict]:
    """KPI.md's worked example: one 835 of 2024-05-10 with A1 (paid), A2 (full denial,
    authorization, 300) and A3 (partial denial, medical necessity, 200)."""
    w = World()
    fac = w.facility("NORTH")
    payer = w.payer("ACME", appeal_days=90)
    for pcn, charge in (("A1", 10_000), ("A2", 30_000), ("A3", 50_000)):
        w.claim(pcn, at("2024-05-01 08:00"), facility=fac, payer=payer, charge=charge)
    r = w.remit(day("2024-05-10"), payer=payer)
    ids = {
        "A1": w.loop(r, "A1", charge=10_000, paid=8_000, pr=2_000, cas=(("PR", "2", 2_000),)),
        "A2": w.loop(
            r,
            "A2",
            charge=30_000,
            paid=0,
            denial="full",
            denied=30_000,
            category="authorization",
            cas=(("CO", "197", 30_000),),
        ),
        "A3": w.loop(
            r,
            "A3",
            charge=50_000,
            paid=30_000,
            denial="partial",
            denied=20_000,
            category="medical_necessity",
            cas=(("CO", "50", 20_000),),
        ),
    }
    if later_payment:
        later = w.remit(day("2024-07-01"), payer=payer)
        ids["A2 paid"] = w.loop(later, "A2", charge=30_000, paid=30_000)
    return w, ids


def test_worked_example_exactly():
    w, _ = worked_example()
    r = compute_kpis(w.frames(), AS_OF, MAY)
    v = r.values
    assert v["claims_adjudicated"] == 3
    assert v["initial_denial_rate"] == 2 / 3
    assert r.frame("initial_denial_rate_dollars").row(0) == (50_000, 90_000)
    assert v["initial_denial_rate_dollars"] == 500 / 900
    assert v["initial_denial_rate_charges"] == 800 / 900
    cats = {k: c for k, c in v["denials_by_category"].items() if c["count"]}
    assert cats == {
        "authorization": {"count": 1, "dollars": "300.00"},
        "medical_necessity": {"count": 1, "dollars": "200.00"},
    }
    assert v["denial_overturn_rate"] == 1 / 2
    assert v["denial_dollars_recovered"] == "300.00"
    assert r.carc_map_version == 1
    # July holds no initial adjudication: the later payment is not a new pair.
    assert compute_kpis(w.frames(), AS_OF, Period.month(2024, 7)).values["claims_adjudicated"] == 0


def test_worked_example_drills_to_its_records():
    w, ids = worked_example()
    frames = w.frames()
    denied = drill(frames, AS_OF, "initial_denial_rate", MAY, part="numerator")
    assert sorted(denied["pcn"].to_list()) == ["A2", "A3"]
    assert sorted(denied["claim_payment_id"].to_list()) == sorted([ids["A2"], ids["A3"]])
    auth = drill(
        frames,
        AS_OF,
        "denials_by_category",
        MAY,
        where=pl.col("denial_category") == "authorization",
    )
    assert auth["pcn"].to_list() == ["A2"]
    overturned = drill(frames, AS_OF, "denial_overturn_rate", MAY, part="numerator")
    assert overturned["pcn"].to_list() == ["A2"]


def test_overturn_cohort_younger_than_120_days_is_immature():
    w, _ = worked_example()
    young = compute_kpis(w.frames(), at("2024-09-06 23:59"), MAY)  # 119 days after May 10
    assert young.flags["denial_overturn_rate"] == ["immature"]
    assert young.flags["denial_dollars_recovered"] == ["immature"]
    mature = compute_kpis(w.frames(), at("2024-09-07 00:00"), MAY)  # 120 days
    assert "denial_overturn_rate" not in mature.flags
    assert mature.values["denial_overturn_rate"] == 1 / 2  # same value, whatever the mark


def test_reversal_and_correction_count_the_pair_once():
    w = World()
    payer = w.payer("ACME")
    w.claim("R1", at("2024-05-01 08:00"), payer=payer)
    first = w.remit(day("2024-05-10"), payer=payer)
    original = w.loop(
        first, "R1", charge=10_000, paid=0, denial="full", denied=10_000, category="coding"
    )
    fix = w.remit(day("2024-05-20"), payer=payer)
    w.loop(fix, "R1", charge=-10_000, paid=0, status_code="22", reverses=original)
    w.loop(fix, "R1", charge=10_000, paid=9_000, pr=1_000)
    r = compute_kpis(w.frames(), AS_OF, MAY)
    assert r.values["claims_adjudicated"] == 1
    assert r.values["initial_denial_rate"] == 1.0
    assert r.values["denial_overturn_rate"] == 1.0
    assert r.values["denial_dollars_recovered"] == "100.00"


def test_a_later_adjudication_that_was_reversed_does_not_overturn():
    w = World()
    payer = w.payer("ACME")
    w.claim("R2", at("2024-05-01 08:00"), payer=payer)
    w.loop(
        w.remit(day("2024-05-10"), payer=payer),
        "R2",
        charge=10_000,
        paid=0,
        denial="full",
        denied=10_000,
    )
    paid = w.loop(w.remit(day("2024-06-01"), payer=payer), "R2", charge=10_000, paid=10_000)
    w.loop(
        w.remit(day("2024-06-15"), payer=payer),
        "R2",
        charge=-10_000,
        paid=-10_000,
        status_code="22",
        reverses=paid,
    )
    assert compute_kpis(w.frames(), AS_OF, MAY).values["denial_overturn_rate"] == 0.0


def test_secondary_payer_is_a_second_pair():
    w = World()
    primary, secondary = w.payer("MCR", "medicare"), w.payer("SUPP", "commercial")
    w.claim("S1", at("2024-05-01 08:00"), payer=primary)
    w.loop(w.remit(day("2024-05-10"), payer=primary), "S1", charge=10_000, paid=8_000, pr=2_000)
    w.loop(
        w.remit(day("2024-05-20"), payer=secondary),
        "S1",
        charge=10_000,
        paid=0,
        sequence="secondary",
        denial="full",
        denied=2_000,
        category="coordination_of_benefits",
    )
    r = compute_kpis(w.frames(), AS_OF, MAY)
    assert r.values["claims_adjudicated"] == 2
    assert r.values["initial_denial_rate"] == 1 / 2
    primary_view = compute_kpis(
        w.frames(), AS_OF, MAY, cuts=Cuts(payer_sequences=frozenset({"primary"}))
    )
    assert primary_view.values["initial_denial_rate"] == 0.0
    by_seq = compute_kpis(w.frames(), AS_OF, MAY, by="payer_sequence")
    counts = {g["payer_sequence"]: g["kpis"]["claims_adjudicated"] for g in by_seq.groups}
    assert counts == {"primary": 1, "secondary": 1}


def test_unmatched_remits_count_once_and_still_count_as_adjudications():
    w = World()
    payer = w.payer("ACME")
    w.claim("K1", at("2024-05-01 08:00"), payer=payer)
    r1 = w.remit(day("2024-05-10"), payer=payer)
    w.loop(r1, "K1", charge=10_000, paid=10_000)
    w.loop(r1, "GHOST", charge=5_000, paid=0, denial="full", denied=5_000, category="eligibility")
    w.loop(w.remit(day("2024-06-02"), payer=payer), "GHOST", charge=5_000, paid=5_000)
    may = compute_kpis(w.frames(), AS_OF, MAY)
    assert may.values["unmatched_remits"] == 1
    assert may.values["claims_adjudicated"] == 2
    assert may.values["initial_denial_rate"] == 1 / 2
    assert compute_kpis(w.frames(), AS_OF, Period.month(2024, 6)).values["unmatched_remits"] == 0
    by_fac = compute_kpis(w.frames(), AS_OF, MAY, by="facility")
    assert [g["facility"] for g in by_fac.groups] == ["unmapped"]


def test_unbalanced_remits_are_exceptions_and_still_adjudications():
    w = World()
    payer = w.payer("ACME")
    for pcn in ("B1", "B2", "B3"):
        w.claim(pcn, at("2024-05-01 08:00"), payer=payer)
    w.loop(w.remit(day("2024-05-10"), payer=payer, balanced=False), "B1", charge=100, paid=100)
    w.loop(w.remit(day("2024-05-11"), payer=payer), "B2", charge=100, paid=90, balanced=False)
    w.loop(w.remit(day("2024-05-12"), payer=payer), "B3", charge=100, paid=100)
    r = compute_kpis(w.frames(), AS_OF, MAY)
    assert r.values["remit_balance_exceptions"] == 2
    assert r.values["claims_adjudicated"] == 3
    assert (
        drill(w.frames(), AS_OF, "remit_balance_exceptions", MAY)["remit_transaction_id"].len() == 2
    )


def test_test_remits_and_predeterminations_are_not_adjudications():
    w = World()
    payer = w.payer("ACME")
    w.claim("T1", at("2024-05-01 08:00"), payer=payer)
    w.loop(
        w.remit(day("2024-05-10"), payer=payer, is_test=True),
        "T1",
        charge=100,
        paid=0,
        denial="full",
        denied=100,
    )
    w.loop(
        w.remit(day("2024-05-11"), payer=payer),
        "T1",
        charge=100,
        paid=0,
        status_code="25",
        predetermination=True,
    )
    r = compute_kpis(w.frames(), AS_OF, MAY)
    assert r.values["claims_adjudicated"] == 0
    assert r.values["initial_denial_rate"] is None
    assert r.notes["initial_denial_rate"].startswith("denominator is 0")


def test_remit_received_after_as_of_is_not_known_yet():
    w, _ = worked_example(later_payment=False)
    late = w.remit(day("2024-05-30"), received_at=at("2024-08-20 00:00"), payer=1)
    w.claim("Z", at("2024-05-01 08:00"), payer=1)
    w.loop(late, "Z", charge=100, paid=100)
    assert compute_kpis(w.frames(), AS_OF, MAY).values["claims_adjudicated"] == 3


def test_final_denial_writeoff_rate_from_erp():
    w = World()
    fac = w.facility("NORTH")
    w.write_off(1_000, at("2024-05-31 23:59:59"), facility=fac)
    w.write_off(5_000, at("2024-05-15 10:00"), reason="bad_debt", facility=fac)
    w.write_off(7_000, at("2024-06-01 00:00"), facility=fac)
    w.revenue(day("2024-05-01"), gross=900_000, net=200_000, facility=fac)
    r = compute_kpis(w.frames(), AS_OF, MAY)
    assert r.values["final_denial_writeoff_rate"] == 1_000 / 200_000
    none = compute_kpis(World().frames(), AS_OF, MAY)
    assert none.values["final_denial_writeoff_rate"] is None
    assert none.notes["final_denial_writeoff_rate"] == "no ERP net revenue collected"


def test_underpayments_against_the_fee_schedule():
    w = World()
    payer = w.payer("ACME")
    w.fee(payer, "99213", 10_000)
    w.fee(payer, "99213", 12_000, modifier="25")
    w.fee(payer, "80053", 3_000, end=day("2024-04-30"))
    for pcn in ("U1", "U2", "U3", "U4"):
        w.claim(pcn, at("2024-05-01 08:00"), payer=payer)
    r = w.remit(day("2024-05-10"), payer=payer)
    w.loop(r, "U1", charge=20_000, paid=15_000, pr=2_000, lines=(("99213", 20_000, 15_000, 2.0),))
    w.loop(r, "U2", charge=10_000, paid=9_000, pr=950, lines=(("99213", 10_000, 9_000, 1.0),))
    w.loop(r, "U3", charge=5_000, paid=1_000, lines=(("80053", 5_000, 1_000, 1.0),))
    w.loop(
        r,
        "U4",
        charge=10_000,
        paid=0,
        denial="full",
        denied=10_000,
        lines=(("99213", 10_000, 0, 1.0),),
    )
    v = compute_kpis(w.frames(), AS_OF, MAY).values["underpayments"]
    # U1 short 30.00 (expected 200.00, allowed 170.00); U2 short 0.50 is within the $1
    # tolerance; U3's fee entry expired (not assessable); U4 is a full denial.
    assert v == {"count": 1, "dollars": "30.00"}
