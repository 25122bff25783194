"""KPI.md §3 and §4, hand-worked: posting latency and unposted remits, auto-posting, cash, A/R
(ERP and derived), work queues, deadlines, interfaces, overrides, rework and freshness."""

from __future__ import annotations

from metrics.engine import compute_kpis
from metrics.periods import Period
from tests.metrics.world import World, at, day

AS_OF = at("2024-06-15 12:00")
MAY = Period.month(2024, 5)


def test_posting_latency_median_p90_over_posted_and_unposted():
    w = World()
    payer = w.payer("ACME")
    received = at("2024-05-10 00:00")
    r = w.remit(day("2024-05-09"), received_at=received, payer=payer)
    hours = [1, 2, 3, 4, 5, 6, 7, 8, 9]
    for i, h in enumerate(hours):
        w.claim(f"P{i}", at("2024-05-01 08:00"), payer=payer)
        cp = w.loop(r, f"P{i}", charge=1_000, paid=1_000)
        w.posting(cp, at(f"2024-05-10 {h:02d}:00"), manual=(i == 0))
    w.claim("WAIT", at("2024-05-01 08:00"), payer=payer)
    w.loop(r, "WAIT", charge=2_500, paid=2_500)  # unposted: 36 days 12 h old at as-of
    v = compute_kpis(w.frames(), AS_OF, MAY).values
    assert v["posting_latency"] == {"median_h": 5.0, "p90_h": 9.0, "n": 10}
    assert v["unposted_remits"] == {
        "count": 1,
        "dollars": "25.00",
        "oldest_age_h": 876.0,
        "p90_age_h": 876.0,
    }
    assert v["auto_posting_rate"] == 8 / 9
    assert v["auto_posting_rate_dollars"] == 8_000 / 9_000
    assert v["manual_touch_rate"]["remits"] == 1 / 9


def test_posting_kpis_without_erp_postings_say_so():
    w = World()
    w.claim("X", at("2024-05-01 08:00"))
    w.loop(w.remit(day("2024-05-10")), "X", charge=100, paid=100)
    r = compute_kpis(w.frames(), AS_OF, MAY)
    assert r.values["posting_latency"] == {"median_h": None, "p90_h": None, "n": 0}
    assert r.notes["posting_latency"] == "no ERP postings collected"
    assert r.values["auto_posting_rate"] is None


def test_cash_collected_from_erp_else_derived_from_remits():
    w = World()
    w.payment(10_000, at("2024-05-31 23:59:59"))
    w.payment(2_500, at("2024-05-02 10:00"), payer_type="patient")
    w.payment(999, at("2024-06-01 00:00"))
    r = compute_kpis(w.frames(), AS_OF, MAY)
    assert r.values["cash_collected"] == "125.00"
    assert "cash_collected" not in r.flags
    d = World()
    d.claim("C", at("2024-05-01 08:00"))
    rem = d.remit(day("2024-05-10"))
    first = d.loop(rem, "C", charge=100, paid=100)
    d.loop(
        d.remit(day("2024-05-11")), "C", charge=-100, paid=-100, status_code="22", reverses=first
    )
    derived = compute_kpis(d.frames(), AS_OF, MAY)
    assert derived.values["cash_collected"] == "0.00"
    assert derived.flags["cash_collected"] == ["source:derived"]


