"""Every file of ../shared/corpus/x12 parses, and the facts SOURCES.md lists hold.

Table A: the values the source projects' own tests assert. Table B: per-file facts (ST counts,
claim counts, BPR02, CLP02 mix, CAS groups, PLB counts, payers, first claims, separators).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import polars as pl
import pytest

from collectors.edi.segments import SegmentReader

from .conftest import inspect, parse

# file: (ST count, claims, BPR02s, CLP02 mix, CAS groups, PLB count, payers, first claim ids)
TABLE_B_835 = {
    "LinuxForHealth__x12/cob-contractural-adjustment.835": (
        1, 1, ["34.00"], {"2": 1}, {"OA"}, 0, {"YOUR TAX DOLLARS AT WORK"}, ["0001000055"],
    ),
    "LinuxForHealth__x12/managed-care.835": (
        1, 2, ["945.00"], {"1": 2}, {"CO", "PR"}, 0, {"RUSHMORE LIFE"},
        ["5554555444", "8765432112"],
    ),
    "LinuxForHealth__x12/medicare-part-a.835": (
        1, 2, ["150000.00"], {"1": 2}, {"CO"}, 1, {"INSURANCE COMPANY OF TIMBUCKTU"},
        ["666123", "777777"],
    ),
    "LinuxForHealth__x12/secondary-payment.835": (
        1, 2, ["1222.00"], {"2": 2}, {"CO", "OA", "PR"}, 0, {"YOUR TAX DOLLARS AT WORK"},
        ["L0004828311", "0001000053"],
    ),
    "LinuxForHealth__x12/tertiary-payment.835": (
        1, 1, ["187.50"], {"3": 1}, {"OA"}, 0, {"YOUR TAX DOLLARS AT WORK"}, ["0001000054"],
    ),
    "azoner__pyx12/835_mult_loops.txt": (
        1, 1, ["0.00"], {"4": 1}, {"CO", "OA"}, 0, {"PAYER"}, ["2005555A"],
    ),
    "keironstoddart__edi-835-parser/blue_cross_nc_sample.txt": (
        1, 1, ["1922.86"], {"1": 1}, {"CO", "PR"}, 0,
        {"BLUE CROSS AND BLUE SHIELD OF NORTH CAROLINA"}, ["200200964A52"],
    ),
    "keironstoddart__edi-835-parser/emedny_sample.txt": (
        1, 3, ["45.75"], {"1": 1, "2": 2}, {"CO"}, 0, {"NYSDOH"}, ["PATIENT ACCOUNT NUMBER"],
    ),
    "keironstoddart__edi-835-parser/united_healthcare_legacy_sample.txt": (
        1, 2, ["349.99"], {"1": 2}, {"CO", "PR"}, 0, {"UNITED HEALTHCARE INSURANCE COMPANY"},
        ["001-18573-358", "001-18604-358"],
    ),
    "jdavisp3__TigerShark/5010-835-example-1.txt": (
        1, 3, ["1790.00"], {"1": 2, "25": 1}, {"CO", "OA", "PR"}, 0, {"DENTAL PAYER NAME"},
        ["PRECERTIFICATION", "EDI PAID", "EDI DENIED"],
    ),
    "jdavisp3__TigerShark/5010-835-example-2.txt": (
        1, 2, ["100.00"], {"1": 2}, {"CO"}, 0, {"PAYER NAME"}, ["EDI PAID", "EDI DENIED"],
    ),
    "jdavisp3__TigerShark/5010-835-example-3.txt": (
        1, 2, ["57.44"], {"1": 2}, {"CO", "PR"}, 0, {"PAYER NAME"}, ["EDI DENIAL", "EDI PAID"],
    ),
    "Inteligenz__X12Parser/835_5010_Example1.txt": (
        1, 10, ["5.75"], {"1": 2, "2": 1, "22": 3, "25": 1, "4": 3}, {"CO", "CR", "OA", "PI", "PR"},
        1, {"ASHTABULA COUNTY ADAMH BD"}, ["444444", "999999", "888888", "111111"],
    ),
    "moov-io__x12/example_5010_835_sample1.txt": (
        2, 2, ["-6173.50", "-6173.40"], {"4": 2}, {"PR"}, 2, {"INDEPENDENCE BLUE CROSS"},
        ["9999999"],
    ),
    # 4010, '|' elements, each segment starts with '~' after a line break: SOURCES.md lists no
    # table B facts for it (their tokenizer failed); these are read off the file itself.
    "jdavisp3__TigerShark/835-example-2.txt": (
        2, 2, ["12345.67", "12000.65"], {"1": 2}, {"PR", "CO"}, 0,
        {
            "UNITED HEALTHCARE INSURANCE COMPANY",
            "ACME, INC. A WHOLLY OWNED SUBSIDIARY OF UNITED HEALTHCARE INSURANCE COMPANY",
        },
        ["001-DDDDDDDDDD", "001-SSSSSSSSST"],
    ),
}  # fmt: skip

# file: (element, component, repetition, segment terminator) as this parser reads them.
# SOURCES.md writes ISA11 "U" as rep=U and TigerShark's terminator as "\n"; see the notes there.
SEPARATORS = {
    "LinuxForHealth__x12/cob-contractural-adjustment.835": ("*", ":", "^", "~"),
    "imsweb__x12-parser/x12_277CA_rejected.txt": ("*", "|", "^", "~"),
    "imsweb__x12-parser/x12_999_rejected.txt": ("*", "|", "^", "~"),
    "imsweb__x12-parser/x12_many_claims.txt": ("*", ":", None, "~"),
    "imsweb__x12-parser/x12_valid_different_separators.txt": ("~", "^", None, "_"),
    "keironstoddart__edi-835-parser/blue_cross_nc_sample.txt": ("*", ":", None, "~"),
    "keironstoddart__edi-835-parser/united_healthcare_legacy_sample.txt": ("*", ">", "^", "~"),
    "jdavisp3__TigerShark/5010-835-example-1.txt": ("*", "|", "^", "~"),
    "jdavisp3__TigerShark/835-example-2.txt": ("|", "^", None, "~"),
    "Inteligenz__X12Parser/835_5010_Example1.txt": ("*", ":", None, "~"),
    "moov-io__x12/example_5010_835_sample1.txt": ("*", ">", None, "~"),
    "moov-io__x12/example_5010_837p_sample.txt": ("*", "<", "^", "~"),
}

# file: (ST counts by set id, claim segments CLP/CLM)
TABLE_B_OTHERS = {
    "LinuxForHealth__x12/demo.example1.837": ({"837": 1}, 1),
    "LinuxForHealth__x12/demo.cob.example3.A.837": ({"837": 1}, 1),
    "LinuxForHealth__x12/demo.ambulance.example5.837": ({"837": 1}, 1),
    "LinuxForHealth__x12/demo.drug.example10.1.837": ({"837": 1}, 1),
    "LinuxForHealth__x12/institutional-claim.837i": ({"837": 1}, 1),
    "LinuxForHealth__x12/two-claims-single-provider.837i": ({"837": 1}, 2),
    "LinuxForHealth__x12/ppo-repriced-claim.837i": ({"837": 1}, 1),
    "LinuxForHealth__x12/claim-level-status.276": ({"276": 1}, 0),
    "LinuxForHealth__x12/claim-level-status.277": ({"277": 1}, 0),
    "LinuxForHealth__x12/subscriber-health-benefit-check.270": ({"270": 1}, 0),
    "LinuxForHealth__x12/subscriber-health-benefit-check.271": ({"271": 1}, 0),
    "imsweb__x12-parser/x12_277CA_accepted.txt": ({"277": 1}, 0),
    "imsweb__x12-parser/x12_277CA_rejected.txt": ({"277": 1}, 0),
    "imsweb__x12-parser/x12_999_accepted.txt": ({"999": 1}, 0),
    "imsweb__x12-parser/x12_999_rejected.txt": ({"999": 1}, 0),
    "imsweb__x12-parser/x12_many_claims.txt": ({"837": 1}, 820),
    "imsweb__x12-parser/x12_valid_different_separators.txt": ({"837": 1}, 2),
    "imsweb__x12-parser/x12_multiple_isa.txt": ({"837": 2}, 4),
    "imsweb__x12-parser/x223-test.txt": ({"837": 1}, 1),
    "Inteligenz__X12Parser/999_DHS_Wisconsin_Sample.txt": ({"999": 1}, 0),
    "Inteligenz__X12Parser/837P_5010_Example1_2_And_3_Combined.txt": ({"837": 2}, 3),
    "moov-io__x12/example_5010_837p_sample.txt": ({"837": 1}, 8),
}


def _money(cents: int | None) -> str:
    from collectors.edi.money import format_cents

    return format_cents(cents) or ""


def test_every_corpus_file_is_covered(corpus: Path) -> None:
    files = {str(p.relative_to(corpus)) for p in corpus.glob("*/*")}
    assert files == set(TABLE_B_835) | set(TABLE_B_OTHERS)


@pytest.mark.parametrize("name", sorted(set(TABLE_B_835) | set(TABLE_B_OTHERS)))
def test_every_corpus_file_parses(corpus: Path, name: str) -> None:
    result = inspect(corpus / name)
    assert result["ok"], result["error"]
    assert ("era" in result) == (name in TABLE_B_835)


@pytest.mark.parametrize("name", sorted(TABLE_B_835))
def test_835_table_b_facts(corpus: Path, name: str) -> None:
    sts, claims, bprs, clp02, groups, plbs, payers, first_ids = TABLE_B_835[name]
    frames = parse(corpus / name).frames
    assert frames.transactions.height == sts
    assert frames.claims.height == claims
    assert [_money(c) for c in frames.transactions["payment_cents"]] == bprs
    assert Counter(frames.claims["claim_status_code"]) == clp02
    assert set(frames.adjustments["group_code"]) == groups
    assert frames.provider_adjustments["segment_number"].n_unique() == plbs
    assert set(frames.transactions["payer_name"]) == payers
    pcns = frames.claims["patient_control_number"].to_list()
    assert pcns[: len(first_ids)] == first_ids or sorted(set(pcns)) == sorted(first_ids)


@pytest.mark.parametrize("name", sorted(SEPARATORS))
def test_separators(corpus: Path, name: str) -> None:
    reader = SegmentReader.open(corpus / name)
    first = next(iter(reader))
    d = first.delimiters
    assert (d.element, d.component, d.repetition, d.segment) == SEPARATORS[name]


@pytest.mark.parametrize("name", sorted(TABLE_B_OTHERS))
def test_other_sets_table_b_facts(corpus: Path, name: str) -> None:
    sets, claims = TABLE_B_OTHERS[name]
    result = inspect(corpus / name)
    assert result["transactions"] == sets
    tags = Counter(seg.tag for seg in SegmentReader.open(corpus / name))
    assert tags["CLM"] + tags["CLP"] == claims


# -- table A: what the source projects' tests assert -------------------------------------------


def test_edi_835_parser_claims_and_patients(corpus: Path) -> None:
    root = corpus / "keironstoddart__edi-835-parser"
    expected = {"blue_cross_nc_sample.txt": 1, "emedny_sample.txt": 3}
    expected["united_healthcare_legacy_sample.txt"] = 2
    total_claims = total_patients = 0
    for name, count in expected.items():
        claims = parse(root / name).frames.claims
        assert claims.height == count
        assert claims["patient_member_id"].n_unique() == count
        total_claims += claims.height
        total_patients += claims["patient_member_id"].n_unique()
    assert (total_claims, total_patients) == (6, 6)
    blue_cross = parse(root / "blue_cross_nc_sample.txt").frames
    # "sum of paid_amount == sum_payments": ΣCLP04 equals BPR02.
    assert blue_cross.claims["paid_cents"].sum() == blue_cross.transactions["payment_cents"].sum()
    assert blue_cross.transactions["payment_cents"].sum() == 192286


def test_tigershark_5010_example_1(corpus: Path) -> None:
    frames = parse(corpus / "jdavisp3__TigerShark/5010-835-example-1.txt").frames
    txn = frames.transactions.row(0, named=True)
    assert txn["payment_cents"] == 179000
    assert txn["trace_originator_id"] == "1123456789"
    assert txn["payer_name"] == "DENTAL PAYER NAME"
    assert frames.claims.height == 3
    first = frames.claims.row(0, named=True)
    assert first["patient_first_name"] == "PATIENT"
    lines = frames.service_lines.filter(pl.col("claim_index") == first["claim_index"])
    assert lines.height == 7
    line = lines.row(0, named=True)
    assert (line["charge_cents"], line["paid_cents"], line["allowed_cents"]) == (9000, 8000, 8000)
    # ISA16 is '|': the composite AD|D1110 splits on it.
    assert (line["procedure_qualifier"], line["procedure_code"]) == ("AD", "D1110")


@pytest.mark.parametrize(
    ("name", "bpr", "charge", "paid", "allowed"),
    [
        ("5010-835-example-2.txt", 10000, 208300, 10000, 10000),
        ("5010-835-example-3.txt", 5744, 108800, 0, 0),
    ],
)
def test_tigershark_5010_examples_2_and_3(
    corpus: Path, name: str, bpr: int, charge: int, paid: int, allowed: int
) -> None:
    frames = parse(corpus / "jdavisp3__TigerShark" / name).frames
    assert frames.transactions["payment_cents"].to_list() == [bpr]
    assert frames.transactions["payer_name"].to_list() == ["PAYER NAME"]
    assert frames.claims.height == 2
    first = frames.claims.row(0, named=True)
    lines = frames.service_lines.filter(pl.col("claim_index") == first["claim_index"])
    assert lines.height == 1
    line = lines.row(0, named=True)
    assert (line["charge_cents"], line["paid_cents"]) == (charge, paid)
    # TigerShark reports an absent AMT*B6 as 0; here it is absent (null).
    assert (line["allowed_cents"] or 0) == allowed


def test_tigershark_4010_pipe_file(corpus: Path) -> None:
    """The 'pathological' file: 4010, '|' elements, '~' after each line break."""
    remit = parse(corpus / "jdavisp3__TigerShark/835-example-2.txt")
    frames = remit.frames
    txns = frames.transactions
    assert txns["payment_cents"].to_list()[0] == 1234567
    assert txns["trace_originator_id"].to_list() == ["1111111111", "1111111112"]
    assert txns["payer_name"][0] == "UNITED HEALTHCARE INSURANCE COMPANY"
    assert txns["payer_id"].to_list() == ["87726", "87726"]
    assert txns["payee_name"].to_list() == ["MY CLINIC", "MY CLINIC"]
    assert txns["is_4010"].all()
    claim = frames.claims.row(0, named=True)
    assert claim["patient_control_number"] == "001-DDDDDDDDDD"
    assert claim["claim_status_code"] == "1"
    assert (claim["charge_cents"], claim["paid_cents"]) == (20002, 20002)
    assert claim["patient_responsibility_cents"] == 0
    ts3 = frames.provider_summaries
    assert ts3["total_charge_cents"].to_list() == [20002, 2327656]
    assert ts3["total_covered_charge_cents"].to_list() == [20002, 1200065]
    warnings = remit.diagnostics.rendered()
    assert any("'~' is taken as the segment terminator" in w for w in warnings)
    assert any("4010" in w for w in warnings)


def test_imsweb_many_claims_envelope(corpus: Path) -> None:
    reader = SegmentReader.open(corpus / "imsweb__x12-parser/x12_many_claims.txt")
    segments = list(reader)
    env = reader.envelope
    assert env.interchanges[0].date == "030101"
    assert segments[-1].tag == "IEA" and segments[-1].element(2) == "000000905"
    assert env.groups[0].date == "19991231"
    assert env.transactions[0].control_number == "987654"
    assert env.transactions[0].declared_count == "25"  # (sic): the file has far more segments
    assert sum(1 for s in segments if s.tag == "HL" and s.element(3) == "20") == 410
    assert any("SE01 of ST 987654" in w for w in reader.diagnostics.rendered())


def test_imsweb_multiple_isa(corpus: Path) -> None:
    result = inspect(corpus / "imsweb__x12-parser/x12_multiple_isa.txt")
    assert result["interchanges"] == 2


def test_imsweb_different_separators_same_structure(corpus: Path) -> None:
    """Their x12_valid.txt is not in the corpus; x12_multiple_isa.txt's first interchange is the
    same claim file with '*' ':' '~' (it differs in a few element values), so compare structure."""
    root = corpus / "imsweb__x12-parser"
    odd = list(SegmentReader.open(root / "x12_valid_different_separators.txt"))
    normal = list(SegmentReader.open(root / "x12_multiple_isa.txt"))[: len(odd)]
    assert [s.tag for s in odd] == [s.tag for s in normal]
    clm = [(s.element(1), s.composite(5)) for s in odd if s.tag == "CLM"]
    assert clm == [(s.element(1), s.composite(5)) for s in normal if s.tag == "CLM"]
    assert clm[0] == ("A37YH556", ["11", "B", "1"])


@pytest.mark.parametrize(
    ("name", "tag", "values"),
    [
        ("imsweb__x12-parser/x12_277CA_accepted.txt", "STC", [["A1", "20"], ["A2", "20"]]),
        ("imsweb__x12-parser/x12_277CA_rejected.txt", "STC", [["A1", "20"], ["A7", "562", "85"]]),
    ],
)
def test_imsweb_277ca_composites(corpus: Path, name: str, tag: str, values: list) -> None:
    segments = [s for s in SegmentReader.open(corpus / name) if s.tag == tag]
    assert [s.composite(1) for s in segments] == values


@pytest.mark.parametrize(
    ("name", "ik5"),
    [("x12_999_accepted.txt", ["A"]), ("x12_999_rejected.txt", ["R"])],
)
def test_imsweb_999(corpus: Path, name: str, ik5: list[str]) -> None:
    segments = SegmentReader.open(corpus / "imsweb__x12-parser" / name)
    assert [s.element(1) for s in segments if s.tag == "IK5"] == ik5


def test_imsweb_277ca_claim_number(corpus: Path) -> None:
    segments = list(SegmentReader.open(corpus / "imsweb__x12-parser/x12_277CA_accepted.txt"))
    refs = [s.element(2) for s in segments if s.tag == "REF" and s.element(1) == "1K"]
    assert "1107000000014420" in refs
