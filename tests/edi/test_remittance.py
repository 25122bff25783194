"""Hand-built 835 edge cases, with hand-worked values; every case runs through both flatteners."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from collectors.edi.inspect import inspect_file
from collectors.edi.remittance import Remittance, read_remittance
from collectors.edi.remittance_frames import FINAL_SCHEMAS

from .x12_builder import bare, interchange, remittance, write


def flatten(path: Path, **kw) -> Remittance:
    """Vectorised frames, checked identical (frames and warnings) to the per-segment path."""
    fast = read_remittance(path, **kw)
    slow = read_remittance(path, engine="reference", **kw)
    for name, frame in fast.frames.items():
        assert frame.schema == pl.Schema(FINAL_SCHEMAS[name]), name
        assert_frame_equal(frame, getattr(slow.frames, name))
    assert fast.diagnostics.rendered() == slow.diagnostics.rendered()
    return fast


def one(tmp_path: Path, claims: list[str], paid: str, trailer: list[str] = (), **kw) -> Remittance:
    return flatten(write(tmp_path, interchange([remittance(paid, claims, trailer)], **kw)))


def rows(frame: pl.DataFrame, *columns: str) -> list[tuple]:
    return frame.select(columns).rows()


def test_header_values(tmp_path: Path) -> None:
    remit = one(tmp_path, ["CLP*A1*1*100*80*20*12*X1*11*1", "CAS*PR*2*20"], "80")
    txn = remit.frames.transactions.row(0, named=True)
    assert txn["handling_code"] == "I"
    assert txn["payment_cents"] == 8000
    assert (txn["credit_debit_flag"], txn["payment_method"], txn["payment_format"]) == (
        "C",
        "ACH",
        "CCP",
    )
    assert txn["payment_date"] == dt.date(2024, 5, 10)
    assert (txn["trace_number"], txn["trace_originator_id"]) == ("CHECK0001", "1512345678")
    assert txn["production_date"] == dt.date(2024, 5, 10)
    assert (txn["payer_name"], txn["payer_id_qualifier"], txn["payer_id"]) == (
        "ACME HEALTH PLAN",
        "XV",
        "87726",
    )
    assert txn["payer_ref_2u"] == "PAYER2U"
    assert (txn["payee_name"], txn["payee_npi"], txn["payee_tax_id"]) == (
        "GENERAL HOSPITAL",
        "1234567893",
        "991234567",
    )
    assert (txn["interchange_control_number"], txn["interchange_sender_id"]) == (
        "000000001",
        "SENDER",
    )
    assert (txn["interchange_receiver_id"], txn["usage_indicator"], txn["is_test"]) == (
        "RECEIVER",
        "P",
        False,
    )
    assert (txn["group_sender_id"], txn["group_receiver_id"], txn["group_control_number"]) == (
        "SENDER",
        "RECEIVER",
        "1",
    )
    assert (txn["group_date"], txn["group_time"], txn["group_version"]) == (
        dt.date(2024, 5, 10),
        "1200",
        "005010X221A1",
    )
    assert (txn["transaction_control_number"], txn["segment_number"], txn["is_4010"]) == (
        "0001",
        3,
        False,
    )
    assert (txn["claim_count"], txn["claim_paid_cents"], txn["is_balanced"]) == (1, 8000, True)


def test_kpi_worked_example_frames(tmp_path: Path) -> None:
    claims = [
        "CLP*A1*1*100*80*20*12*X1*11*1",
        "CAS*PR*2*20",
        "CLP*A2*1*300*0*0*12*X2*11*1",
        "CAS*CO*197*300",
        "CLP*A3*1*500*300*0*12*X3*11*1",
        "SVC*HC:99213*200*0**1",
        "CAS*CO*50*200",
        "SVC*HC:80053*300*300**1",
    ]
    remit = one(tmp_path, claims, "380")
    f = remit.frames
    assert rows(f.claims, "patient_control_number", "charge_cents", "paid_cents") == [
        ("A1", 10000, 8000),
        ("A2", 30000, 0),
        ("A3", 50000, 30000),
    ]
    assert rows(
        f.adjustments, "claim_index", "line_index", "level", "group_code", "reason_code"
    ) == [
        (0, None, "claim", "PR", "2"),
        (1, None, "claim", "CO", "197"),
        (2, 0, "line", "CO", "50"),
    ]
    assert rows(
        f.service_lines, "claim_index", "line_number", "procedure_code", "charge_cents"
    ) == [
        (2, 1, "99213", 20000),
        (2, 2, "80053", 30000),
    ]
    assert f.claims["is_balanced"].all() and f.transactions["is_balanced"].all()
    era = inspect_file(write(tmp_path, interchange([remittance("380", claims)]), "e.835"))["era"]
    assert (era["claims"], era["denied_claims"], era["partially_denied_claims"]) == (3, 1, 1)
    assert (era["charge_total"], era["paid_total"], era["balanced"]) == ("900.00", "380.00", True)


def test_reversal_and_correction_pair(tmp_path: Path) -> None:
    claims = [
        "CLP*R1*22*-100*-80*0*12*ICN1*11*1",
        "SVC*HC:99213*-100*-80**-1",
        "CAS*CO*45*-20",
        "CLP*R1*1*100*90*0*12*ICN1*11*7",
        "SVC*HC:99213*100*90**1",
        "CAS*CO*45*10",
    ]
    remit = one(tmp_path, claims, "10")
    c = remit.frames.claims
    assert rows(c, "claim_status_code", "is_reversal", "charge_cents", "paid_cents") == [
        ("22", True, -10000, -8000),
        ("1", False, 10000, 9000),
    ]
    assert c["is_balanced"].all()
    assert remit.frames.transactions["balance_difference_cents"].to_list() == [0]
    path = write(tmp_path, interchange([remittance("10", claims)]), "r.835")
    era = inspect_file(path)["era"]
    assert (era["claims"], era["reversals"], era["denied_claims"]) == (2, 1, 0)
    assert (era["charge_total"], era["paid_total"]) == ("0.00", "10.00")


def test_plb_interest_and_take_backs(tmp_path: Path) -> None:
    claims = ["CLP*A1*1*100*100*0*12*X1*11*1"]
    plb = ["PLB*1234567893*20241231*L6:INT01*-5.25*WO:ICN9*100.00*FB*7"]
    # BPR02 = ΣCLP04 − ΣPLB = 100.00 − (−5.25 + 100.00 + 7.00) = −1.75
    remit = one(tmp_path, claims, "-1.75", plb)
    p = remit.frames.provider_adjustments
    assert rows(p, "pair_number", "reason_code", "reference_id", "amount_cents") == [
        (1, "L6", "INT01", -525),
        (2, "WO", "ICN9", 10000),
        (3, "FB", None, 700),
    ]
    assert p["provider_id"].unique().to_list() == ["1234567893"]
    assert p["fiscal_period_date"].unique().to_list() == [dt.date(2024, 12, 31)]
    txn = remit.frames.transactions.row(0, named=True)
    assert (txn["provider_adjustment_cents"], txn["balance_difference_cents"]) == (10175, 0)
    result = inspect_file(write(tmp_path, interchange([remittance("-1.75", claims, plb)]), "p"))
    assert result["era"]["provider_adjustment_total"] == "101.75"
    assert result["era"]["payment_total"] == "-1.75"


@pytest.mark.parametrize("status", ["1", "2", "3", "4", "19", "20", "21", "22", "23", "25"])
def test_every_claim_status(tmp_path: Path, status: str) -> None:
    remit = one(tmp_path, [f"CLP*S{status}*{status}*50*0*0*12*X*11*1", "CAS*OA*23*50"], "0")
    claim = remit.frames.claims.row(0, named=True)
    assert claim["claim_status_code"] == status
    assert claim["is_reversal"] == (status == "22")
    assert claim["is_predetermination"] == (status == "25")
    assert claim["is_balanced"]


def test_claims_without_service_lines(tmp_path: Path) -> None:
    claims = [
        "CLP*666123*1*211366.97*138018.40**MA*1999999444444*11*1",
        "CAS*CO*45*73348.57",
        "NM1*QC*1*JONES*SAM*O***HN*666666666A",
        "MIA*0***138018.40*MA01",
        "DTM*232*20020816",
        "DTM*233*20020824",
    ]
    remit = one(tmp_path, claims, "138018.40")
    claim = remit.frames.claims.row(0, named=True)
    assert claim["patient_responsibility_cents"] == 0  # CLP05 absent: none
    assert (claim["line_count"], claim["claim_adjustment_cents"]) == (0, 7334857)
    assert (claim["statement_from_date"], claim["statement_to_date"]) == (
        dt.date(2002, 8, 16),
        dt.date(2002, 8, 24),
    )
    assert (claim["patient_last_name"], claim["patient_member_id"]) == ("JONES", "666666666A")
    assert claim["is_balanced"]
    assert rows(remit.frames.remarks, "element", "code_list_qualifier", "remark_code") == [
        ("MIA05", "HE", "MA01")
    ]
    assert remit.frames.service_lines.height == 0


def test_zero_negative_and_six_triplet_cas(tmp_path: Path) -> None:
    claims = [
        "CLP*A1*1*100*79.03**12*X1*11*1",
        "CAS*CO*45*10*1*253*0.00**50*-5.00**97*1.005**18*abc**29*14.96*2",
    ]
    remit = one(tmp_path, claims, "79.03")
    adj = remit.frames.adjustments
    assert rows(adj, "triplet_number", "reason_code", "amount_cents", "quantity") == [
        (1, "45", 1000, "1"),
        (2, "253", 0, None),
        (3, "50", -500, None),
        (4, "97", 101, None),
        (5, "18", None, None),
        (6, "29", 1496, "2"),
    ]
    assert remit.diagnostics.rendered() == [
        "CAS12 '1.005' at segment 13 has more than two decimals: rounded half away from zero "
        "to 1.01",
        "CAS15 'abc' at segment 13 is not an amount: left empty",
    ]
    # 100 − 79.03 = 20.97 = 10 + 0 − 5 + 1.01 + (abc: absent, 0) + 14.96
    claim = remit.frames.claims.row(0, named=True)
    assert (claim["claim_adjustment_cents"], claim["is_balanced"]) == (2097, True)


def test_isa16_contradicting_composites(tmp_path: Path) -> None:
    claims = [
        "CLP*A1*1*166.50*30*0*12*X1*11*1",
        "SVC*HC>12345>26*166.50*30**1",
        "CAS*OA*23*136.50",
    ]
    remit = one(tmp_path, claims, "30", component=":")
    line = remit.frames.service_lines.row(0, named=True)
    assert (line["procedure_qualifier"], line["procedure_code"], line["modifier_1"]) == (
        "HC",
        "12345",
        "26",
    )
    assert remit.diagnostics.rendered() == [
        "composites use '>' as component separator (first at segment 13), not the declared "
        "':': split on '>'"
    ]


def test_service_line_details(tmp_path: Path) -> None:
    claims = [
        "CLP*A1*1*300*250*50*12*X1*11*1",
        "SVC*HC:99213:25:59:XE:GT:DESCRIPTION*200*150*0450*1.5*HC:99214*2",
        "DTM*150*20240101",
        "DTM*151*20240105",
        "DTM*472*20240301",
        "CAS*PR*2*50",
        "REF*6R*LINE01",
        "REF*6R*LINE02",
        "AMT*B6*200",
        "LQ*HE*N130",
        "SVC*NU:0250*100*100**1",
        "DTM*472*20240102",
        "LQ*RX*12",
    ]
    remit = one(tmp_path, claims, "250")
    lines = remit.frames.service_lines
    first = lines.row(0, named=True)
    assert [first[f"modifier_{i}"] for i in range(1, 5)] == ["25", "59", "XE", "GT"]
    assert (first["charge_cents"], first["paid_cents"], first["revenue_code"]) == (
        20000,
        15000,
        "0450",
    )
    assert (first["units_paid"], first["original_units"]) == ("1.5", "2")
    assert (first["original_procedure_qualifier"], first["original_procedure_code"]) == (
        "HC",
        "99214",
    )
    assert (first["service_date_start"], first["service_date_end"]) == (
        dt.date(2024, 1, 1),
        dt.date(2024, 1, 5),
    )
    assert (first["line_control_number"], first["allowed_cents"]) == ("LINE01", 20000)
    second = lines.row(1, named=True)
    assert (second["service_date_start"], second["service_date_end"]) == (
        dt.date(2024, 1, 2),
        dt.date(2024, 1, 2),
    )
    assert rows(remit.frames.remarks, "line_index", "code_list_qualifier", "remark_code") == [
        (0, "HE", "N130"),
        (1, "RX", "12"),
    ]
    assert lines["is_balanced"].all()


def test_missing_and_misplaced_segments_warn(tmp_path: Path) -> None:
    claims = [
        "CAS*CO*45*1",  # before any CLP: outside a claim
        "CLP*090909*22",  # a bare reversal (Inteligenz): no amounts at all
        "CLP*A1*1*100*90*0*12*X1*11*1",
        "CAS*CO**10",
        "LX*2",
        "SVC*HC:99213*10*10**1",  # after LX without CLP
        "MOA***MA02",
    ]
    remit = one(tmp_path, claims, "90", ["PLB*1234567893*20241231*WO:X"])
    assert remit.frames.claims["patient_control_number"].to_list() == ["090909", "A1"]
    assert remit.diagnostics.rendered() == [
        "CAS at segment 12 is outside a claim: ignored",
        "CLP03 is missing at segment 13",
        "CLP04 is missing at segment 13",
        "CAS at segment 15: triplet 1 has no reason code",
        "SVC at segment 17 is outside a claim: ignored",
        "MOA at segment 18 is outside a claim: ignored",
        "PLB at segment 19: pair 1 has no amount",
    ]


def test_imbalances_are_data_and_warnings(tmp_path: Path) -> None:
    claims = [
        "CLP*A1*1*385.21*0*385.20*12*X1*13*2",
        "SVC*HC>97001*385.21*0.01**1",
        "CAS*PR*27*385.20",
        "CLP*A2*1*100*50*0*12*X2*11*1",
        "CAS*CO*45*10",  # claim level: the claim balances though its line does not
        "SVC*HC:99213*100*50**1",
        "CAS*CO*45*40",
    ]
    remit = one(tmp_path, claims, "50.02")
    c = remit.frames.claims
    assert c["balance_difference_cents"].to_list() == [1, 0]
    lines = remit.frames.service_lines
    assert lines["balance_difference_cents"].to_list() == [0, 1000]
    txn = remit.frames.transactions.row(0, named=True)
    assert txn["balance_difference_cents"] == 2
    assert [w for w in remit.diagnostics.rendered() if "balance" in w] == [
        "transaction 0001 (ST at segment 3) does not balance: BPR02 50.02 but ΣCLP04 − ΣPLB = "
        "50.00 (difference 0.02)",
        "claim A1 (CLP at segment 12) does not balance: CLP03 − CLP04 = 385.21 but its "
        "adjustments total 385.20 (difference 0.01)",
        "service line 1 (SVC at segment 17) does not balance: SVC02 − SVC03 = 50.00 but its "
        "adjustments total 40.00 (difference 10.00)",
    ]
    path = write(tmp_path, interchange([remittance("50.02", claims)]), "b.835")
    assert inspect_file(path)["era"]["balanced"] is False


def test_first_occurrence_wins(tmp_path: Path) -> None:
    claims = [
        "CLP*A1*1*100*100*0*12*X1*11*1",
        "NM1*QC*1*FIRST*ONE",
        "NM1*QC*1*SECOND*TWO",
        "DTM*232*20240101",
        "DTM*232*20240202",
    ]
    text = interchange([remittance("100", claims)]).replace(
        "TRN*1*CHECK0001*1512345678~", "TRN*1*CHECK0001*1512345678~TRN*1*CHECK0002*9~"
    )
    remit = flatten(write(tmp_path, text))
    claim = remit.frames.claims.row(0, named=True)
    assert (claim["patient_last_name"], claim["statement_from_date"]) == (
        "FIRST",
        dt.date(2024, 1, 1),
    )
    assert remit.frames.transactions["trace_number"].to_list() == ["CHECK0001"]


def test_provider_summaries_and_header_numbers(tmp_path: Path) -> None:
    claims = [
        "TS3*6543210903*11*20021231*1*211366.97****138018.40**73348.57",
        "TS2*2178.45*1919.71",
        "CLP*A1*1*100*100*0*12*X1*11*1",
        "LX*2",
        "CLP*A2*1*50*50*0*12*X2*11*1",
    ]
    remit = one(tmp_path, claims, "150")
    assert remit.frames.claims["header_number"].to_list() == ["1", "2"]
    ts3 = remit.frames.provider_summaries.row(0, named=True)
    assert (ts3["header_number"], ts3["provider_id"], ts3["facility_type_code"]) == (
        "1",
        "6543210903",
        "11",
    )
    assert (ts3["fiscal_period_date"], ts3["claim_count"], ts3["total_charge_cents"]) == (
        dt.date(2002, 12, 31),
        "1",
        21136697,
    )
    assert ts3["total_covered_charge_cents"] is None


@pytest.mark.parametrize(
    ("element", "component", "terminator", "after"),
    [("|", "^", "~", ""), ("*", ":", "\n", ""), ("~", "^", "_", "\r\n  "), ("*", ":", "\n~", "")],
)
def test_values_with_any_separators(
    tmp_path: Path, element: str, component: str, terminator: str, after: str
) -> None:
    claims = ["CLP*A1*1*100*80*20*12*X1*11*1", "SVC*HC:99213*100*80**1", "CAS*PR*2*20"]
    text = interchange(
        [remittance("80", [c.replace(":", component) for c in claims])],
        element=element,
        component=component,
        terminator=terminator,
        after=after,
    )
    remit = flatten(write(tmp_path, text))
    assert rows(remit.frames.claims, "charge_cents", "paid_cents") == [(10000, 8000)]
    assert rows(remit.frames.service_lines, "procedure_qualifier", "procedure_code") == [
        ("HC", "99213")
    ]


def test_bom_indentation_and_several_interchanges(tmp_path: Path) -> None:
    claims = ["CLP*A1*1*100*80*20*12*X1*11*1", "SVC*HC:99213*100*80**1", "CAS*PR*2*20"]
    first = interchange([remittance("80", claims)] * 2, after="\r\n    ")
    second = interchange([remittance("80", claims)], element="|", control="000000002")
    path = tmp_path / "two.835"
    path.write_bytes(b"\xef\xbb\xbf" + (first + second).encode())
    remit = flatten(path)
    f = remit.frames
    assert f.transactions["interchange_index"].to_list() == [0, 0, 1]
    assert f.transactions["transaction_index"].to_list() == [0, 1, 2]
    assert f.claims["claim_index"].to_list() == [0, 1, 2]
    assert f.service_lines["line_index"].to_list() == [0, 1, 2]
    assert f.adjustments["line_index"].to_list() == [0, 1, 2]
    small = flatten(path, chunk_bytes=100)
    for name, frame in f.items():
        assert_frame_equal(frame, getattr(small.frames, name))


def test_non_835_transactions_are_skipped(tmp_path: Path) -> None:
    text = interchange([["BHT*0019*00*1*20240101*1200*CH"]], set_id="837", gs_version="X222A1")
    text += interchange([remittance("0", [])], control="000000002")
    remit = flatten(write(tmp_path, text))
    assert remit.frames.transactions["transaction_index"].to_list() == [1]
    result = inspect_file(write(tmp_path, text, "mixed.x12"))
    assert result["transactions"] == {"835": 1, "837": 1}


def test_no_835_gives_empty_frames(tmp_path: Path) -> None:
    remit = flatten(write(tmp_path, interchange([["AK1*HC*1"]], set_id="999")))
    assert all(frame.height == 0 for _, frame in remit.frames.items())


def test_test_interchange_is_reported_with_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, interchange([remittance("0", [])], usage="T"))
    result = inspect_file(path)
    assert result["ok"] and result["warnings"] == [
        "interchange 000000001 (segment 1) is a test interchange (ISA15 = T)"
    ]
    assert read_remittance(path).frames.transactions["is_test"].to_list() == [True]


def test_file_without_isa_reports_zero_interchanges(tmp_path: Path) -> None:
    body = ["ST*835*0001", *remittance("80", ["CLP*A1*1*100*80*20*12*X1*11*1"]), "SE*11*0001"]
    result = inspect_file(write(tmp_path, bare(body)))
    assert (result["ok"], result["interchanges"], result["transactions"]) == (True, 0, {"835": 1})
    assert result["era"]["claims"] == 1


def test_a_batch_of_small_interchanges_reads_like_its_files_one_by_one(tmp_path: Path) -> None:
    """Clearinghouse batch downloads are hundreds of one-payment interchanges back to back.

    Interchanges sharing separators share a chunk (one vectorised pass, not one per ISA); one
    with other separators in the middle still gets its own; warnings keep their interchange."""
    claims = ["CLP*A1*1*100*80*20*12*X1*11*1", "CAS*PR*2*20"]
    parts = [
        interchange([remittance("80", claims)], control=f"{n:09d}", usage="T" if n == 5 else "P")
        for n in range(1, 41)
    ]
    parts[20] = interchange([remittance("80", claims)], element="|", control="000000021")
    path = tmp_path / "batch.835"
    path.write_text("\n".join(parts))
    remit = flatten(path)
    assert remit.frames.transactions["interchange_index"].to_list() == list(range(40))
    result = inspect_file(path)
    assert (result["interchanges"], result["transactions"]) == (40, {"835": 40})
    assert (result["era"]["claims"], result["era"]["paid_total"]) == (40, "3200.00")
    assert result["warnings"] == [
        "interchange 000000005 (segment 65) is a test interchange (ISA15 = T)"  # 16 segments each
    ]
    assert inspect_file(path, engine="reference") == result
