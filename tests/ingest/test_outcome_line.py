"""The line ``rcmwatch ingest`` prints per file reads as English: one claim, 1,204 claims."""

from __future__ import annotations

from rcmwatch.ingest.outcome import FileOutcome


def test_counts_are_singular_for_one_and_grouped_by_thousands():
    one = FileOutcome(
        "in/acks.999",
        "ingested",
        counts={"999 answers": 1, "277CA statuses": 1, "claims": 0},
        warnings=["ack_unlinked: set 0001 has no 837"],
    )
    assert one.line() == "in/acks.999: ingested (1 999 answer, 1 277CA status; 1 warning)"
    many = FileOutcome(
        "in/big.837",
        "ingested",
        counts={"claim submissions": 2, "claims": 100_000},
        warnings=["a", "b"],
    )
    assert many.line() == "in/big.837: ingested (2 claim submissions, 100,000 claims; 2 warnings)"
    assert FileOutcome("x", "ingested").line() == "x: ingested (nothing)"
