"""The vectorised path gives exactly what the straightforward per-segment path gives.

Frames, warnings and the inspect JSON, on the corpus, on generated balanced files cut into chunks
of many sizes, and on random segment soups that exercise every odd value and misplaced segment.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from collectors.edi.inspect import inspect_file
from collectors.edi.money import format_cents
from collectors.edi.remittance import read_remittance
from rcmwatch.bench.remittance_builder import write_remittance

from .x12_builder import interchange


def assert_same(path: Path, **kw) -> None:
    fast = read_remittance(path, **kw)
    slow = read_remittance(path, engine="reference", **kw)
    for name, frame in fast.frames.items():
        assert_frame_equal(frame, getattr(slow.frames, name), check_exact=True)
    assert fast.diagnostics.rendered() == slow.diagnostics.rendered()
    assert inspect_file(path, **kw) == inspect_file(path, engine="reference", **kw)


def test_corpus(corpus: Path) -> None:
    for path in sorted(corpus.glob("*/*")):
        assert_same(path)
        assert_same(path, chunk_bytes=256)


@pytest.mark.parametrize(
    ("seed", "chunk_bytes"),
    [
        (1, 1 << 20),
        (2, 3000),
        pytest.param(3, 200, marks=pytest.mark.slow),
        pytest.param(4, 50_000, marks=pytest.mark.slow),
    ],
)
def test_generated_files(tmp_path: Path, seed: int, chunk_bytes: int) -> None:
    path = tmp_path / "gen.835"
    totals = write_remittance(path, claims=120, claims_per_transaction=7, seed=seed)
    assert_same(path, chunk_bytes=chunk_bytes)
    era = inspect_file(path, chunk_bytes=chunk_bytes)["era"]
    assert era == {
        "claims": totals.claims,
        "charge_total": format_cents(totals.charge),
        "paid_total": format_cents(totals.paid),
        "patient_responsibility_total": format_cents(totals.patient_responsibility),
        "provider_adjustment_total": format_cents(totals.provider_adjustments),
        "payment_total": format_cents(totals.payment),
        "denied_claims": totals.denied_claims,
        "partially_denied_claims": totals.partially_denied_claims,
        "reversals": totals.reversals,
        "balanced": True,
    }


# -- random segment soups ------------------------------------------------------------------------

AMOUNTS = ["", "0", "0.00", "12.5", "-1.08", "1.005", "1.2349", "+3", ".5", "5.", "1,000", "abc",
           " 12.50 ", "1234567890123456", "99.99"]  # fmt: skip
DATES = ["", "20240101", "00000000", "20240230", "2024-01-01", " 20240101", "19000101"]
TEXT = ["", "A1", " PADDED ", "X Y", "É"]
COMPOSITES = ["HC:99213", "HC>99213>25", "AD|D1110", "HC", "HC:99213:25:59:XE:GT", "N4-1", ""]
QUALIFIERS = {
    "DTM": ["405", "232", "233", "050", "472", "150", "151", "036"],
    "REF": ["2U", "TJ", "6R", "EV", "F8"],
    "N1": ["PR", "PE", "XX"],
    "AMT": ["B6", "AU"],
    "NM1": ["QC", "IL", "82"],
    "LQ": ["HE", "RX", ""],
}


def _segment(draw, tag: str) -> str:
    a = lambda: draw(st.sampled_from(AMOUNTS))  # noqa: E731
    t = lambda: draw(st.sampled_from(TEXT))  # noqa: E731
    if tag in QUALIFIERS:
        q = draw(st.sampled_from(QUALIFIERS[tag]))
        value = draw(st.sampled_from(DATES if tag == "DTM" else AMOUNTS if tag == "AMT" else TEXT))
        return f"{tag}*{q}*{value}*{t()}"
    if tag == "BPR":
        return f"BPR*I*{a()}*C*ACH************{draw(st.sampled_from(DATES))}"
    if tag == "CLP":
        status = draw(st.sampled_from(["1", "2", "4", "19", "22", "25", ""]))
        return f"CLP*{t()}*{status}*{a()}*{a()}*{a()}*12*{t()}*11*1"
    if tag == "SVC":
        return f"SVC*{draw(st.sampled_from(COMPOSITES))}*{a()}*{a()}*{t()}*{t()}"
    if tag == "CAS":
        n = draw(st.integers(0, 7))
        triplets = "".join(
            f"*{draw(st.sampled_from(['45', '2', '197', '', '045', 'A2', '133']))}*{a()}*{t()}"
            for _ in range(n)
        )
        return f"CAS*{draw(st.sampled_from(['CO', 'PR', 'OA', '']))}{triplets}"
    if tag == "PLB":
        pairs = "".join(
            f"*{draw(st.sampled_from(['L6:INT', 'WO>X', 'FB', '', '72:A:B']))}*{a()}"
            for _ in range(draw(st.integers(0, 7)))
        )
        return f"PLB*{t()}*{draw(st.sampled_from(DATES))}{pairs}"
    if tag == "TS3":
        return f"TS3*{t()}*11*{draw(st.sampled_from(DATES))}*1*{a()}*{a()}"
    if tag in ("MOA", "MIA"):
        return f"{tag}*" + "*".join(draw(st.sampled_from(["", "MA01", "N1"])) for _ in range(23))
    if tag == "LX":
        return f"LX*{t()}"
    return f"{tag}*{t()}*{t()}"


@st.composite
def soups(draw) -> str:
    tags = ["BPR", "TRN", "DTM", "N1", "REF", "LX", "TS3", "TS2", "CLP", "NM1", "CAS", "SVC",
            "AMT", "LQ", "MOA", "MIA", "PLB", "N3", "QTY"]  # fmt: skip
    transactions = []
    for _ in range(draw(st.integers(1, 3))):
        body = [
            _segment(draw, draw(st.sampled_from(tags))) for _ in range(draw(st.integers(0, 25)))
        ]
        transactions.append(body)
    return interchange(transactions, component=draw(st.sampled_from([":", ">", "|"])))


_SOUP_SETTINGS = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}


def _soup(tmp_path: Path, text: str, chunk_bytes: int) -> None:
    path = tmp_path / "soup.835"
    path.write_bytes(text.encode("utf-8"))
    assert_same(path, chunk_bytes=chunk_bytes)


@settings(max_examples=25, **_SOUP_SETTINGS)
@given(text=soups(), chunk_bytes=st.sampled_from([64, 1 << 20]))
def test_random_segment_soups(tmp_path: Path, text: str, chunk_bytes: int) -> None:
    _soup(tmp_path, text, chunk_bytes)


@pytest.mark.slow
@settings(max_examples=300, **_SOUP_SETTINGS)
@given(text=soups(), chunk_bytes=st.sampled_from([64, 700, 1 << 20]))
def test_many_random_segment_soups(tmp_path: Path, text: str, chunk_bytes: int) -> None:
    _soup(tmp_path, text, chunk_bytes)


def test_worker_processes_give_the_same_report(tmp_path: Path) -> None:
    """Large files are summarised chunk by chunk in worker processes: same JSON, same warnings."""
    path = tmp_path / "gen.835"
    write_remittance(path, claims=400, claims_per_transaction=9, seed=5)
    text = path.read_text().replace("*12*X000000007*", "*12* X000000007 *")
    text = text.replace("CAS*CO*45*", "CAS*CO*45*0", 3).replace(
        "DTM*472*20240501", "DTM*472*2024", 2
    )
    path.write_text(text)
    pooled = inspect_file(path, chunk_bytes=3000, workers=2)
    assert pooled["warnings"]  # the edits above warn: the numbering must survive the workers
    assert pooled == inspect_file(path, engine="reference")
    assert pooled == inspect_file(path, chunk_bytes=3000, workers=1)
