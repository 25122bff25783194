"""The benchmark's seeded 837P, 999 and 277CA writers and the parser agree, on both paths and with
batches cut small: the totals each writer counts are what inspect and the frames report."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from collectors.edi.inspect import inspect_file
from collectors.edi.money import format_cents
from rcmwatch.bench.claim_builder import write_277ca, write_999, write_claims

from .claims_support import assert_same


@pytest.mark.parametrize(("seed", "chunk_bytes"), [(1, 1 << 20), (2, 5000)])
def test_837p_builder(tmp_path: Path, seed: int, chunk_bytes: int) -> None:
    path = tmp_path / "gen.837"
    totals = write_claims(
        path, claims=400, claims_per_transaction=60, claims_per_provider=7, seed=seed
    )
    frames = assert_same(path, chunk_bytes=chunk_bytes).frames.claims
    assert inspect_file(path, chunk_bytes=chunk_bytes)["claims"] == {
        "claims": totals.claims,
        "service_lines": totals.service_lines,
        "charge_total": format_cents(totals.charge),
    }
    claims = frames.claims
    assert claims.filter(~pl.col("patient_is_subscriber")).height == totals.dependents
    assert claims.filter(pl.col("frequency_code") == "7").height == totals.replacements
    assert claims.filter(pl.col("frequency_code") == "8").height == totals.voids
    assert frames.other_payers.height == totals.other_payers
    assert frames.diagnoses.height == totals.diagnoses
    assert frames.transactions.height == totals.transactions
    assert claims.get_column("claim_index").to_list() == list(range(totals.claims))


def test_999_and_277ca_builders(tmp_path: Path) -> None:
    ack, status = tmp_path / "gen.999", tmp_path / "gen.277"
    ack_totals = write_999(ack, sets=500, sets_per_group=70, seed=3)
    status_totals = write_277ca(status, claims=500, claims_per_transaction=90, seed=4)
    for path, totals in ((ack, ack_totals), (status, status_totals)):
        for chunk_bytes in (4000, 1 << 20):
            assert_same(path, chunk_bytes=chunk_bytes)
            assert inspect_file(path, chunk_bytes=chunk_bytes)["acks"] == {
                "sets_accepted": totals.sets_accepted,
                "sets_rejected": totals.sets_rejected,
                "claims_accepted": totals.claims_accepted,
                "claims_rejected": totals.claims_rejected,
            }


def test_batches_flattened_side_by_side_give_the_sequential_frames(tmp_path: Path) -> None:
    """Ingest flattens several batches at once; indices, rows and warnings must be exactly those
    of one batch after the other — for every kind, in a file that mixes them."""
    from collectors.edi.x12_frames import read_x12
    from rcmwatch.bench.remittance_builder import write_remittance

    parts = []
    for name, write in (
        ("a.837", lambda p: write_claims(p, claims=300, claims_per_transaction=40, seed=5)),
        ("b.999", lambda p: write_999(p, sets=120, sets_per_group=30, seed=6)),
        ("c.277", lambda p: write_277ca(p, claims=300, claims_per_transaction=50, seed=7)),
        ("d.835", lambda p: write_remittance(p, claims=300, claims_per_transaction=45)),
    ):
        write(tmp_path / name)
        parts.append((tmp_path / name).read_bytes())
    # a bad date in one claim makes a warning that must keep its place
    mixed = b"".join(parts).replace(b"DTP*472*D8*", b"DTP*472*D8*2024133", 1)
    one = read_x12(mixed, chunk_bytes=6000, threads=1)
    three = read_x12(mixed, chunk_bytes=6000, threads=3)
    assert one.diagnostics.rendered() and one.diagnostics.rendered() == three.diagnostics.rendered()
    for kind in ("claims", "acks", "claim_status", "remittance"):
        a, b = getattr(one.frames, kind), getattr(three.frames, kind)
        assert a is not None and b is not None, kind
        for name, frame in a.items():
            assert frame.equals(getattr(b, name)), f"{kind}.{name}"
    assert three.frames.claims.claims.height == 300
    assert three.frames.claims.claims["claim_index"].to_list() == list(range(300))
    assert three.frames.remittance.claims.height >= 300  # reversals and corrections too
    assert three.frames.claim_status.statuses.height > 300  # claim and provider levels