def test_erp_ar_aging_days_in_ar_and_credit_balances():
    w = World()
    fac = w.facility("NORTH")
    w.claim("A", at("2024-05-01 08:00"), facility=fac)
    end = day("2024-05-31")
    w.receivable("A", 30_000, service=day("2024-05-01"), facility=fac)  # 30 days: 0-30
    w.receivable(None, 20_000, service=day("2024-04-30"), facility=fac)  # 31 days
    w.receivable(None, 10_000, service=day("2024-03-01"), facility=fac)  # 91 days: over 90
    w.receivable(None, 5_000, kind="patient", service=day("2024-01-01"), facility=fac)
    w.receivable(None, -700, service=day("2024-05-01"), facility=fac)  # credit balance
    w.receivable(None, 1_000, service=day("2024-05-01"), opened=day("2024-06-02"))  # later
    w.posting(None, at("2024-06-05 10:00"), cents=-4_000, pcn="A")  # payment after May: undone
    for m in ("2024-03-01", "2024-04-01", "2024-05-01"):
        w.revenue(day(m), gross=920_000, net=460_000, facility=fac)
    v = compute_kpis(w.frames(), AS_OF, MAY).values
    ar = 34_000 + 20_000 + 10_000 + 5_000
    assert v["ar_aging_buckets"] == {
        "insurance": {
            "0-30": "340.00",
            "31-60": "200.00",
            "61-90": "0.00",
            "91-120": "100.00",
            "121+": "0.00",
        },
        "patient": {
            "0-30": "0.00",
            "31-60": "0.00",
            "61-90": "0.00",
            "91-120": "0.00",
            "121+": "50.00",
        },
    }
    assert v["ar_over_90_pct"] == 15_000 / ar
    assert v["credit_balances"] == {"count": 1, "dollars": "-7.00"}
    assert v["days_in_ar_gross"] == round(ar / (3 * 920_000 / 92), 2)
    # Net: no payer posting by May 31 on the insurance balances, so each counts at gross × the
    # facility's net/gross ratio (460,000 / 920,000): 17,000 + 10,000 + 5,000; patient 5,000.
    assert v["days_in_ar_net"] == round(37_000 / (3 * 460_000 / 92), 2) == 2.47
    assert end == day("2024-05-31")


def test_erp_ar_rolls_the_posting_ledger_back_and_nets_only_unadjudicated_balances():
    """Postings are the ledger (payments and adjustments negative, a transfer's legs -/+).
    P: paid in June, so at May 31 it was 10,000 at gross, not yet adjudicated: net 5,000.
    Q: paid in May (adjudicated), 2,000 left: already net. T: paid in May, 1,500 moved to the
    patient in June: at May 31 insurance 1,500 (net as is), patient 0."""
    w = World()
    fac = w.facility("NORTH")
    for pcn in ("P", "Q", "T"):
        w.claim(pcn, at("2024-05-02 08:00"), facility=fac)
        w.receivable(pcn, 0, service=day("2024-05-01"), facility=fac)
    w.receivable("Q", 2_000, service=day("2024-05-01"), facility=fac)
    w.receivable("T", 1_500, kind="patient", service=day("2024-05-01"), facility=fac)
    w.posting(None, at("2024-06-03 10:00"), cents=-6_000, pcn="P")
    w.posting(None, at("2024-06-03 10:00"), cents=-4_000, pcn="P", kind="adjustment")
    w.posting(None, at("2024-05-20 10:00"), cents=-3_000, pcn="Q")
    w.posting(None, at("2024-05-25 10:00"), cents=-500, pcn="T")
    w.posting(None, at("2024-06-04 10:00"), cents=-1_500, pcn="T", kind="transfer")
    w.posting(None, at("2024-06-04 10:00"), cents=1_500, pcn="T", kind="transfer")
    for m in ("2024-03-01", "2024-04-01", "2024-05-01"):
        w.revenue(day(m), gross=920_000, net=460_000, facility=fac)
    v = compute_kpis(w.frames(), AS_OF, MAY).values
    assert v["ar_aging_buckets"]["insurance"]["0-30"] == "135.00"  # 10,000 + 2,000 + 1,500
    assert v["ar_aging_buckets"]["patient"]["0-30"] == "0.00"
    assert v["days_in_ar_gross"] == round(13_500 / (3 * 920_000 / 92), 2) == 0.45
    assert v["days_in_ar_net"] == round(8_500 / (3 * 460_000 / 92), 2) == 0.57


