"""Inspect's 835 fast path (collectors.edi.remit_quick) against the summary flattener it skips.

The promise: when the fast path answers, the flattener would have raised no warning and gives the
same ``era`` totals; when anything could warn, the fast path declines (None) and the flattener
runs. Checked on balanced files (where it must answer), on one flaw of each kind (where it must
decline), and on random clean-looking 835s with occasional flaws (hypothesis).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collectors.edi.chunks import ChunkReader, opened
from collectors.edi.diagnostics import Diagnostics
from collectors.edi.era import EraTotals
from collectors.edi.inspect import inspect_file
from collectors.edi.remit_quick import quick_era
from collectors.edi.remittance import _BatchFlattener
from collectors.edi.segment_frames import SegmentBatch, tokenise_chunk
from rcmwatch.bench.remittance_builder import write_remittance

from .x12_builder import interchange


def _both(path: Path, chunk_bytes: int = 1 << 20) -> list[tuple[EraTotals | None, EraTotals, list]]:
    """Per chunk: (fast path, flattener totals, flattener warnings)."""
    out = []
    with opened(path) as stream:
        for chunk in ChunkReader(stream, Diagnostics(), chunk_bytes=chunk_bytes):
            frame = tokenise_chunk(chunk, first_number=1, transaction_base=0)
            batch = SegmentBatch(frame, chunk.delimiters, [])
            sts = frame.filter(pl.col("tag") == "ST")  # transaction_index counts from 0 here
            envelope = sts.filter(pl.col("element1") == "835").select(
                "transaction_index",
                transaction_control_number=pl.col("text").str.split("*").list.get(2),
                segment_number="segment_number",
            )
            indices = envelope.get_column("transaction_index").to_list()
            diagnostics = Diagnostics()
            frames = _BatchFlattener(diagnostics, full=False).flatten(batch, indices, envelope)
            out.append((quick_era(batch, indices), EraTotals.of(frames), diagnostics.rendered()))
    return out


def test_balanced_files_take_the_fast_path_with_the_flatteners_totals(tmp_path: Path) -> None:
    path = tmp_path / "gen.835"
    totals = write_remittance(path, claims=300, claims_per_transaction=11, seed=8)
    results = _both(path, chunk_bytes=20_000)
    assert len(results) > 3
    for quick, full, warnings in results:
        assert warnings == []
        assert quick == full
    whole = EraTotals()
    for quick, _, _ in results:
        whole.add(quick)
    assert (whole.claims, whole.charge, whole.denied, whole.reversals) == (
        totals.claims,
        totals.charge,
        totals.denied_claims,
        totals.reversals,
    )


# A small balanced transaction; each flaw below makes the flattener warn.
CLEAN = [
    "BPR*I*145.00*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*20240510",
    "TRN*1*12345*1512345678",
    "DTM*405*20240510",
    "N1*PR*PLAN",
    "LX*1",
    "TS3*1234567893*11*20241130*2*250.00",
    "CLP*A1*1*200.00*150.00*20.00*12*X1*11*1",
    "CAS*PR*2*20.00",
    "SVC*HC:99213*180.00*150.00**1",
    "DTM*472*20240501",
    "CAS*CO*45*30.00",
    "AMT*B6*170.00",
    "CLP*A2*4*50*0*0*12*X2*11*1",
    "CAS*CO*197*50",
    "PLB*1234567893*20241231*L6:INT*-1.00*WO*6.00",
]
ANSWERED = {"claims": 2, "charge": 25000, "paid": 15000, "patient_responsibility": 2000,
            "provider_adjustments": 500, "payment": 14500, "denied": 1, "partially_denied": 0,
            "reversals": 0, "balanced": True}  # fmt: skip


def _write(tmp_path: Path, segments: list[str], component: str = ":") -> Path:
    path = tmp_path / "case.835"
    path.write_text(interchange([segments], component=component))
    return path


def test_the_clean_case_is_answered_by_hand(tmp_path: Path) -> None:
    # A1: 200 - 150 = claim-level PR 20 + its line's contractual 30 (180 - 150): no denial.
    # A2: CLP02 = 4 is a full denial.
    # PLB: -1.00 + 6.00 = 5.00 taken back; BPR02 145.00 = 150.00 - 5.00.
    ((quick, full, warnings),) = _both(_write(tmp_path, CLEAN))
    assert warnings == []
    assert quick == full == EraTotals(**ANSWERED)


FLAWS = {
    "unbalanced claim": ("CAS*CO*45*30.00", "CAS*CO*45*31.00"),
    "thousands separator": ("CLP*A2*4*50*0*0", "CLP*A2*4*1,000*0*0"),
    "three decimals": ("CAS*CO*197*50", "CAS*CO*197*50.001"),
    "impossible date": ("DTM*472*20240501", "DTM*472*20240231"),
    "missing paid amount": ("CLP*A2*4*50*0*0", "CLP*A2*4*50**0"),
    "triplet without amount": ("CAS*PR*2*20.00", "CAS*PR*2*20.00**45"),
    "other component separator": ("SVC*HC:99213", "SVC*HC>99213"),
    "PLB composite separator": ("L6:INT", "L6>INT"),
    "padded amount": ("SVC*HC:99213*180.00", "SVC*HC:99213* 180.00"),
    "bad production date": ("DTM*405*20240510", "DTM*405*2024051"),
    "leading-zero CARC": ("CAS*CO*197*50", "CAS*CO*0197*50"),
    # BPR, PLB and TS3 are read in Python (remit_quick._sparse_segments).
    "unbalanced transaction": ("BPR*I*145.00", "BPR*I*146.00"),
    "malformed payment": ("BPR*I*145.00", "BPR*I*145.0.0"),
    "bad payment date": ("*98765*20240510", "*98765*20240550"),
    "PLB pair without reason": ("*WO*6.00", "**6.00"),
    "PLB pair without amount": ("*WO*6.00", "*WO*6.00*72"),
    "PLB bad date": ("*20241231*L6", "*20241331*L6"),
    "TS3 three decimals": ("*2*250.00", "*2*250.005"),
    "TS3 bad date": ("*20241130*", "*20241131*"),
}


@pytest.mark.parametrize("flaw", sorted(FLAWS))
def test_a_batch_that_could_warn_is_left_to_the_flattener(tmp_path: Path, flaw: str) -> None:
    old, new = FLAWS[flaw]
    segments = [s.replace(old, new, 1) for s in CLEAN]
    assert segments != CLEAN
    ((quick, _, warnings),) = _both(_write(tmp_path, segments), chunk_bytes=1 << 20)
    assert quick is None
    # Two are read silently by the flattener (0197 = 197; a padded amount is trimmed): the fast
    # path's tests are stricter than the warnings, never looser.
    if flaw not in ("leading-zero CARC", "padded amount"):
        assert warnings


def test_structure_and_second_bpr_decline(tmp_path: Path) -> None:
    stray = ["BPR*I*0*C", "CAS*CO*45*1.00", "CLP*A*1*1*1*0"]
    assert _both(_write(tmp_path, stray))[0][0] is None
    twice = [CLEAN[0], *CLEAN]
    assert _both(_write(tmp_path, twice))[0][0] is None


def test_inspect_reports_the_same_with_and_without_the_fast_path(tmp_path: Path, monkeypatch):
    path = tmp_path / "gen.835"
    write_remittance(path, claims=200, claims_per_transaction=7, seed=3)
    fast = inspect_file(path, chunk_bytes=5000)
    import collectors.edi.remit_quick as module

    monkeypatch.setattr(module, "quick_era", lambda batch, indices: None)
    assert inspect_file(path, chunk_bytes=5000) == fast


# -- random clean-looking 835s -------------------------------------------------------------------

CODES = ["45", "2", "1", "197", "16", "A2", "B7", "133", "253", "4", "96", "045", "a2"]
GROUPS = ["CO", "PR", "OA", "PI"]
STATUSES = ["1", "2", "3", "4", "19", "20", "21", "22", "23", "25"]


def _money(cents: int, draw) -> str:
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    shapes = [f"{sign}{whole}.{part:02d}"]
    if part == 0:
        shapes.append(f"{sign}{whole}")
    if part % 10 == 0:
        shapes.append(f"{sign}{whole}.{part // 10}")
    return draw(st.sampled_from(shapes))


def _split(total: int, parts: int, draw) -> list[int]:
    cuts = [draw(st.integers(-500, max(total, 0) + 500)) for _ in range(parts - 1)]
    return [*cuts, total - sum(cuts)]


def _cas(amounts: list[int], draw) -> str:
    triplets = "".join(f"*{draw(st.sampled_from(CODES))}*{_money(a, draw)}*" for a in amounts)
    return f"CAS*{draw(st.sampled_from(GROUPS))}{triplets.rstrip('*')}"


@st.composite
def clean_835s(draw) -> str:
    transactions = []
    for _ in range(draw(st.integers(1, 3))):
        body, paid_total = [], 0
        for n in range(draw(st.integers(0, 5))):
            lines, claim_charge, claim_paid = [], 0, 0
            for _ in range(draw(st.integers(0, 3))):
                charge, paid = draw(st.integers(0, 90_000)), draw(st.integers(0, 90_000))
                lines.append(f"SVC*HC:9921{n}*{_money(charge, draw)}*{_money(paid, draw)}**1")
                lines.append("DTM*472*20240501")
                if charge != paid or draw(st.booleans()):
                    lines.append(_cas(_split(charge - paid, draw(st.integers(1, 6)), draw), draw))
                claim_charge, claim_paid = claim_charge + charge, claim_paid + paid
            extra = draw(st.integers(-2000, 20_000))
            head = [
                f"CLP*P{n}*{draw(st.sampled_from(STATUSES))}*{_money(claim_charge + extra, draw)}"
                f"*{_money(claim_paid, draw)}*{_money(draw(st.integers(0, 5000)), draw)}*12*X*11*1",
                "DTM*232*20240401",
            ]
            if extra or draw(st.booleans()):
                head.append(_cas(_split(extra, draw(st.integers(1, 3)), draw), draw))
            body += head + lines
            paid_total += claim_paid
        plb = draw(st.lists(st.integers(-3000, 3000), max_size=3))
        if plb:
            pairs = "".join(f"*{draw(st.sampled_from(['L6:INT', 'WO', '72']))}*{_money(a, draw)}"
                            for a in plb)  # fmt: skip
            body.append(f"PLB*1234567893*20241231{pairs}")
        bpr = f"BPR*I*{_money(paid_total - sum(plb), draw)}*C*ACH"
        transactions.append([bpr, "DTM*405*20240510", *body])
    text = interchange(transactions)
    if draw(st.booleans()):  # sometimes one flaw somewhere
        flaws = [("*0.00", "*0.001"), ("20240501", "20240532"), ("HC:", "HC>"),
                 ("CAS*CO*", "CAS*CO* "), ("*1.", "*1,")]  # fmt: skip
        flaw = draw(st.sampled_from(flaws))
        text = text.replace(*flaw, 1)
    return text


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=clean_835s())
def test_random_835s_fast_path_answers_only_what_the_flattener_would(
    tmp_path: Path, text: str
) -> None:
    path = tmp_path / "random.835"
    path.write_text(text)
    for quick, full, warnings in _both(path):
        if quick is not None:
            assert warnings == []
            assert quick == full
    # and the whole report equals the per-segment path's, whichever path each chunk took
    assert inspect_file(path, chunk_bytes=300) == inspect_file(path, engine="reference")
