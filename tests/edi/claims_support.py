"""Helpers for the 837/999/277CA tests: the shared corpus, hand-built interchanges, and the check
that the vectorised and per-segment paths agree (frames, warnings and the inspect JSON)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from polars.testing import assert_frame_equal

from collectors.edi.inspect import inspect_file
from collectors.edi.x12_frames import X12File, read_x12
from tests.conftest import SHARED

REPO = Path(__file__).resolve().parents[2]
CORPUS = SHARED / "corpus" / "x12"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"X12 corpus not found at {CORPUS}")

KINDS = ("remittance", "claims", "acks", "claim_status")
GUIDES = {
    "837P": ("HC", "837", "005010X222A1"),
    "837I": ("HC", "837", "005010X223A2"),
    "999": ("FA", "999", "005010X231A1"),
    "277CA": ("HN", "277", "005010X214"),
    "277": ("HN", "277", "005010X212"),
    "835": ("HP", "835", "005010X221A1"),
}


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.glob("*/*") if p.suffix != ".md")


def isa(sender: str, receiver: str, control: str, component: str, usage: str) -> str:
    fields = [
        "ISA", "00", " " * 10, "00", " " * 10, "ZZ", sender.ljust(15), "ZZ", receiver.ljust(15),
        "240510", "1200", "^", "00501", control, "0", usage, component,
    ]  # fmt: skip
    return "*".join(fields)


def interchange(
    groups: Sequence[tuple[str, Sequence[Sequence[str]]]],
    *,
    sender: str = "CLINIC",
    receiver: str = "CLEARINGHOUSE",
    control: str = "000000001",
    component: str = ":",
    terminator: str = "~",
    after: str = "",
    usage: str = "P",
    implementation_in_st: bool = True,
) -> str:
    """ISA, then per ``(guide, transaction bodies)`` a GS..GE of ST..SE loops, then IEA.

    ``guide`` is a key of :data:`GUIDES` (functional id, set id, implementation); counts and
    control numbers are right. Bodies are written with ``*`` and ``:`` (``component`` replaces
    ``:`` in the ISA only: tests that want another separator write it in their segments).
    """
    out = [isa(sender, receiver, control, component, usage)]
    st = 0
    for group, (guide, bodies) in enumerate(groups, start=1):
        functional, set_id, implementation = GUIDES[guide]
        out.append(f"GS*{functional}*{sender}*{receiver}*20240510*1200*{group}*X*{implementation}")
        for body in bodies:
            st += 1
            header = f"ST*{set_id}*{st:04d}" + (
                f"*{implementation}" if implementation_in_st else ""
            )
            out += [header, *body, f"SE*{len(body) + 2}*{st:04d}"]
        out.append(f"GE*{len(bodies)}*{group}")
    out.append(f"IEA*{len(groups)}*{control}")
    return "".join(seg + terminator + after for seg in out)


def write(tmp_path: Path, text: str | bytes, name: str = "file.x12") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("latin-1"))
    return path


def assert_same(path: Path, **kw) -> X12File:
    """Both paths give identical frames, warnings and inspect JSON; returns the vectorised one."""
    fast, slow = read_x12(path, **kw), read_x12(path, engine="reference", **kw)
    for kind in KINDS:
        a, b = getattr(fast.frames, kind), getattr(slow.frames, kind)
        assert (a is None) == (b is None), kind
        if a is not None:
            for name, frame in a.items():
                try:
                    assert_frame_equal(frame, getattr(b, name), check_exact=True)
                except AssertionError as exc:
                    raise AssertionError(f"{path}: {kind}.{name}: {exc}") from None
    assert fast.diagnostics.rendered() == slow.diagnostics.rendered()
    assert inspect_file(path, **kw) == inspect_file(path, engine="reference", **kw)
    return fast


def rows(frame, **where) -> list[dict]:
    """The frame's rows (as dicts) whose columns equal ``where``."""
    return [r for r in frame.iter_rows(named=True) if all(r[k] == v for k, v in where.items())]


# A minimal 837P transaction body: billing provider 20, subscriber 22 (the patient), one claim.
def professional(
    claims: Sequence[Sequence[str]],
    *,
    subscriber: Sequence[str] = ("SBR*P*18*GRP1******CI", "NM1*IL*1*DOE*JOHN****MI*M001"),
    payer: str = "NM1*PR*2*ACME HEALTH*****PI*87726",
) -> list[str]:
    body = [
        "BHT*0019*00*BATCH1*20240510*1200*CH",
        "NM1*41*2*CLINIC GROUP*****46*CLINIC",
        "NM1*40*2*CLEARINGHOUSE*****46*CH",
        "HL*1**20*1",
        "NM1*85*2*GENERAL CLINIC*****XX*1234567893",
        "REF*EI*123456789",
        "HL*2*1*22*0",
        *subscriber,
        "DMG*D8*19800101*M",
        payer,
    ]
    for claim in claims:
        body += claim
    return body


def claim(
    pcn: str,
    charge: str,
    *lines: tuple[str, str],
    frequency: str = "1",
    extra: Sequence[str] = (),
) -> list[str]:
    """CLM + extra claim-level segments + LX/SV1/DTP per ``(procedure, charge)`` line."""
    out = [f"CLM*{pcn}*{charge}***11:B:{frequency}*Y*A*Y*Y", *extra]
    for n, (procedure, amount) in enumerate(lines, start=1):
        out += [f"LX*{n}", f"SV1*HC:{procedure}*{amount}*UN*1***1", "DTP*472*D8*20240501"]
    return out