def test_derived_ar_is_billed_ar_flagged():
    w = World()
    payer = w.payer("ACME")
    w.claim(
        "OPEN", at("2024-05-02 08:00"), payer=payer, charge=40_000, service_from=day("2024-02-01")
    )
    w.claim(
        "PAID", at("2024-05-02 08:00"), payer=payer, charge=10_000, service_from=day("2024-05-01")
    )
    w.loop(
        w.remit(day("2024-05-20"), payer=payer),
        "PAID",
        charge=10_000,
        paid=7_000,
        pr=1_000,
        cas=(("CO", "45", 2_000), ("PR", "1", 1_000)),
    )
    r = compute_kpis(w.frames(), AS_OF, MAY)
    assert r.values["ar_aging_buckets"]["insurance"]["91-120"] == "400.00"
    assert r.values["ar_aging_buckets"]["patient"]["0-30"] == "10.00"
    assert r.values["ar_over_90_pct"] == 40_000 / 41_000
    assert r.flags["ar_over_90_pct"] == ["source:derived"]
    assert r.values["days_in_ar_net"] is None
    assert r.notes["days_in_ar_net"] == "no ERP net revenue collected"


def test_work_queues_sla_and_resolution():
    w = World()
    now = AS_OF
    w.work_item(at("2024-06-15 00:00"), stage="denial", cents=100)  # 0 days
    w.work_item(at("2024-06-13 11:00"), stage="posting", due_at=at("2024-06-14 00:00"))  # 2 d
    w.work_item(at("2024-05-01 00:00"), stage="denial", cents=900, due_at=at("2024-05-05 00:00"))
    w.work_item(
        at("2024-06-01 00:00"),
        resolved_at=at("2024-06-10 00:00"),
        status="closed",
        due_at=at("2024-06-05 00:00"),
        by_person=True,
    )
    w.work_item(
        at("2024-06-01 00:00"),
        resolved_at=at("2024-06-02 00:00"),
        status="closed",
        due_at=at("2024-06-05 00:00"),
        by_person=False,
    )
    w.work_item(at("2024-06-01 00:00"), status="closed")  # closed without a time
    v = compute_kpis(w.frames(), now, Period.month(2024, 6)).values
    assert v["queue_open"] == {
        "count": 3,
        "dollars": "10.00",
        "by_stage": {
            "denial": {"count": 2, "dollars": "10.00"},
            "posting": {"count": 1, "dollars": "0.00"},
        },
    }
    assert v["queue_aging"]["0-1"]["count"] == 1
    assert v["queue_aging"]["2-3"]["count"] == 1
    assert v["queue_aging"]["31+"] == {"count": 1, "dollars": "9.00"}
    assert v["sla_breach_rate"] == 2 / 3
    assert v["sla_breach_rate_resolved"] == 1 / 2
    assert v["manual_touch_rate"]["work_items"] == 1 / 2
    assert v["denial_rework_volume"]["work_items_opened"] == 4  # every item is stage denial
    # At the end of May only the item opened on May 1 was open.
    may = compute_kpis(w.frames(), now, MAY).values
    assert may["queue_open"]["count"] == 1


def test_timely_filing_and_appeal_deadlines():
    w = World()
    payer = w.payer("ACME", filing_days=90, appeal_days=60)
    # as-of 2024-06-15: service + 90 days
    w.claim(
        "RED", at("2024-05-01 08:00"), payer=payer, service_from=day("2024-03-20"), charge=1_000
    )  # deadline 06-18: 3 days
    w.claim("AMBER", at("2024-05-01 08:00"), payer=payer, service_from=day("2024-04-10"))
    w.claim("FAR", at("2024-05-01 08:00"), payer=payer, service_from=day("2024-06-01"))
    w.claim("EXPIRED", at("2024-05-01 08:00"), payer=payer, service_from=day("2024-03-01"))
    w.claim("CH_ACK", at("2024-05-01 08:00"), payer=payer, service_from=day("2024-03-20"))
    w.status("CH_ACK", "A1")  # the clearinghouse's acceptance does not stop the clock
    w.claim("PAYER_ACK", at("2024-05-01 08:00"), payer=payer, service_from=day("2024-03-20"))
    w.status("PAYER_ACK", "A2")
    w.claim("DENIED", at("2024-05-01 08:00"), payer=payer, service_from=day("2024-03-20"))
    w.loop(
        w.remit(day("2024-04-20"), payer=payer),
        "DENIED",
        charge=500,
        paid=0,
        denial="full",
        denied=500,
    )  # appeal deadline 06-19
    v = compute_kpis(w.frames(), AS_OF, Period.month(2024, 6)).values
    assert v["timely_filing_at_risk"]["red"] == {"count": 2, "dollars": "110.00"}
    assert v["timely_filing_at_risk"]["amber"]["count"] == 1
    assert v["timely_filing_at_risk"]["expired"]["count"] == 1
    assert v["appeal_deadline_at_risk"]["red"] == {"count": 1, "dollars": "5.00"}


