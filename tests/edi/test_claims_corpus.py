"""Every 837, 999 and 277 of the shared corpus parses, both paths agree, and the values the source
projects' tests assert (SOURCES.md table A) and the per-file facts (table B) hold."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from collectors.edi.inspect import inspect_file
from collectors.edi.x12_frames import read_x12

from .claims_support import CORPUS, assert_same, corpus_files, needs_corpus, rows

pytestmark = needs_corpus

IMSWEB = CORPUS / "imsweb__x12-parser"
LFH = CORPUS / "LinuxForHealth__x12"
INTELIGENZ = CORPUS / "Inteligenz__X12Parser"
MOOV = CORPUS / "moov-io__x12"
CLAIM_KINDS = ("837", "999", "277")


def _claim_files() -> list[Path]:
    files = []
    for path in corpus_files():
        result = inspect_file(path)
        if any(kind in (result["transactions"] or {}) for kind in CLAIM_KINDS):
            files.append(path)
    return files


def test_the_corpus_has_the_expected_claim_and_ack_files() -> None:
    names = {p.name for p in _claim_files()}
    assert len(names) == 19, sorted(names)  # 13 837s, three 999s, three 277s


@pytest.mark.parametrize("chunk_bytes", [8 << 20, 300])
def test_every_837_999_277_file_parses_and_both_paths_agree(chunk_bytes: int) -> None:
    for path in _claim_files():
        result = inspect_file(path, chunk_bytes=chunk_bytes)
        assert result["ok"], (path, result["error"])
        assert_same(path, chunk_bytes=chunk_bytes)


# -- SOURCES.md table A ----------------------------------------------------------------------------


def test_277ca_accepted_claim_number_and_status() -> None:
    parsed = read_x12(IMSWEB / "x12_277CA_accepted.txt")
    statuses = parsed.frames.claim_status.statuses
    claim = rows(statuses, hl_level="PT")
    assert len(claim) == 1
    assert claim[0]["payer_claim_number"] == "1107000000014420"
    assert (claim[0]["status_category"], claim[0]["status_code"]) == ("A2", "20")
    assert claim[0]["is_acceptance"] and not claim[0]["rejected_above"]
    assert claim[0]["patient_control_number"] == "5781"
    assert claim[0]["receiver_trn_reference"] == "000000674"  # the 837's BHT03
    assert claim[0]["service_date_from"] == dt.date(1001, 1, 1)  # a placeholder, kept as sent
    receiver = rows(statuses, hl_level="21")[0]
    assert (receiver["status_category"], receiver["status_code"]) == ("A1", "20")
    assert receiver["amount_cents"] == 12500


def test_277ca_rejected_splits_stc_on_the_pipe_component_separator() -> None:
    parsed = read_x12(IMSWEB / "x12_277CA_rejected.txt")
    claim = rows(parsed.frames.claim_status.statuses, hl_level="PT")[0]
    assert (claim["status_category"], claim["status_code"], claim["entity_code"]) == (
        "A7",
        "562",
        "85",
    )
    assert claim["is_rejection"] and not claim["is_acceptance"]
    assert claim["payer_claim_number"] == "1107000000001120"
    assert inspect_file(IMSWEB / "x12_277CA_rejected.txt")["acks"] == {
        "sets_accepted": 0,
        "sets_rejected": 0,
        "claims_accepted": 0,
        "claims_rejected": 1,
    }


@pytest.mark.parametrize(
    ("name", "ik5", "ak9", "accepted", "rejected"),
    [("x12_999_accepted.txt", "A", "A", 1, 0), ("x12_999_rejected.txt", "R", "R", 0, 1)],
)
def test_999_ik501(name: str, ik5: str, ak9: str, accepted: int, rejected: int) -> None:
    acks = read_x12(IMSWEB / name).frames.acks
    assert acks.sets.get_column("ik5_code").to_list() == [ik5]
    assert acks.groups.get_column("ak9_code").to_list() == [ak9]
    result = inspect_file(IMSWEB / name)["acks"]
    assert (result["sets_accepted"], result["sets_rejected"]) == (accepted, rejected)


def test_999_rejected_segment_error() -> None:
    acks = read_x12(IMSWEB / "x12_999_rejected.txt").frames.acks
    error = acks.errors.row(0, named=True)
    assert (error["segment_id"], error["segment_position"], error["segment_error_code"]) == (
        "NM",
        17,
        "1",
    )
    assert acks.sets.get_column("ik5_error_codes").to_list() == ["5"]
    groups = acks.groups.row(0, named=True)
    assert (groups["functional_id"], groups["group_control_number"]) == ("HC", "28")
    assert (groups["sets_included"], groups["sets_received"], groups["sets_accepted"]) == (1, 1, 0)


def test_many_claims_envelope_and_2000a_loops() -> None:
    parsed = read_x12(IMSWEB / "x12_many_claims.txt")
    isa = parsed.envelope.interchanges[0]
    assert (isa.date, isa.control_number) == ("030101", "000000905")
    st = parsed.envelope.transactions[0]
    assert (st.control_number, st.declared_count) == ("987654", "25")
    txn = parsed.frames.claims.transactions.row(0, named=True)
    assert txn["group_date"] == dt.date(1999, 12, 31)
    assert txn["interchange_control_number"] == "000000905"
    assert txn["billing_provider_count"] == 410
    assert txn["subscriber_count"] == 820
    assert txn["claim_count"] == 820
    claims = parsed.frames.claims.claims
    assert claims.get_column("billing_provider_index").n_unique() == 410
    # The HL ids repeat and name a parent that does not exist: warned, read by order.
    warnings = parsed.diagnostics.rendered()
    assert any("names parent '3' but follows HL '1'" in w for w in warnings)
    assert any("repeats an earlier HL" in w for w in warnings)
    assert claims.filter(pl.col("subscriber_index").is_null()).height == 0


def test_different_separators_parse_to_the_same_content(tmp_path: Path) -> None:
    original = (IMSWEB / "x12_valid_different_separators.txt").read_bytes()
    # The same interchange written with the usual separators: ~ → *, ^ → :, _ → ~.
    table = bytes.maketrans(b"~^_", b"*:~")
    normal = tmp_path / "normal.txt"
    normal.write_bytes(original.translate(table))
    odd, usual = read_x12(IMSWEB / "x12_valid_different_separators.txt"), read_x12(normal)
    for name, frame in odd.frames.claims.items():
        assert frame.equals(getattr(usual.frames.claims, name)), name
    assert odd.diagnostics.rendered() == usual.diagnostics.rendered()
    first = odd.frames.claims.service_lines.row(1, named=True)
    assert (first["procedure_code"], first["modifier_1"], first["diagnosis_pointers"]) == (
        "478331",
        "25",
        "1:2:3",
    )


def test_multiple_isa() -> None:
    result = inspect_file(IMSWEB / "x12_multiple_isa.txt")
    assert result["interchanges"] == 2
    claims = read_x12(IMSWEB / "x12_multiple_isa.txt").frames.claims.claims
    assert claims.get_column("patient_control_number").to_list() == [
        "A37YH556",
        "A37YH667",
        "A37YH5561",
        "A37YH6672",
    ]
    assert claims.get_column("billing_provider_index").to_list() == [0, 0, 1, 1]


def test_x223_two_2320_loops() -> None:
    frames = read_x12(IMSWEB / "x223-test.txt").frames.claims
    txn = frames.transactions.row(0, named=True)
    assert (txn["claim_type"], txn["subscriber_count"]) == ("I", 1)
    claim = frames.claims.row(0, named=True)
    assert claim["subscriber_group_number"] == "SUBSCRIBER GROUP"
    assert claim["admission_date"] == dt.date(2015, 3, 30)
    assert (claim["service_date_from"], claim["service_date_to"]) == (
        dt.date(2012, 3, 30),
        dt.date(2012, 3, 30),
    )  # DTP*434 (D8 here) wins over the line's RD8
    # The NM1*77 after the 2320 loops is the other payer's service facility (2330E), not 2310E.
    assert claim["service_facility_npi"] is None
    others = frames.other_payers
    assert others.get_column("payer_responsibility").to_list() == ["S", "T"]
    assert others.get_column("subscriber_first_name").to_list() == ["JOHN", "JANE"]
    assert others.get_column("payer_name").to_list() == ["AETNA", "ANOTHER NAME"]
    assert others.get_column("seq").to_list() == [1, 2]
    line = frames.service_lines.row(0, named=True)
    assert (line["kind"], line["revenue_code"], line["procedure_code"]) == (
        "institutional",
        "0300",
        "81099",
    )
    assert (line["service_date_from"], line["service_date_to"]) == (
        dt.date(2005, 3, 14),
        dt.date(2005, 3, 25),
    )


# -- SOURCES.md table B ----------------------------------------------------------------------------

TABLE_B = [
    # file, #ST, #claims, payer names (2010BB and 2330B), first claim ids
    (LFH / "demo.example1.837", 1, 1, {"KEY INSURANCE COMPANY"}, ["26463774"]),
    (LFH / "demo.cob.example3.A.837", 1, 1, {"KEY INSURANCE COMPANY"}, ["26407789"]),
    (LFH / "demo.ambulance.example5.837", 1, 1, {"MEDICARE PART B"}, ["051068"]),
    (LFH / "demo.drug.example10.1.837", 1, 1, {"R&R Health Plan"}, ["CLMNO12345"]),
    (LFH / "institutional-claim.837i", 1, 1, {"MEDICARE B", "STATE TEACHERS"}, ["756048Q"]),
    (LFH / "two-claims-single-provider.837i", 1, 2, {"TRICARE"}, ["756048Q", "756049Q"]),
    (
        LFH / "ppo-repriced-claim.837i",
        1,
        1,
        {"LOCAL INSURANCE COMPANY", "OTHER COVERAGE COMPANY"},
        ["456DFH43"],
    ),
    (
        IMSWEB / "x12_many_claims.txt",
        1,
        820,
        {"HEALTH INSURANCE COMPANY", "HEALTH INSURANCE COMPANY TWO"},
        ["A37YH556", "A37YH667"],
    ),
    (
        IMSWEB / "x12_valid_different_separators.txt",
        1,
        2,
        {"HEALTH INSURANCE COMPANY", "HEALTH INSURANCE COMPANY TWO"},
        ["A37YH556", "A37YH667"],
    ),
    (
        IMSWEB / "x12_multiple_isa.txt",
        2,
        4,
        {"HEALTH INSURANCE COMPANY", "HEALTH INSURANCE COMPANY TWO"},
        ["A37YH556", "A37YH667", "A37YH5561", "A37YH6672"],
    ),
    (IMSWEB / "x223-test.txt", 1, 1, {"AETNA", "ANOTHER NAME"}, ["A37YH556"]),
    (
        INTELIGENZ / "837P_5010_Example1_2_And_3_Combined.txt",
        2,
        3,
        {"ALLIANCE HEALTH AND LIFE INSURANCE", "KEY INSURANCE COMPANY"},
        ["26463774", "26407789", "26462967"],
    ),
    (
        MOOV / "example_5010_837p_sample.txt",
        1,
        8,
        {"AMERIGROUP/MDGA MANAGED CARE", "BLUE CROSS"},
        ["1029353-03", "1029353-03", "1-1180", "1-1181", "1-1182"],
    ),
]


@pytest.mark.parametrize(("path", "sts", "claims", "payers", "first"), TABLE_B, ids=lambda v: "")
def test_837_table_b(path: Path, sts: int, claims: int, payers: set, first: list) -> None:
    parsed = read_x12(path)
    frames = parsed.frames.claims
    assert frames.transactions.height == sts
    assert frames.claims.height == claims
    names = set(frames.claims.get_column("payer_name").drop_nulls()) | set(
        frames.other_payers.get_column("payer_name").drop_nulls()
    )
    assert payers <= names
    assert frames.claims.get_column("patient_control_number").to_list()[: len(first)] == first
    result = inspect_file(path)
    assert result["claims"]["claims"] == claims
    assert result["transactions"] == {"837": sts}


def test_837_separators_from_table_b() -> None:
    # moov: component separator '<'; ppo-repriced: ISA16 ':' but '>' in CLM05/SV202/HI.
    moov = read_x12(MOOV / "example_5010_837p_sample.txt").frames.claims
    assert moov.claims.row(0, named=True)["facility_code"] == "11"
    assert moov.service_lines.row(0, named=True)["procedure_code"] == "87086"
    ppo = read_x12(LFH / "ppo-repriced-claim.837i")
    claim = ppo.frames.claims.claims.row(0, named=True)
    assert (claim["facility_code"], claim["facility_code_qualifier"]) == ("13", "A")
    assert ppo.frames.claims.diagnoses.get_column("code").to_list() == ["38181", "38900"]
    assert any("composites use '>'" in w for w in ppo.diagnostics.rendered())


def test_inteligenz_bom_and_indentation() -> None:
    parsed = read_x12(INTELIGENZ / "837P_5010_Example1_2_And_3_Combined.txt")
    frames = parsed.frames.claims
    assert frames.transactions.get_column("claim_type").to_list() == ["P", "P"]  # GS08 X222
    assert frames.service_lines.height == 11
    first = frames.claims.row(0, named=True)
    assert (first["patient_is_subscriber"], first["patient_first_name"]) == (False, "TED")
    assert first["billing_npi"] == "9876543210"


@pytest.mark.parametrize(
    ("name", "ik5", "ak9"),
    [
        ("x12_999_accepted.txt", ["A"], ("A", 1, 1, 1)),
        ("x12_999_rejected.txt", ["R"], ("R", 1, 1, 0)),
    ],
)
def test_999_table_b(name: str, ik5: list, ak9: tuple) -> None:
    acks = read_x12(IMSWEB / name).frames.acks
    assert acks.sets.get_column("ik5_code").to_list() == ik5
    group = acks.groups.row(0, named=True)
    counts = (group["sets_included"], group["sets_received"], group["sets_accepted"])
    assert (group["ak9_code"], *counts) == ak9


def test_wisconsin_999_partial_acceptance() -> None:
    path = INTELIGENZ / "999_DHS_Wisconsin_Sample.txt"
    acks = read_x12(path).frames.acks
    group = acks.groups.row(0, named=True)
    assert (group["ak9_code"], group["sets_included"], group["sets_received"]) == ("P", 3, 3)
    assert group["sets_accepted"] == 1
    assert group["version"] == "004010X098A1"
    assert acks.sets.get_column("ik5_code").to_list() == ["A", "R", "R"]
    assert acks.sets.get_column("set_control_number").to_list() == ["0001", "002", "0003"]
    errors = acks.errors
    assert errors.get_column("segment_id").to_list() == ["CLM", "REF"]
    assert errors.get_column("claim_reference").to_list() == ["123456789", "987654321"]
    first = errors.row(0, named=True)
    assert (first["element_position"], first["element_reference"], first["element_error_code"]) == (
        2,
        "782",
        "1",
    )
    assert errors.row(1, named=True)["context"] == (
        "CTX*SITUATIONAL TRIGGER*CLM*43**5:3*C023:1325\nCTX*CLM01:987654321"
    )
    assert inspect_file(path)["acks"] == {
        "sets_accepted": 1,
        "sets_rejected": 2,
        "claims_accepted": 0,
        "claims_rejected": 0,
    }


@pytest.mark.parametrize(
    ("name", "statuses"),
    [
        ("x12_277CA_accepted.txt", [("A1", "20"), ("A2", "20")]),
        ("x12_277CA_rejected.txt", [("A1", "20"), ("A7", "562")]),
    ],
)
def test_277ca_table_b(name: str, statuses: list) -> None:
    frames = read_x12(IMSWEB / name).frames.claim_status
    found = frames.statuses.filter(pl.col("status_category").is_not_null())
    assert list(found.select("status_category", "status_code").iter_rows()) == statuses
    source = rows(frames.statuses, hl_level="20")[0]
    assert source["entity_name"] == "NYSDOH"
    assert frames.transactions.row(0, named=True)["claim_count"] == 1


def test_277_claim_status_response_is_not_a_277ca() -> None:
    path = LFH / "claim-level-status.277"
    parsed = read_x12(path)
    assert parsed.frames.claim_status is None
    assert any("not a 277CA" in w for w in parsed.diagnostics.rendered())
    result = inspect_file(path)
    assert "acks" not in result and result["transactions"] == {"277": 1}
