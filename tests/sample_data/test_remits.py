"""835s: balanced at every level, and carrying every situation the KPIs must handle."""

from __future__ import annotations

from collections import Counter

from tests.sample_data import measure


def test_every_remit_balances_at_transaction_claim_and_line_level(baseline):
    clps, failures = measure.read_remits(baseline)
    assert len(clps) > 10_000
    assert failures == []


def test_remits_carry_contractual_cost_sharing_reversals_and_secondaries(baseline):
    clps, _ = measure.read_remits(baseline)
    statuses = Counter(c.status for c in clps)
    assert statuses["22"] > 50  # reversals (of corrected, appealed, voided claims)
    assert statuses["2"] > 10 and statuses["19"] > 10  # crossover: primary 19, secondary 2
    assert statuses["4"] > 50  # eligibility denials sent as CLP02 = 4
    reversals = [c for c in clps if c.status == "22"]
    assert all(c.charge < 0 and c.paid <= 0 for c in reversals)
    carcs = Counter((g, carc) for c in clps for g, carc, _ in c.adjustments)
    for key in (("CO", "45"), ("PR", "1"), ("PR", "2"), ("PR", "3"), ("CO", "253")):
        assert carcs[key] > 100, key
    # A reversal travels with its correction: the same claim is adjudicated again in the file.
    by_file = {(c.file, c.pcn) for c in clps if c.status in ("1", "2", "19")}
    assert sum((c.file, c.pcn) in by_file for c in reversals) >= 0.9 * len(reversals) - 20


def test_partial_and_full_denials_and_zero_pays_that_are_not_denials(baseline):
    clps, _ = measure.read_remits(baseline)
    kinds = Counter(measure.denial_kind(c) for c in clps if c.status not in ("22", "25"))
    assert kinds["full"] > 300 and kinds["partial"] > 100
    zero_not_denied = [
        c for c in clps if c.paid == 0 and c.status == "1" and measure.denial_kind(c) == "none"
    ]
    assert zero_not_denied, "a claim paid 0 because all of it went to the deductible"


def test_plb_take_backs_and_interest(baseline):
    codes = Counter()
    for path in (baseline / "clearinghouse" / "inbound").glob("*.835"):
        for seg in measure.segments(path):
            if seg[0] == "PLB":
                for i in range(3, len(seg), 2):
                    codes[seg[i].split(":")[0]] += 1
                    amount = measure.cents(seg[i + 1])
                    if seg[i].startswith("L6"):
                        assert amount < 0  # interest increases the payment
                    if seg[i].startswith("WO"):
                        assert amount > 0  # a take-back reduces it
    assert codes["L6"] > 20 and codes["WO"] > 0


def test_appealed_denials_are_later_paid(baseline):
    clps, _ = measure.read_remits(baseline)
    first = measure.initial_adjudications(clps)
    later_paid = 0
    by_pair: dict = {}
    for c in clps:
        if c.status not in ("22", "25"):
            by_pair.setdefault((c.pcn, c.payer), []).append(c)
    for key, initial in first.items():
        denied = measure.denial_kind(initial) != "none"
        if denied and any(c is not initial and c.paid > 0 for c in by_pair[key]):
            later_paid += 1
    assert later_paid > 100


def test_denial_categories_follow_the_industry_mix(baseline):
    shares = measure.category_shares(measure.read_remits(baseline)[0])
    assert 0.18 <= shares["eligibility"] <= 0.33
    assert 0.09 <= shares["missing_information"] <= 0.22
    assert 0.07 <= shares["authorization"] <= 0.18
    top3 = sorted(shares, key=shares.get, reverse=True)[:3]
    assert top3[0] == "eligibility"
    for category in ("medical_necessity", "coding", "timely_filing", "duplicate"):
        assert 0.02 <= shares[category] <= 0.15, category
