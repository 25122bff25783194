"""Separators, chunking and the envelope, through both tokenizers."""

from __future__ import annotations

import io
import re
from pathlib import Path

import polars as pl
import pytest

from collectors.edi.chunks import ChunkReader
from collectors.edi.delimiters import Delimiters
from collectors.edi.diagnostics import Diagnostics
from collectors.edi.errors import NotX12, TruncatedX12
from collectors.edi.segment_frames import SegmentFrameReader
from collectors.edi.segments import SegmentReader

from .x12_builder import bare, interchange, isa, remittance, write

CLAIM = ["CLP*A1*1*100*80*20*12*X1*11*1", "CAS*PR*2*20"]


def segments(path: Path, **kw) -> tuple[list[tuple], SegmentReader]:
    reader = SegmentReader.open(path, **kw)
    return [(s.number, s.elements, s.transaction_index) for s in reader], reader


def frame_segments(path: Path, **kw) -> tuple[list[tuple], SegmentFrameReader]:
    reader = SegmentFrameReader.open(path, **kw)
    rows = []
    for batch in reader:
        el = batch.delimiters.element
        for number, text, txn in batch.frame.select(
            "segment_number", "text", "transaction_index"
        ).iter_rows():
            rows.append((number, tuple(text.split(el)), txn))
    return rows, reader


def both(path: Path, **kw) -> tuple[list[tuple], list[str]]:
    """The two tokenizers must agree on segments, envelope and warnings; return them."""
    ref, r = segments(path, **kw)
    vec, v = frame_segments(path, **kw)
    assert vec == ref
    assert v.diagnostics.rendered() == r.diagnostics.rendered()
    assert [t.__dict__ for t in v.envelope.transactions] == [
        t.__dict__ for t in r.envelope.transactions
    ]
    return ref, r.diagnostics.rendered()


def delimiters_of(path: Path) -> Delimiters:
    return next(iter(SegmentReader.open(path))).delimiters


# -- separators --------------------------------------------------------------------------------


def test_standard_isa(tmp_path: Path) -> None:
    path = write(tmp_path, interchange([remittance("80", CLAIM)]))
    assert delimiters_of(path) == Delimiters("*", ":", "^", "~")
    rows, warnings = both(path)
    assert rows[0][1][0] == "ISA" and len(rows[0][1]) == 17
    assert warnings == []


@pytest.mark.parametrize(
    ("element", "component", "terminator", "after"),
    [
        ("|", "^", "~", ""),
        ("~", "^", "_", "\n"),
        ("*", ">", "~", "\r\n"),
        ("\x1d", "\x1f", "\x1c", ""),  # control characters some systems use
        ("*", ":", "\n", ""),  # newline-terminated
        ("*", ":", "~", "\n    "),  # pretty-printed with indentation
        ("*", ":", "~", "   "),  # trailing spaces after each terminator
    ],
)
def test_any_separators(
    tmp_path: Path, element: str, component: str, terminator: str, after: str
) -> None:
    text = interchange(
        [remittance("80", CLAIM)],
        element=element,
        component=component,
        terminator=terminator,
        after=after,
    )
    path = write(tmp_path, text)
    d = delimiters_of(path)
    assert (d.element, d.component, d.segment) == (element, component, terminator)
    rows, warnings = both(path)
    assert [r[1][0] for r in rows][:3] == ["ISA", "GS", "ST"]
    clp = next(r for r in rows if r[1][0] == "CLP")
    assert clp[1][:4] == ("CLP", "A1", "1", "100")
    assert warnings == []


def test_crlf_newline_terminated(tmp_path: Path) -> None:
    path = write(tmp_path, interchange([remittance("80", CLAIM)], terminator="\r\n"))
    assert delimiters_of(path).segment == "\n"
    rows, _ = both(path)
    assert all("\r" not in e for _, elements, _ in rows for e in elements)


def test_isa11_letter_is_no_repetition_separator(tmp_path: Path) -> None:
    path = write(tmp_path, interchange([remittance("80", CLAIM)], repetition="U"))
    assert delimiters_of(path).repetition is None


def test_trimmed_isa_is_read_by_element_count(tmp_path: Path) -> None:
    text = interchange([remittance("80", CLAIM)])
    trimmed = text.replace("SENDER         ", "SENDER").replace(" " * 10, "")
    path = write(tmp_path, trimmed)
    assert delimiters_of(path) == Delimiters("*", ":", "^", "~")
    _, warnings = both(path)
    assert any("not 106: separators found by element count" in w for w in warnings)


def test_newline_then_punctuation_terminator(tmp_path: Path) -> None:
    """TigerShark's layout: ISA16 then a line break, and every segment starts with '~'."""
    text = interchange([remittance("80", CLAIM)], element="|", component="^", terminator="\n~")
    path = write(tmp_path, text)
    assert delimiters_of(path).segment == "~"
    rows, warnings = both(path)
    assert rows[1][1][:2] == ("GS", "HP")
    assert "'~' is taken as the segment terminator" in warnings[0]


