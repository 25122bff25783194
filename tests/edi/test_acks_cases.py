"""Hand-built 999 and 277CA cases: values, inspect's acks block, and both paths agreeing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from collectors.edi.inspect import inspect_file

from .claims_support import assert_same, interchange, rows, write


def _parse(tmp_path: Path, text: str, **kw):
    path = write(tmp_path, text)
    return assert_same(path, **kw), inspect_file(path)


def test_999_partial_acceptance_with_error_detail(tmp_path: Path) -> None:
    body = [
        "AK1*HC*1201*005010X222A1",
        "AK2*837*0001*005010X222A1",
        "IK5*A",
        "AK2*837*0002*005010X222A1",
        "IK3*CLM*22*2300*8",
        "CTX*CLM01:PCN0002",
        "IK4*5:2*1331*7*ZZ",
        "CTX*SITUATIONAL TRIGGER*CLM*22**5:2",
        "IK4*2*782*2",
        "IK3*NM1*40**3",
        "IK5*R*5*I5",
        "AK2*837*0003*005010X222A1",
        "IK3*REF*57*2300*2",
        "IK5*E",
        "AK9*P*3*3*2*5",
    ]
    parsed, result = _parse(tmp_path, interchange([("999", [body])], sender="CH"))
    acks = parsed.frames.acks
    group = acks.groups.row(0, named=True)
    assert (group["group_control_number"], group["functional_id"], group["version"]) == (
        "1201",
        "HC",
        "005010X222A1",
    )
    assert (group["ak9_code"], group["sets_accepted"], group["ak9_error_codes"]) == ("P", 2, "5")
    assert (group["set_count"], group["has_set_responses"]) == (3, True)
    assert (group["interchange_sender_id"], group["ack_group_control_number"]) == ("CH", "1")
    sets = acks.sets
    assert sets.get_column("ik5_code").to_list() == ["A", "R", "E"]
    assert sets.get_column("ik5_error_codes").to_list() == [None, "5,I5", None]
    assert sets.get_column("is_accepted").to_list() == [True, False, True]
    assert sets.get_column("is_rejected").to_list() == [False, True, False]
    assert sets.get_column("error_count").to_list() == [0, 3, 1]
    errors = acks.errors
    columns = (
        "set_ack_index", "seq", "segment_id", "segment_position", "element_position",
        "component_position", "element_reference", "element_error_code", "bad_data",
    )  # fmt: skip
    assert list(errors.select(columns).iter_rows()) == [
        (1, 1, "CLM", 22, 5, 2, "1331", "7", "ZZ"),
        (1, 2, "CLM", 22, 2, None, "782", "2", None),
        (1, 3, "NM1", 40, None, None, None, None, None),
        (2, 1, "REF", 57, None, None, None, None, None),
    ]
    assert errors.get_column("context").to_list() == [
        "CTX*CLM01:PCN0002\nCTX*SITUATIONAL TRIGGER*CLM*22**5:2",
        "CTX*CLM01:PCN0002",
        None,
        None,
    ]
    assert errors.get_column("claim_reference").to_list() == ["PCN0002", "PCN0002", None, None]
    assert result["acks"] == {
        "sets_accepted": 2,
        "sets_rejected": 1,
        "claims_accepted": 0,
        "claims_rejected": 0,
    }


@pytest.mark.parametrize(
    ("ak9", "accepted", "rejected"),
    [
        ("AK9*A*4*4*4", 4, 0),
        ("AK9*E*4*4*4", 4, 0),
        ("AK9*R*3*3*0", 0, 3),
        ("AK9*P*5*5*2", 2, 3),
        ("AK9*X*2*2*0", 0, 2),
    ],
)
def test_999_group_answer_without_set_responses(
    tmp_path: Path, ak9: str, accepted: int, rejected: int
) -> None:
    parsed, result = _parse(tmp_path, interchange([("999", [["AK1*HC*77", ak9]])]))
    group = parsed.frames.acks.groups.row(0, named=True)
    assert (group["has_set_responses"], group["set_count"]) == (False, 0)
    assert parsed.frames.acks.sets.height == 0
    assert (result["acks"]["sets_accepted"], result["acks"]["sets_rejected"]) == (
        accepted,
        rejected,
    )


def test_999_misplaced_and_missing_segments_are_warnings(tmp_path: Path) -> None:
    body = [
        "AK2*837*0009",  # before any AK1
        "AK1*HC*1",
        "IK3*CLM*4**8",  # before any AK2
        "AK2*837*0001",
        "IK4*2*782*1",  # before any IK3
        "CTX*CLM01:X",
        "AK2*837*0002",
        "IK5*A",
        "AK1*HC*2",
        "AK9*R*X*1*0",
    ]
    parsed, result = _parse(tmp_path, interchange([("999", [body])]))
    warnings = parsed.diagnostics.rendered()
    for text in (
        "AK2 at segment 4 is outside a group response (AK1): ignored",
        "IK3 at segment 6 is outside a set response (AK2): ignored",
        "IK4 at segment 8 is outside a segment error (IK3): ignored",
        "CTX at segment 9 is outside a segment error (IK3): ignored",
        "AK1 at segment 5 has no AK9",
        "AK2 at segment 7 has no IK5",
        "AK902 'X' at segment 13 is not a number: left empty",
    ):
        assert text in warnings, (text, warnings)
    acks = parsed.frames.acks
    assert acks.groups.get_column("set_count").to_list() == [2, 0]
    assert acks.sets.get_column("ik5_code").to_list() == [None, "A"]
    assert acks.groups.get_column("sets_included").to_list() == [None, None]
    assert result["acks"]["sets_accepted"] == 1


def _277ca(*providers: list[str], receiver_status: str = "STC*A1:19*20240511*WQ*0") -> list[str]:
    body = [
        "BHT*0085*08*ACK77*20240511*1200*TH",
        "HL*1**20*1",
        "NM1*PR*2*ACME HEALTH*****PI*87726",
        "TRN*1*ACK77",
        "HL*2*1*21*1",
        "NM1*41*2*CLINIC GROUP*****46*CLINIC",
        "TRN*2*BATCH9",
        receiver_status,
    ]
    for provider in providers:
        body += provider
    return body


def _provider(hl: int, npi: str, status: str | None, claims: list[tuple[str, str]]) -> list[str]:
    out = [f"HL*{hl}*2*19*1", f"NM1*85*2*CLINIC {hl}*****XX*{npi}", f"TRN*1*P{hl}"]
    if status:
        out.append(status)
    for n, (pcn, stc) in enumerate(claims, start=1):
        out += [
            f"HL*{hl}{n}*{hl}*PT",
            f"NM1*QC*1*DOE*PAT{n}****MI*M{n}",
            f"TRN*2*{pcn}",
            f"STC*{stc}*20240511*WQ*125.50",
            f"REF*1K*ICN{pcn}",
            "DTP*472*RD8*20240401-20240403",
        ]
    return out


def test_277ca_rejection_at_provider_level_covers_its_claims(tmp_path: Path) -> None:
    body = _277ca(
        _provider(3, "1111111112", "STC*A3:24:85*20240511*U", [("C1", "A1:20"), ("C2", "A2:20")]),
        _provider(4, "2222222225", None, [("C3", "A2:20"), ("C4", "A7:562:85")]),
    )
    parsed, result = _parse(tmp_path, interchange([("277CA", [body])]))
    statuses = parsed.frames.claim_status.statuses
    claims = statuses.filter(pl.col("hl_level") == "PT")
    assert claims.get_column("patient_control_number").to_list() == ["C1", "C2", "C3", "C4"]
    assert claims.get_column("rejected_above").to_list() == [True, True, False, False]
    assert claims.get_column("is_rejection").to_list() == [False, False, False, True]
    assert claims.get_column("provider_npi").to_list() == ["1111111112"] * 2 + ["2222222225"] * 2
    assert claims.get_column("receiver_trn_reference").to_list() == ["BATCH9"] * 4
    assert claims.get_column("payer_claim_number").to_list() == ["ICNC1", "ICNC2", "ICNC3", "ICNC4"]
    assert claims.get_column("amount_cents").to_list() == [12550] * 4
    first = claims.row(0, named=True)
    assert (first["service_date_from"], first["service_date_to"]) == (
        dt.date(2024, 4, 1),
        dt.date(2024, 4, 3),
    )
    provider = rows(statuses, hl_id="3")[0]
    assert (provider["status_category"], provider["entity_code"], provider["action_code"]) == (
        "A3",
        "85",
        "U",
    )
    assert provider["is_rejection"] and not provider["rejected_above"]
    assert parsed.frames.claim_status.transactions.row(0, named=True)["claim_count"] == 4
    assert result["acks"] == {
        "sets_accepted": 0,
        "sets_rejected": 0,
        "claims_accepted": 1,
        "claims_rejected": 3,
    }


def test_277ca_rejection_at_receiver_level_rejects_every_claim(tmp_path: Path) -> None:
    body = _277ca(
        _provider(3, "1111111112", None, [("C1", "A1:20")]),
        receiver_status="STC*A4:35*20240511*U",
    )
    _, result = _parse(tmp_path, interchange([("277CA", [body])]))
    assert (result["acks"]["claims_accepted"], result["acks"]["claims_rejected"]) == (0, 1)


def test_277ca_line_statuses_and_further_status_composites(tmp_path: Path) -> None:
    claim = _provider(3, "1111111112", None, [("C1", "A2:20")])
    claim += [
        "SVC*HC:99213*100*****1",
        "STC*A7:454*20240511",
        "REF*FJ*LINE1",
        "DTP*472*D8*20240402",
        "SVC*HC:36415*25.50",
        "STC*A2:20*20240511",
    ]
    other = _provider(4, "2222222225", None, [("C2", "A1:20")])
    other[-3] = "STC*A1:20*20240511*WQ*10******A8:510"  # STC10 rejects
    parsed, result = _parse(tmp_path, interchange([("277CA", [_277ca(claim, other)])]))
    statuses = parsed.frames.claim_status.statuses
    lines = statuses.filter(pl.col("line_number").is_not_null())
    assert list(
        lines.select("line_number", "line_procedure_code", "line_charge_cents").iter_rows()
    ) == [(1, "99213", 10000), (2, "36415", 2550)]
    assert lines.get_column("is_rejection").to_list() == [True, False]
    assert lines.get_column("service_date_from").to_list() == [
        dt.date(2024, 4, 2),
        dt.date(2024, 4, 1),  # no DTP of its own: the claim's
    ]
    assert lines.get_column("patient_control_number").to_list() == ["C1", "C1"]
    c2 = rows(statuses, patient_control_number="C2")[0]
    assert (c2["status_category_2"], c2["status_code_2"]) == ("A8", "510")
    assert c2["is_rejection"] and not c2["is_acceptance"]
    # A line-level rejection does not reject its claim; STC10 does.
    assert (result["acks"]["claims_accepted"], result["acks"]["claims_rejected"]) == (1, 1)
    one_hl = statuses.filter(pl.col("patient_control_number") == "C1")
    assert one_hl.get_column("hl_index").n_unique() == 1


def test_hls_without_status_get_one_row(tmp_path: Path) -> None:
    body = _277ca(_provider(3, "1111111112", None, [("C1", "A2:20")]))
    parsed, _ = _parse(tmp_path, interchange([("277CA", [body])]))
    statuses = parsed.frames.claim_status.statuses
    assert statuses.get_column("hl_level").to_list() == ["20", "21", "19", "PT"]
    assert statuses.get_column("status_category").to_list() == [None, "A1", None, "A2"]
    assert statuses.get_column("status_index").to_list() == [0, 1, 2, 3]
    assert statuses.get_column("hl_index").to_list() == [0, 1, 2, 3]
    assert rows(statuses, hl_level="20")[0]["entity_name"] == "ACME HEALTH"


def test_277_implementations(tmp_path: Path) -> None:
    body = _277ca(_provider(3, "1111111112", None, [("C1", "A2:20")]))
    other, result = _parse(tmp_path, interchange([("277", [body])]))
    assert other.frames.claim_status is None and "acks" not in result
    assert any("is a 005010X212 claim status response" in w for w in other.diagnostics.rendered())
    unnamed = interchange([("277CA", [body])], implementation_in_st=False).replace(
        "*X*005010X214", "*X*"
    )
    parsed, result = _parse(tmp_path, unnamed)
    assert parsed.frames.claim_status.statuses.height == 4
    assert any("names no implementation guide" in w for w in parsed.diagnostics.rendered())
    assert result["acks"]["claims_accepted"] == 1


def test_277ca_hierarchy_warnings(tmp_path: Path) -> None:
    body = [
        "BHT*0085*08*ACK77*20240511*1200*TH",
        "STC*A1:20*20240511",  # before any HL: ignored
        "HL*1**20*1",
        "HL*2*1*19*1",  # a provider without a receiver
        "HL*3*9*PT",  # wrong parent
        "TRN*2*C1",
        "STC*A2:20*20240511",
    ]
    parsed, result = _parse(tmp_path, interchange([("277CA", [body])]))
    warnings = parsed.diagnostics.rendered()
    for text in (
        "STC at segment 5 is outside a claim: ignored",
        "HL 2 at segment 7 (provider) has no information receiver HL above it",
        "HL 3 at segment 8 names parent '9' but follows HL '2': read as under HL '2'",
    ):
        assert text in warnings, (text, warnings)
    assert result["acks"]["claims_accepted"] == 1
