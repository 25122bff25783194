"""Random corruption of a valid file never raises out of inspect: always one JSON object."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collectors.edi.inspect import inspect_file

from .x12_builder import interchange, remittance

CLAIMS = [
    "CLP*A1*1*100*80*20*12*X1*11*1",
    "NM1*QC*1*DOE*JANE****MI*M1",
    "SVC*HC:99213*100*80**1",
    "DTM*472*20240501",
    "CAS*PR*2*20",
    "CLP*A2*4*300*0*0*12*X2*11*1",
    "CAS*CO*197*300",
]
VALID = interchange([remittance("80", CLAIMS, ["PLB*1*20241231*L6:I*-1.00"])] * 2).encode()
KEYS = ["file", "ok", "error", "interchanges", "transactions"]


@st.composite
def corruptions(draw) -> bytes:
    data = bytearray(VALID)
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["flip", "truncate", "insert", "delete"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif kind == "truncate":
            del data[at:]
        elif kind == "insert":
            data[at:at] = draw(
                st.binary(min_size=1, max_size=8)
                | st.sampled_from(
                    [b"~", b"*", b":", b"ISA", b"ST*835*9~", b"SE*1*1~", b"\xef\xbb\xbf", b"\n"]
                )
            )
        elif data:
            del data[at : at + draw(st.integers(1, 40))]
    return bytes(data)


def check(tmp_path: Path, data: bytes) -> dict:
    path = tmp_path / "corrupt.835"
    path.write_bytes(data)
    for engine in ("vectorised", "reference"):
        result = inspect_file(path, engine=engine)
        json.dumps(result)
        assert list(result)[: len(KEYS)] == KEYS and list(result)[-1] == "warnings"
        assert isinstance(result["ok"], bool)
        if result["ok"]:
            assert result["error"] is None
        else:
            assert result["error"] and "\n" not in result["error"]
            # Corruption is an input problem, never a crash of ours.
            assert not result["error"].startswith("internal error"), result["error"]
    assert inspect_file(path) == inspect_file(path, engine="reference")
    return result


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(corruptions())
def test_corruption_never_raises(tmp_path: Path, data: bytes) -> None:
    check(tmp_path, data)


def test_the_valid_file_is_ok(tmp_path: Path) -> None:
    result = check(tmp_path, VALID)
    assert result["ok"] and result["era"]["claims"] == 4


def test_every_truncation_point(tmp_path: Path) -> None:
    """Cut after every segment terminator: only the complete file is ok."""
    cuts = [i + 1 for i, b in enumerate(VALID) if b == ord("~")]
    outcomes = [check(tmp_path, VALID[:cut])["ok"] for cut in cuts]
    assert outcomes == [False] * (len(cuts) - 1) + [True]