def test_utf8_bom_and_leading_blank_lines(tmp_path: Path) -> None:
    text = "\ufeff\n\n" + interchange([remittance("80", CLAIM)], after="\n  ")
    path = tmp_path / "bom.835"
    path.write_bytes(text.encode("utf-8"))
    rows, warnings = both(path)
    assert rows[0][1][0] == "ISA" and warnings == []


def test_file_without_isa(tmp_path: Path) -> None:
    body = ["ST*835*0001", *remittance("80", CLAIM), "SE*12*0001"]
    path = write(tmp_path, bare(body))
    rows, warnings = both(path)
    assert rows[0][1][:2] == ("ST", "835")
    assert "no ISA/GS envelope" in warnings[0]
    assert [r[2] for r in rows] == [0] * len(rows)


def test_file_of_one_line_without_isa_and_newline_terminator(tmp_path: Path) -> None:
    body = ["ST*835*0001", *remittance("80", CLAIM), "SE*12*0001"]
    path = write(tmp_path, bare(body, terminator="\n"))
    assert delimiters_of(path).segment == "\n"
    rows, _ = both(path)
    assert len(rows) == 12


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"", "the file is empty"),
        (b"   \n\n", "the file is empty"),
        (b"%PDF-1.4 binary", "does not start with ISA or ST"),
        (b"name,amount\nA,1\n", "does not start with ISA or ST"),
        (b"ISA*00*", "truncated"),
        (b"ISA*00*    *00*", "truncated"),
        (b"ISA" + b"A" * 600, "the element separator 'A' is a letter"),
        ("ISA\u00e900*".encode("latin-1") + b"x" * 600, "not ASCII"),
    ],
)
def test_not_x12(tmp_path: Path, content: bytes, error: str) -> None:
    path = write(tmp_path, content)
    for reader in (SegmentReader.open(path), SegmentFrameReader.open(path)):
        with pytest.raises((NotX12, TruncatedX12), match=error):
            list(reader)


# -- decoding ----------------------------------------------------------------------------------


def test_cp1252_and_utf8_text(tmp_path: Path) -> None:
    claims = ["CLP*A1*1*100*80*20*12*X1*11*1", "NM1*QC*1*MÜLLER*JOSÉ"]
    text = interchange([remittance("80", claims)])
    utf8 = tmp_path / "utf8.835"
    utf8.write_bytes(text.encode("utf-8"))
    cp1252 = tmp_path / "cp1252.835"
    cp1252.write_bytes(text.replace("JOSÉ", "JOSÉ’").encode("cp1252") + b"\x81")
    rows, warnings = both(utf8)
    assert ("NM1", "QC", "1", "MÜLLER", "JOSÉ") in [r[1] for r in rows]
    assert warnings == []
    rows, warnings = both(cp1252)
    assert ("NM1", "QC", "1", "MÜLLER", "JOSÉ’") in [r[1] for r in rows]
    assert any("not UTF-8" in w for w in warnings)


# -- chunking ----------------------------------------------------------------------------------


def test_chunks_cut_before_st_and_isa() -> None:
    two = interchange([remittance("80", CLAIM)] * 3) + interchange(
        [remittance("80", CLAIM)], element="|", component="^", control="000000002"
    )
    chunks = list(ChunkReader(io.BytesIO(two.encode()), Diagnostics(), chunk_bytes=50))
    starts = [c.data.split(c.delimiters.element.encode())[0] for c in chunks]
    assert starts == [b"ISA", b"ST", b"ST", b"ST", b"ISA", b"ST"]
    assert [c.delimiters.element for c in chunks] == ["*", "*", "*", "*", "|", "|"]
    assert b"".join(c.data for c in chunks) == two.encode()


@pytest.mark.parametrize("chunk_bytes", [1, 64, 700, 1 << 20])
def test_chunk_size_does_not_change_segments(tmp_path: Path, chunk_bytes: int) -> None:
    text = interchange([remittance("80", CLAIM)] * 4, after="\n") + interchange(
        [remittance("80", CLAIM)], element="|", terminator="\n~", control="000000002"
    )
    path = write(tmp_path, text)
    whole, _ = both(path)
    small, _ = both(path, chunk_bytes=chunk_bytes)
    assert small == whole


# -- envelope ----------------------------------------------------------------------------------


def test_control_numbers_and_indices(tmp_path: Path) -> None:
    text = interchange([remittance("80", CLAIM)] * 2) + interchange(
        [remittance("80", CLAIM)], control="000000002", usage="T"
    )
    path = write(tmp_path, text)
    _rows, warnings = both(path)
    reader = SegmentReader.open(path)
    list(reader)
    env = reader.envelope
    assert [i.control_number for i in env.interchanges] == ["000000001", "000000002"]
    assert [(t.index, t.interchange_index, t.group_index) for t in env.transactions] == [
        (0, 0, 0),
        (1, 0, 0),
        (2, 1, 1),
    ]
    assert [t.control_number for t in env.transactions] == ["0001", "0002", "0001"]
    assert env.transactions[0].declared_count == "12"
    assert warnings == ["interchange 000000002 (segment 29) is a test interchange (ISA15 = T)"]


