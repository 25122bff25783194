"""pyx12 4.0 (the test oracle) agrees with our loop counts on the 837, 999 and 277CA files it reads.

pyx12 has maps for 837 005010X222A1 and 005010X223A2 (not the A2/A3 errata nor the bare X222
of the Inteligenz file), for the 999 and for the 277CA (X214). Its loop-aware reader
(``X12ContextReader``) places every segment in its loop, which gives the counts compared here, on
every such file of the corpus: x12_many_claims, x12_multiple_isa,
x12_valid_different_separators and moov's 837P sample (X222A1), x223-test (X223A2), the three
999s and the two 277CAs. Of these its validator reports only x12_999_rejected and moov's 837P as
OK (judged by its return value, as ``x12valid`` prints OK/Failure; the others break one TR3 rule or
another — SE counts, usage of elements — which pyx12 reports without changing the loops it reads).
pyx12 crashes on a UTF-8 BOM and writes acknowledgments next to its inputs, so it only ever sees
BOM-less copies in a temporary folder.
"""

from __future__ import annotations

import logging
import tempfile
from collections import Counter
from pathlib import Path

import polars as pl
import pytest

from collectors.edi.x12_frames import read_x12

from .claims_support import CORPUS, needs_corpus

pytest.importorskip("pyx12.x12context", reason="pyx12 (dev dependency) missing")
import pyx12.error_handler
import pyx12.params
import pyx12.x12n_document
from pyx12.x12context import X12ContextReader

pytestmark = needs_corpus

READ_BY_PYX12 = [
    "imsweb__x12-parser/x12_many_claims.txt",
    "imsweb__x12-parser/x12_multiple_isa.txt",
    "imsweb__x12-parser/x12_valid_different_separators.txt",
    "moov-io__x12/example_5010_837p_sample.txt",
    "imsweb__x12-parser/x223-test.txt",
    "imsweb__x12-parser/x12_999_accepted.txt",
    "imsweb__x12-parser/x12_999_rejected.txt",
    "Inteligenz__X12Parser/999_DHS_Wisconsin_Sample.txt",
    "imsweb__x12-parser/x12_277CA_accepted.txt",
    "imsweb__x12-parser/x12_277CA_rejected.txt",
]
VALIDATED_OK = {
    "imsweb__x12-parser/x12_999_rejected.txt",
    "moov-io__x12/example_5010_837p_sample.txt",
}


def _copy(name: str, folder: Path) -> Path:
    copy = folder / Path(name).name
    copy.write_bytes((CORPUS / name).read_bytes().removeprefix(b"\xef\xbb\xbf"))
    return copy


def pyx12_loops(path: Path) -> list[tuple[str, str, str]]:
    """(segment id, loop id, first element) of every segment, in file order."""
    out = []
    param = pyx12.params.params()
    with path.open(encoding="ascii") as handle:
        reader = X12ContextReader(param, pyx12.error_handler.errh_null(), handle)
        for node in reader.iter_segments():
            loop = node.cur_path.split("/")[-2]
            first = node.get_value("01") if node.id in ("IK5", "STC", "HL") else ""
            out.append((node.id, loop, first or ""))
    return out


@pytest.fixture(scope="module")
def copies():
    with tempfile.TemporaryDirectory() as folder:
        yield {name: _copy(name, Path(folder)) for name in READ_BY_PYX12}


def test_pyx12_validates_the_files_we_say(copies: dict[str, Path]) -> None:
    logging.getLogger("pyx12").setLevel(logging.CRITICAL)
    ok = set()
    for name, path in copies.items():
        with tempfile.TemporaryFile(mode="w+", encoding="ascii") as ack:
            if pyx12.x12n_document.x12n_document(
                param=pyx12.params.params(),
                src_file=str(path),
                fd_997=ack,
                fd_html=None,
                fd_xmldoc=None,
            ):
                ok.add(name)
    assert ok == VALIDATED_OK


@pytest.mark.parametrize("name", READ_BY_PYX12[:5])
def test_837_loop_counts(name: str, copies: dict[str, Path]) -> None:
    loops = Counter((seg, loop) for seg, loop, _ in pyx12_loops(copies[name]))
    frames = read_x12(CORPUS / name).frames.claims
    txns = frames.transactions
    assert txns.get_column("billing_provider_count").sum() == loops["HL", "2000A"]
    assert txns.get_column("subscriber_count").sum() == loops["HL", "2000B"]
    assert txns.get_column("patient_count").sum() == loops["HL", "2000C"]
    assert frames.claims.height == loops["CLM", "2300"]
    assert frames.service_lines.height == loops["SV1", "2400"] + loops["SV2", "2400"]
    assert frames.other_payers.height == loops["SBR", "2320"]


@pytest.mark.parametrize("name", READ_BY_PYX12[5:8])
def test_999_set_counts_codes_and_errors(name: str, copies: dict[str, Path]) -> None:
    ik5_codes: list[str] = []
    per_set: list[int] = []  # error rows per set: each IK3's IK4s, or the IK3 alone
    ik4_in_ik3 = 0
    for seg, _, first in pyx12_loops(copies[name]):
        if seg == "AK2":
            per_set.append(0)
        elif seg == "IK3":
            ik4_in_ik3 = 0
            per_set[-1] += 1
        elif seg == "IK4":
            ik4_in_ik3 += 1
            per_set[-1] += 1 if ik4_in_ik3 > 1 else 0
        elif seg == "IK5":
            ik5_codes.append(first)
    acks = read_x12(CORPUS / name).frames.acks
    assert acks.sets.get_column("ik5_code").to_list() == ik5_codes
    assert acks.sets.get_column("error_count").to_list() == per_set


@pytest.mark.parametrize("name", READ_BY_PYX12[8:])
def test_277ca_levels_and_statuses(name: str, copies: dict[str, Path]) -> None:
    loops = pyx12_loops(copies[name])
    hls = Counter(loop for seg, loop, _ in loops if seg == "HL")
    stcs = Counter(loop for seg, loop, _ in loops if seg == "STC")
    statuses = read_x12(CORPUS / name).frames.claim_status.statuses
    ours = statuses.group_by("hl_level").agg(pl.col("hl_index").n_unique())
    levels = dict(ours.iter_rows())
    assert (levels["20"], levels["21"], levels["19"], levels["PT"]) == (
        hls["2000A"],
        hls["2000B"],
        hls["2000C"],
        hls["2000D"],
    )
    with_status = statuses.filter(pl.col("status_category").is_not_null())
    by_level = Counter(with_status.get_column("hl_level").to_list())
    assert by_level["PT"] == stcs["2200D"]
    assert by_level["21"] == stcs["2200B"]
