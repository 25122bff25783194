"""The planner's receivable versions: the ERP balance moves with each posting and write-off as
the simulated clock passes it, and ends where the generator's story ends it."""

from __future__ import annotations

from rcmwatch.simulator.planner import receivable_versions

FINAL = {
    "receivable_id": "P0000000400-I",
    "pcn": "P0000000400",
    "kind": "insurance",
    "balance_cents": 0,
    "status": "closed",
    "last_activity_at": "2026-12-20T09:00:00",
    "updated_at": "2026-12-20T09:00:00",
}


def _posting(at: str, cents: int) -> dict:
    return {"receivable_id": "P0000000400-I", "posted_at": at, "amount_cents": cents}


def test_balance_after_each_activity_by_hand():
    # Charge $150.00; the payer pays $100.00 and the contractual $45.00 the same instant; the
    # last $5.00 is written off as a small balance.
    postings = [
        _posting("2026-11-27T18:00:00", 15000),
        _posting("2026-12-14T07:30:00", -10000),
        _posting("2026-12-14T07:30:00", -4500),
    ]
    write_offs = [
        {"receivable_id": "P0000000400-I", "posted_at": "2026-12-20T09:00:00", "amount_cents": 500}
    ]
    versions = receivable_versions([FINAL], postings, write_offs)
    assert [(v["updated_at"], v["balance_cents"], v["status"]) for v in versions] == [
        ("2026-11-27T18:00:00", 15000, "open"),
        ("2026-12-14T07:30:00", 500, "open"),  # one version for the two postings of 07:30
        ("2026-12-20T09:00:00", 0, "closed"),
    ]
    assert versions[-1]["last_activity_at"] == "2026-12-20T09:00:00"


def test_the_story_final_row_stands_when_activity_does_not_explain_it():
    final = dict(FINAL, balance_cents=700, status="open")
    versions = receivable_versions([final], [_posting("2026-11-27T18:00:00", 15000)], [])
    assert [(v["updated_at"], v["balance_cents"]) for v in versions] == [
        ("2026-11-27T18:00:00", 15000),
        ("2026-12-20T09:00:00", 700),
    ]