def test_appeal_clock_runs_from_the_standing_decision():
    """The appeal deadline counts from the pair's latest adjudication not reversed; a denial
    reversed and never re-adjudicated has no deadline."""
    w = World()
    payer = w.payer("ACME", filing_days=365, appeal_days=60)
    for pcn in ("LATER", "REVERSED", "REDONE"):
        w.claim(pcn, at("2024-03-01 08:00"), payer=payer, service_from=day("2024-02-20"))

    def denial(production: str, pcn: str) -> int:
        remit = w.remit(day(production), payer=payer)
        return w.loop(remit, pcn, charge=500, paid=0, denial="full", denied=500)

    def reversal(production: str, pcn: str, of: int) -> None:
        remit = w.remit(day(production), payer=payer)
        w.loop(remit, pcn, charge=-500, paid=0, status_code="22", reverses=of)

    # Denied 04-20 (deadline 06-19: red on 06-15), denied again 05-10: deadline 07-09, amber.
    denial("2024-04-20", "LATER")
    denial("2024-05-10", "LATER")
    # Denied 04-20, reversed 04-25, nothing since: no standing decision to appeal.
    reversal("2024-04-25", "REVERSED", denial("2024-04-20", "REVERSED"))
    # Denied 04-01 (expired 05-31), reversed, denied again 04-22: deadline 06-21, red.
    reversal("2024-04-10", "REDONE", denial("2024-04-01", "REDONE"))
    denial("2024-04-22", "REDONE")

    bands = compute_kpis(w.frames(), AS_OF, Period.month(2024, 6)).values["appeal_deadline_at_risk"]
    assert bands["red"] == {"count": 1, "dollars": "5.00"}
    assert bands["amber"] == {"count": 1, "dollars": "5.00"}
    assert bands["expired"]["count"] == 0


def test_interfaces_overrides_and_freshness():
    w = World()
    w.message(at("2024-06-01 10:00"), "processed", completed_at=at("2024-06-01 10:01"))
    w.message(at("2024-06-01 10:30"), "failed", interface="erp")
    w.message(at("2024-06-02 10:00"), "dead_lettered")
    w.message(at("2024-06-15 11:00"), "received")
    d1 = w.decision(at("2024-06-03 10:00"))
    w.decision(at("2024-06-03 11:00"), kind="model", decider="m1")
    w.override(d1, at("2024-06-04 10:00"))
    w.override(d1, at("2024-06-05 10:00"))
    w.source_state("erp", 3_600, last_success=at("2024-06-15 11:00"), newest=at("2024-06-15 10:00"))
    w.source_state("workflow", 600, last_success=at("2024-06-15 11:00"))
    r = compute_kpis(w.frames(), AS_OF, Period.month(2024, 6))
    v = r.values
    assert v["interface_failure_rate"] == 2 / 4
    assert v["interface_backlog"] == {"waiting": 2, "dead_letters": 1, "oldest_waiting_h": 337.5}
    assert v["override_rate"] == 1 / 2
    assert v["source_freshness"]["erp"] == {
        "since_success_h": 1.0,
        "newest_record_age_h": 2.0,
        "cadence_h": 1.0,
        "stale": False,
    }
    assert v["source_freshness"]["workflow"]["stale"] is True
    assert r.notes["source_freshness"] == "stale: workflow"
