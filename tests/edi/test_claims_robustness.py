"""Property tests: random corruption of valid 837, 999 and 277CA files never raises out of inspect,
and random segment soups (every odd value and misplaced segment) give the same frames, warnings
and inspect JSON on the vectorised and the per-segment path — inspect's fast path included."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from collectors.edi.inspect import inspect_file

from .claims_support import assert_same, claim, interchange, professional

KEYS = ["file", "ok", "error", "interchanges", "transactions"]

CHILD = [
    "HL*3*2*23*0",
    "PAT*19",
    "NM1*QC*1*DOE*JANE",
    "DMG*D8*20150601*F",
    *claim("C2", "55.10", ("99213", "55.10"), frequency="7", extra=["REF*F8*ICN1"]),
]
VALID_837 = interchange(
    [("837P", [professional([claim("C1", "100", ("99213", "60"), ("36415", "40"))]) + CHILD])]
)
VALID_999 = interchange(
    [
        (
            "999",
            [
                [
                    "AK1*HC*1*005010X222A1",
                    "AK2*837*0001",
                    "IK3*CLM*22*2300*8",
                    "CTX*CLM01:C1",
                    "IK4*2*782*1*X",
                    "IK5*R*5",
                    "AK2*837*0002",
                    "IK5*A",
                    "AK9*P*2*2*1",
                ]
            ],
        )
    ]
)
VALID_277 = interchange(
    [
        (
            "277CA",
            [
                [
                    "BHT*0085*08*ACK1*20240511*1200*TH",
                    "HL*1**20*1",
                    "NM1*PR*2*PLAN*****PI*1",
                    "HL*2*1*21*1",
                    "TRN*2*BATCH1",
                    "STC*A1:19*20240511*WQ*0",
                    "HL*3*2*19*1",
                    "NM1*85*2*CLINIC*****XX*1234567893",
                    "STC*A3:24*20240511*U",
                    "HL*4*3*PT",
                    "TRN*2*C1",
                    "STC*A2:20*20240511*WQ*100",
                    "DTP*472*D8*20240501",
                    "SVC*HC:99213*60",
                    "STC*A7:454*20240511",
                ]
            ],
        )
    ]
)
INSERTS = [b"~", b"*", b":", b">", b"HL*9*1*22*1~", b"CLM*X*1~", b"SV1*HC:1*1~", b"\xef\xbb\xbf"]


@st.composite
def corruptions(draw) -> bytes:
    data = bytearray(draw(st.sampled_from([VALID_837, VALID_999, VALID_277])).encode())
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["flip", "truncate", "insert", "delete"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif kind == "truncate":
            del data[at:]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=6) | st.sampled_from(INSERTS))
        elif data:
            del data[at : at + draw(st.integers(1, 30))]
    return bytes(data)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=corruptions())
def test_corruption_never_raises_out_of_inspect(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "corrupt.x12"
    path.write_bytes(data)
    results = [inspect_file(path, engine=engine) for engine in ("vectorised", "reference")]
    for result in results:
        json.dumps(result)
        assert list(result)[: len(KEYS)] == KEYS and list(result)[-1] == "warnings"
        assert result["error"] is None if result["ok"] else result["error"]
        assert not (result["error"] or "").startswith("internal error"), result["error"]
    assert results[0] == results[1]


# -- segment soups --------------------------------------------------------------------------------

AMOUNTS = st.sampled_from(["100", "0", "-5.5", "12.345", "1,000", "", " 7.10", "abc", ".5"])
DATES = st.sampled_from(["20240501", "20240230", "00000000", "2024-05-01", "", " 20240501"])
PERIODS = st.sampled_from(
    ["D8*20240501", "RD8*20240501-20240503", "RD8*20240501", "RD8*-20240503", "DT*202405011230",
     "D8*2024", "*20240501", "RD8*20240501-2024"]
)  # fmt: skip
COMPOSITES = st.sampled_from(["HC:99213:25", "HC>99213>59", "HC", "", "HC:", "ZZ|A|B"])
ENTITIES = st.sampled_from(["85", "87", "IL", "PR", "QC", "77", "82", "71", "41"])
DIAGNOSES = st.sampled_from(
    ["ABK:R69", "ABF>E119", "BK", "ABK:", "BH:A1:D8:20240101", "ABJ:X::::::::Y"]
)


@st.composite
def segment(draw) -> str:
    kind = draw(st.sampled_from(
        ["HL", "HL", "CLM", "CLM", "LX", "SV1", "SV2", "DTP", "HI", "NM1", "REF", "SBR", "DMG",
         "PAT", "AMT", "BHT", "N3"]
    ))  # fmt: skip
    level = draw(st.sampled_from(["20", "22", "23", "19", ""]))
    hl_id = draw(st.sampled_from(["1", "2", "3", ""]))
    return {
        "HL": f"HL*{hl_id}*{draw(st.sampled_from(['', '1', '2', '9']))}*{level}*1",
        "CLM": f"CLM*{draw(st.sampled_from(['P1', 'P2', '']))}*{draw(AMOUNTS)}***"
        f"{draw(st.sampled_from(['11:B:1', '13>A>7', '', '11']))}*Y",
        "LX": f"LX*{draw(st.sampled_from(['1', '2', 'A', '', ' 3']))}",
        "SV1": f"SV1*{draw(COMPOSITES)}*{draw(AMOUNTS)}*UN*1*11**1:2",
        "SV2": f"SV2*0300*{draw(COMPOSITES)}*{draw(AMOUNTS)}*UN*2",
        "DTP": f"DTP*{draw(st.sampled_from(['472', '434', '435', '431']))}*{draw(PERIODS)}",
        "HI": "HI*" + "*".join(draw(st.lists(DIAGNOSES, min_size=1, max_size=4))),
        "NM1": f"NM1*{draw(ENTITIES)}*2*NAME*FIRST****{draw(st.sampled_from(['XX', 'MI', '']))}"
        f"*ID{hl_id}",
        "REF": f"REF*{draw(st.sampled_from(['EI', 'F8', 'G1', 'D9', '6R', 'XX']))}*R{hl_id}",
        "SBR": f"SBR*{draw(st.sampled_from(['P', 'S', 'T', '']))}*18*G******CI",
        "DMG": f"DMG*D8*{draw(DATES)}*F",
        "PAT": "PAT*19",
        "AMT": f"AMT*{draw(st.sampled_from(['D', 'A8']))}*{draw(AMOUNTS)}",
        "BHT": f"BHT*0019*00*B1*{draw(DATES)}*1200*CH",
        "N3": "N3*1 MAIN ST",
    }[kind]


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    bodies=st.lists(st.lists(segment(), min_size=1, max_size=25), min_size=1, max_size=3),
    chunk_bytes=st.sampled_from([120, 400, 1 << 20]),
)
@example(  # found by a long run: an HL without id
    bodies=[["HL*1**20*1"], ["HL*1**20*1", "HL***20*1", "CLM*P1*100***11:B:1*Y"]], chunk_bytes=120
)
def test_837_segment_soups_agree(tmp_path: Path, bodies: list[list[str]], chunk_bytes: int) -> None:
    path = tmp_path / "soup.837"
    path.write_text(interchange([("837P", bodies)]))
    assert_same(path, chunk_bytes=chunk_bytes)


@st.composite
def ack_segment(draw) -> str:
    return draw(st.sampled_from(
        ["AK1*HC*1*005010X222A1", "AK1*HC*2", "AK2*837*0001", "AK2*837*0002*005010X222A1",
         "IK3*CLM*22*2300*8", "IK3*NM1*X**3", "IK4*2*782*1*BAD", "IK4*5:2:1*66*7", "IK4*A>1*1*1",
         "CTX*CLM01:P1", "CTX*SITUATIONAL TRIGGER*CLM*43", "IK5*A", "IK5*R*5*I5", "IK5*E",
         "AK9*A*1*1*1", "AK9*P*3*3*x", "AK9*R*2*2*0", "AK9*E"]
    ))  # fmt: skip


@st.composite
def status_segment(draw) -> str:
    return draw(st.sampled_from(
        ["HL*1**20*1", "HL*2*1*21*1", "HL*3*2*19*1", "HL*4*3*PT", "HL*5*3*PT", "HL*6*9*22",
         "NM1*85*2*CLINIC*****XX*1234567893", "NM1*QC*1*DOE*JANE****MI*M1", "TRN*2*C1",
         "TRN*2*B1", "STC*A1:20*20240511*WQ*10", "STC*A7>562>85*20240230", "STC*A3:24*20240511*U",
         "STC*A2:20*2024*WQ*1.005", "STC*E0:1******A8:510", "REF*1K*ICN1", "REF*D9*T1",
         "DTP*472*RD8*20240501-20240502", "DTP*472*D8*2024", "SVC*HC:99213*60", "SVC*HC>1*x",
         "BHT*0085*08*A1*20240511*1200*TH"]
    ))  # fmt: skip


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    acks=st.lists(st.lists(ack_segment(), min_size=1, max_size=15), min_size=0, max_size=2),
    statuses=st.lists(st.lists(status_segment(), min_size=1, max_size=20), min_size=0, max_size=2),
    chunk_bytes=st.sampled_from([120, 1 << 20]),
)
@example(  # found by a long run: an HL of a higher level ends the lower ones
    acks=[], statuses=[["HL*3*2*19*1", "HL*1**20*1", "HL*4*3*PT"]], chunk_bytes=120
)
def test_999_and_277ca_segment_soups_agree(
    tmp_path: Path, acks: list[list[str]], statuses: list[list[str]], chunk_bytes: int
) -> None:
    groups = [(guide, bodies) for guide, bodies in (("999", acks), ("277CA", statuses)) if bodies]
    if not groups:
        return
    path = tmp_path / "soup.x12"
    path.write_text(interchange(groups))
    assert_same(path, chunk_bytes=chunk_bytes)