def test_wrong_counts_in_trailers_are_warnings(tmp_path: Path) -> None:
    text = interchange([remittance("80", CLAIM)])
    text = text.replace("SE*12*0001", "SE*11*0009").replace("GE*1*1", "GE*2*7")
    text = text.replace("IEA*1*000000001", "IEA*3*000000009")
    path = write(tmp_path, text)
    _, warnings = both(path)
    assert warnings == [
        "SE01 of ST 0001 (segment 3) says 11 segments, counted 12",
        "SE02 '0009' at segment 14 differs from ST02 '0001'",
        "GE01 of group 1 (segment 2) says 2 transaction sets, counted 1",
        "GE02 '7' at segment 15 differs from GS06 '1'",
        "IEA01 of interchange 000000001 (segment 1) says 3 groups, counted 1",
        "IEA02 '000000009' at segment 16 differs from ISA13 '000000001'",
    ]


def test_4010_is_parsed_and_flagged(tmp_path: Path) -> None:
    text = interchange([remittance("80", CLAIM)], version="00401", gs_version="004010X091A1")
    path = write(tmp_path, text)
    _, warnings = both(path)
    assert warnings == [
        "interchange 000000001 (segment 1) has a 4010 envelope (ISA12 = 00401)",
        "group 1 (segment 2) is 4010 (004010X091A1): read with the 5010 layout, which 4010 "
        "shares for the segments used",
    ]


def _truncate_after(text: str, tag: str) -> str:
    """The text up to and including the last segment starting with ``tag``."""
    cut = text.rfind("~" + tag + "*")
    return text[: text.index("~", cut + 1) + 1]


@pytest.mark.parametrize(
    ("cut_after", "message"),
    [
        ("CAS", "the file ends with ST 835 0001 (segment 3), GS 1 (segment 2), ISA 000000001"),
        ("SE", "the file ends with GS 1 (segment 2), ISA 000000001 (segment 1) open"),
        ("GE", "the file ends with ISA 000000001 (segment 1) open"),
    ],
)
def test_truncated_envelopes_fail(tmp_path: Path, cut_after: str, message: str) -> None:
    text = _truncate_after(interchange([remittance("80", CLAIM)]), cut_after)
    path = write(tmp_path, text)
    for reader in (SegmentReader.open(path), SegmentFrameReader.open(path)):
        with pytest.raises(TruncatedX12, match=re.escape("truncated: " + message)):
            list(reader)


def test_truncated_file_without_isa_fails(tmp_path: Path) -> None:
    path = write(tmp_path, bare(["ST*835*0001", *remittance("80", CLAIM)]))
    with pytest.raises(TruncatedX12, match=r"ends with ST 835 0001 \(segment 1\) open"):
        list(SegmentFrameReader.open(path))


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("SE*12*0001~", ""), "ST 835 0001 (segment 3) has no SE before the ST at segment 14"),
        (("GE*2*1~", ""), "GS 1 (segment 2) has no GE before the IEA at segment 27"),
        (("SE*12*0002~", ""), "ST 835 0002 (segment 15) has no SE before the GE at segment 26"),
    ],
)
def test_unclosed_envelope_before_the_next_is_truncation(
    tmp_path: Path, edit: tuple[str, str], message: str
) -> None:
    text = interchange([remittance("80", CLAIM)] * 2) + interchange(
        [remittance("80", CLAIM)], control="000000002"
    )
    path = write(tmp_path, text.replace(*edit))
    for reader in (SegmentReader.open(path), SegmentFrameReader.open(path)):
        with pytest.raises(TruncatedX12, match=re.escape(message)):
            list(reader)


def test_stray_segments_and_trailers_are_warnings(tmp_path: Path) -> None:
    text = interchange([remittance("80", CLAIM)])
    text = text.replace("GE*1*1~", "BPR*X~REF*ZZ*1~GE*1*1~SE*1*0001~")
    path = write(tmp_path, text)
    _, warnings = both(path)
    assert warnings == [
        "2 segment(s) outside any ST/SE transaction were ignored (the first: BPR at segment 15)",
        "SE at segment 18 closes no ST",
    ]


def test_segment_frame_schema(tmp_path: Path) -> None:
    path = write(tmp_path, interchange([remittance("80", CLAIM)]))
    batch = next(iter(SegmentFrameReader.open(path)))
    assert batch.frame.schema == pl.Schema(
        {
            "segment_number": pl.Int64,
            "tag": pl.String,
            "text": pl.String,
            "element1": pl.String,
            "transaction_index": pl.Int64,
        }
    )
    assert batch.frame.filter(pl.col("tag") == "DTM")["element1"].to_list() == ["405"]


def test_isa_builder_is_standard_length() -> None:
    assert len(isa()) + 1 == 106
