"""Hand-built 837 edge cases: each is checked for its values and for both paths agreeing."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import polars as pl

from collectors.edi.inspect import inspect_file
from collectors.edi.segment_frames import SegmentFrameReader
from collectors.edi.x12_frames import X12Flattener, X12Frames, read_x12

from .claims_support import assert_same, claim, interchange, professional, rows, write


def _claims(tmp_path: Path, text: str, **kw):
    path = write(tmp_path, text)
    return assert_same(path, **kw), path


def test_child_patient_under_a_subscriber(tmp_path: Path) -> None:
    body = professional(
        [],
        subscriber=("SBR*P**GRP1******CI", "NM1*IL*1*DOE*JOHN****MI*M001"),
    )
    body[body.index("HL*2*1*22*0")] = "HL*2*1*22*1"
    body += [
        "HL*3*2*23*0",
        "PAT*19",
        "NM1*QC*1*DOE*JANE",
        "DMG*D8*20150601*F",
        *claim("CHILD1", "120", ("99213", "120")),
    ]
    parsed, _ = _claims(tmp_path, interchange([("837P", [body])]))
    row = parsed.frames.claims.claims.row(0, named=True)
    assert row["patient_is_subscriber"] is False
    assert (row["patient_last_name"], row["patient_first_name"]) == ("DOE", "JANE")
    assert (row["patient_birth_date"], row["patient_sex"]) == (dt.date(2015, 6, 1), "F")
    assert row["patient_relationship"] == "19"
    assert (row["subscriber_first_name"], row["subscriber_member_id"]) == ("JOHN", "M001")
    assert row["subscriber_birth_date"] == dt.date(1980, 1, 1)
    assert (row["subscriber_hl"], row["patient_hl"]) == ("2", "3")
    assert (row["subscriber_index"], row["patient_index"]) == (0, 0)
    assert parsed.diagnostics.rendered() == []


def test_subscriber_who_is_the_patient(tmp_path: Path) -> None:
    body = professional([claim("SELF1", "80", ("99212", "80"))])
    parsed, _ = _claims(tmp_path, interchange([("837P", [body])]))
    row = parsed.frames.claims.claims.row(0, named=True)
    assert row["patient_is_subscriber"] is True
    assert (row["patient_first_name"], row["patient_birth_date"]) == ("JOHN", dt.date(1980, 1, 1))
    assert row["patient_relationship"] is None
    assert row["patient_index"] is None
    assert (row["subscriber_relationship"], row["payer_responsibility"]) == ("18", "P")
    assert (row["payer_id"], row["payer_name"]) == ("87726", "ACME HEALTH")
    txn = parsed.frames.claims.transactions.row(0, named=True)
    assert (txn["claim_type"], txn["bht_reference"], txn["bht_date"]) == (
        "P",
        "BATCH1",
        dt.date(2024, 5, 10),
    )
    assert (txn["submitter_id"], txn["receiver_name"]) == ("CLINIC", "CLEARINGHOUSE")


def test_several_claims_per_billing_provider_and_subscriber(tmp_path: Path) -> None:
    body = professional(
        [claim("A1", "100", ("99213", "100")), claim("A2", "50.50", ("99212", "50.50"))]
    )
    body += [
        "HL*3*1*22*0",
        "SBR*S*18*GRP9******MC",
        "NM1*IL*1*ROE*RITA****MI*M002",
        "NM1*PR*2*STATE MEDICAID*****PI*SKMD0",
        *claim("B1", "75", ("99214", "40"), ("36415", "35")),
    ]
    parsed, path = _claims(tmp_path, interchange([("837P", [body])]))
    claims = parsed.frames.claims.claims
    assert claims.get_column("billing_npi").to_list() == ["1234567893"] * 3
    assert claims.get_column("billing_tax_id").to_list() == ["123456789"] * 3
    assert claims.get_column("billing_provider_index").to_list() == [0, 0, 0]
    assert claims.get_column("subscriber_index").to_list() == [0, 0, 1]
    assert claims.get_column("payer_name").to_list() == ["ACME HEALTH"] * 2 + ["STATE MEDICAID"]
    assert claims.get_column("claim_filing_indicator").to_list() == ["CI", "CI", "MC"]
    assert claims.get_column("line_count").to_list() == [1, 1, 2]
    assert claims.get_column("charge_cents").to_list() == [10000, 5050, 7500]
    lines = parsed.frames.claims.service_lines
    assert lines.get_column("claim_index").to_list() == [0, 1, 2, 2]
    assert lines.get_column("line_number").to_list() == [1, 1, 1, 2]
    assert inspect_file(path)["claims"] == {
        "claims": 3,
        "service_lines": 4,
        "charge_total": "225.50",
    }


def test_replacement_and_void_claims(tmp_path: Path) -> None:
    body = professional(
        [
            claim("R1", "100", ("99213", "100"), frequency="7", extra=["REF*F8*PAYERICN123"]),
            claim("V1", "100", ("99213", "100"), frequency="8", extra=["REF*F8*PAYERICN456"]),
            claim("O1", "60", ("99212", "60"), extra=["REF*G1*AUTH77", "REF*D9*CH0001"]),
        ]
    )
    parsed, _ = _claims(tmp_path, interchange([("837P", [body])]))
    claims = parsed.frames.claims.claims
    assert claims.get_column("frequency_code").to_list() == ["7", "8", "1"]
    assert claims.get_column("original_payer_claim_number").to_list() == [
        "PAYERICN123",
        "PAYERICN456",
        None,
    ]
    assert claims.get_column("prior_authorization").to_list() == [None, None, "AUTH77"]
    assert claims.get_column("clearinghouse_claim_number").to_list() == [None, None, "CH0001"]
    assert claims.get_column("facility_code").to_list() == ["11", "11", "11"]


def test_837i_revenue_codes_statement_and_admission_dates(tmp_path: Path) -> None:
    body = [
        "BHT*0019*00*INST1*20240510*1200*CH",
        "NM1*41*2*HOSPITAL*****46*HOSP",
        "NM1*40*2*PAYER*****46*PAY",
        "HL*1**20*1",
        "NM1*85*2*GENERAL HOSPITAL*****XX*1999999984",
        "REF*EI*987654321",
        "HL*2*1*22*0",
        "SBR*P*18*******MA",
        "NM1*IL*1*SMITH*ANN****MI*1EG4TE5MK73",
        "DMG*D8*19450202*F",
        "NM1*PR*2*MEDICARE*****PI*12345",
        "CLM*INPT1*1500.25***11:A:1**A*Y*Y",
        "DTP*434*RD8*20240401-20240405",
        "DTP*435*DT*202404011130",
        "CL1*1*7*01",
        "HI*ABK:J189:::::::Y*ABF:E119:::::::N",
        "HI*ABJ:R0602",
        "HI*BH:A1:D8:20240401",
        "NM1*71*1*ATTENDING*AL****XX*1122334455",
        "NM1*77*2*GENERAL HOSPITAL EAST*****XX*1999999992",
        "LX*1",
        "SV2*0120**1200.00*DA*4",
        "DTP*472*RD8*20240401-20240405",
        "LX*2",
        "SV2*0300*HC:85025*300.25*UN*1",
        "DTP*472*D8*20240402",
    ]
    parsed, path = _claims(tmp_path, interchange([("837I", [body])]))
    frames = parsed.frames.claims
    assert frames.transactions.row(0, named=True)["claim_type"] == "I"
    row = frames.claims.row(0, named=True)
    assert (row["service_date_from"], row["service_date_to"]) == (
        dt.date(2024, 4, 1),
        dt.date(2024, 4, 5),
    )
    assert row["admission_date"] == dt.date(2024, 4, 1)
    assert (row["facility_code"], row["facility_code_qualifier"]) == ("11", "A")
    assert (row["attending_npi"], row["service_facility_npi"]) == ("1122334455", "1999999992")
    lines = frames.service_lines
    assert lines.get_column("revenue_code").to_list() == ["0120", "0300"]
    assert lines.get_column("procedure_code").to_list() == [None, "85025"]
    assert lines.get_column("kind").to_list() == ["institutional"] * 2
    assert lines.get_column("units").to_list() == ["4", "1"]
    assert lines.get_column("unit_basis").to_list() == ["DA", "UN"]
    diagnoses = frames.diagnoses
    assert list(
        diagnoses.select("seq", "qualifier", "code", "present_on_admission").iter_rows()
    ) == [
        (1, "ABK", "J189", "Y"),
        (2, "ABF", "E119", "N"),
        (3, "ABJ", "R0602", None),
    ]  # the BH occurrence code is not a diagnosis
    assert inspect_file(path)["claims"]["charge_total"] == "1500.25"


def test_service_dates_of_837p_claims(tmp_path: Path) -> None:
    lines = ["LX*1", "SV1*HC:99213*10*UN*1***1", "DTP*472*D8*20240503"]
    lines += ["LX*2", "SV1*HC:99214*20*UN*1***1", "DTP*472*RD8*20240501-20240502"]
    body = professional(
        [
            ["CLM*D1*30***11:B:1*Y*A*Y*Y", *lines],
            ["CLM*D2*30***11:B:1*Y*A*Y*Y", "DTP*472*D8*20240415", *lines],
        ]
    )
    parsed, _ = _claims(tmp_path, interchange([("837P", [body])]))
    claims = parsed.frames.claims.claims
    assert list(claims.select("service_date_from", "service_date_to").iter_rows()) == [
        (dt.date(2024, 5, 1), dt.date(2024, 5, 3)),  # the lines' earliest and latest
        (dt.date(2024, 4, 15), dt.date(2024, 4, 15)),  # the claim-level DTP*472
    ]


def test_other_payer_loops(tmp_path: Path) -> None:
    cob = [
        "SBR*S*01*GRP2******CI",
        "AMT*D*41.50",
        "OI***Y***Y",
        "NM1*IL*1*DOE*MARY****MI*S777",
        "NM1*PR*2*SECOND PLAN*****PI*60054",
        "SBR*T*19*******MC",
        "NM1*IL*1*DOE*MARY****MI*T888",
    ]
    body = professional([claim("COB1", "100", ("99213", "100"), extra=cob)])
    parsed, _ = _claims(tmp_path, interchange([("837P", [body])]))
    others = parsed.frames.claims.other_payers
    assert list(
        others.select("seq", "payer_responsibility", "payer_id", "paid_cents").iter_rows()
    ) == [
        (1, "S", "60054", 4150),
        (2, "T", None, None),
    ]
    assert others.get_column("subscriber_member_id").to_list() == ["S777", "T888"]
    # The line after the 2320 loops is still the claim's.
    assert parsed.frames.claims.claims.row(0, named=True)["line_count"] == 1


def test_hl_inconsistencies_are_warnings_not_failures(tmp_path: Path) -> None:
    body = [
        "BHT*0019*00*X*20240510*1200*CH",
        "CLM*EARLY*10***11:B:1*Y*A*Y*Y",  # before any HL
        "HL*1**20*1",
        "NM1*85*2*CLINIC*****XX*1234567893",
        "HL*5*1*23*0",  # a patient without a subscriber
        "CLM*NOSUB*20***11:B:1*Y*A*Y*Y",
        "HL*2*9*22*1",  # wrong parent
        "SBR*P*18*******CI",
        "NM1*IL*1*DOE*JOHN****MI*M1",
        "CLM*OK1*30***11:B:1*Y*A*Y*Y",
        "HL*2*1*22*0",  # repeated id
        "HL*7*2*19*0",  # a level 837s do not have
        "CLM*UNDER19*40***11:B:1*Y*A*Y*Y",
        "SV1*HC:99213*40*UN*1***1",  # a line without LX
    ]
    parsed, path = _claims(tmp_path, interchange([("837P", [body])]))
    claims = parsed.frames.claims.claims
    assert claims.get_column("patient_control_number").to_list() == [
        "EARLY",
        "NOSUB",
        "OK1",
        "UNDER19",
    ]
    assert claims.get_column("subscriber_index").to_list() == [None, None, 0, 1]
    assert claims.get_column("billing_npi").to_list() == [None] + ["1234567893"] * 3
    warnings = parsed.diagnostics.rendered()
    expected = [
        "CLM at segment 5 is not under a subscriber or patient HL",
        "HL 5 at segment 8 (patient) has no subscriber HL above it",
        "CLM at segment 9 is not under a subscriber or patient HL",
        "HL 2 at segment 10 names parent '9' but follows HL '1'",
        "HL id '2' at segment 14 repeats an earlier HL of its transaction",
        "HL 7 at segment 15 has level '19': only 20, 22 and 23 are read",
        "SV1 at segment 17 is not in a service line (LX) loop",
    ]
    for text in expected:
        assert any(w.startswith(text) for w in warnings), (text, warnings)
    result = inspect_file(path)
    assert result["ok"] and result["claims"]["claims"] == 4


def test_hl_chains_start_again_in_every_transaction(tmp_path: Path) -> None:
    """HL ids and parents are per transaction: a subscriber HL naming the billing provider of the
    transaction before has none above it, and reusing an id of another transaction is no repeat.
    The inspect fast path (claim_quick) words the same warnings as the flattener."""
    first = professional([claim("C1", "10")])
    second = [
        "HL*2*1*22*0",
        "SBR*P*18*******CI",
        "NM1*IL*1*ROE*ANN****MI*M2",
        "CLM*C2*20***11:B:1*Y*A*Y*Y",
    ]
    parsed, path = _claims(tmp_path, interchange([("837P", [first, second])]))
    warnings = parsed.diagnostics.rendered()
    assert any("(subscriber) has no billing provider HL above it" in w for w in warnings), warnings
    assert not any("repeats an earlier HL" in w for w in warnings), warnings
    assert inspect_file(path)["warnings"] == inspect_file(path, engine="reference")["warnings"]


def test_an_hl_id_of_a_lone_nul_is_an_id_like_any_other(tmp_path: Path) -> None:
    """Found by the corruption test: the vectorised HL check once marked "no HL" with a NUL
    string, so a 277CA provider HL whose id is a lone NUL byte read as absent there and as an
    id on the per-segment path — two engines, two warnings."""
    data = (
        b"ISA*00*          *00*          *ZZ*CLINIC         *ZZ*CLEARINGHOUSE  *240510*1200*^*"
        b"00501*000000001*0*P*:~GS*HN*CLINIC*CLEARINGHOUSE*20240510*1200*1*X*005010X214~"
        b"ST*277*0001*005010X214~BHT*0085*08*ACK1*20240511*1200*TH~HL*1**20*1~"
        b"NM1*PR*2*PLAN*****PI*1~HL*2*1*21*1~TRN*2*BATCH1~STC*A1:19*20240511*WQ*0~"
        b"HL*\x00*2*19*1~NM1*85*2*CLINIC*****XX*1234567893~STC*A3:24*20240511*U~HL*4*3*PT~"
        b"TRN*2*C1~STC*A2:20*20240511*WQ*100~SE*14*0001~GE*1*1~IEA*1*000000001~"
    )
    path = tmp_path / "nul.277"
    path.write_bytes(data)
    expected = [
        "HL 4 at segment 13 names parent '3' but follows HL '\\x00': read as under HL '\\x00'"
    ]
    assert inspect_file(path)["warnings"] == expected
    assert inspect_file(path, engine="reference")["warnings"] == expected


def test_composites_with_another_separator_than_isa16(tmp_path: Path) -> None:
    body = professional(
        [
            [
                "CLM*SEP1*10***11>B>7*Y*A*Y*Y",
                "HI*ABK>R69*ABF>E119",
                "LX*1",
                "SV1*HC>99213>25>59*10*UN*1***1>2",
                "DTP*472*D8*20240501",
            ]
        ]
    )
    parsed, _ = _claims(tmp_path, interchange([("837P", [body])]))
    frames = parsed.frames.claims
    row = frames.claims.row(0, named=True)
    assert (row["facility_code"], row["frequency_code"]) == ("11", "7")
    line = frames.service_lines.row(0, named=True)
    assert (line["procedure_code"], line["modifier_1"], line["modifier_2"]) == ("99213", "25", "59")
    assert frames.diagnoses.get_column("code").to_list() == ["R69", "E119"]
    composite = [w for w in parsed.diagnostics.rendered() if w.startswith("composites use")]
    assert composite == [
        "composites use '>' as component separator (first at segment 15), not the declared ':': "
        "split on '>'"
    ]


def test_malformed_values_are_left_empty_with_warnings(tmp_path: Path) -> None:
    body = professional(
        [
            [
                "CLM*BAD1*12.345***11:B:1*Y*A*Y*Y",
                "DTP*472*D8*20240231",
                "HI*BK*ABK:",
                "LX*A",
                "SV1*HC:99213*1,000.00*UN*1***1",
            ],
            ["CLM**", "LX*1", "SV1*HC:99213*5*UN*1"],
        ]
    )
    body[body.index("DMG*D8*19800101*M")] = "DMG*D8*1980-01-01*M"
    parsed, path = _claims(tmp_path, interchange([("837P", [body])]))
    claims = parsed.frames.claims.claims
    assert claims.get_column("charge_cents").to_list() == [1235, None]  # rounded half away
    assert claims.get_column("subscriber_birth_date").to_list() == [None, None]
    assert parsed.frames.claims.service_lines.get_column("charge_cents").to_list() == [None, 500]
    assert parsed.frames.claims.diagnoses.height == 0
    warnings = parsed.diagnostics.rendered()
    for text in (
        "DMG02 '1980-01-01' at segment 13 is not a CCYYMMDD date",
        "CLM02 '12.345' at segment 15 has more than two decimals",
        "DTP03 '20240231' at segment 16 is not a CCYYMMDD date",
        "HI01 'BK' at segment 17 is not a qualifier and code",
        "HI02 'ABK:' at segment 17 is not a qualifier and code",
        "LX01 'A' at segment 18 is not a number",
        "SV102 '1,000.00' at segment 19 is not an amount",
        "CLM01 is missing at segment 20",
        "CLM02 is missing at segment 20",
    ):
        assert any(w.startswith(text) for w in warnings), (text, warnings)
    assert inspect_file(path)["claims"] == {
        "claims": 2,
        "service_lines": 2,
        "charge_total": "12.35",
    }


def test_unknown_implementation_leaves_claim_type_empty(tmp_path: Path) -> None:
    text = interchange([("837P", [professional([claim("X1", "1", ("99211", "1"))])])])
    text = text.replace("005010X222A1", "005010X224A2")  # dental
    parsed, _ = _claims(tmp_path, text)
    assert parsed.frames.claims.transactions.get_column("claim_type").to_list() == [None]
    assert any("neither 837P (X222) nor 837I (X223)" in w for w in parsed.diagnostics.rendered())


def test_one_pass_over_a_file_mixing_every_kind(tmp_path: Path) -> None:
    remit = [
        "BPR*I*80*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*20240510",
        "TRN*1*CHECK1*1512345678",
        "DTM*405*20240510",
        "N1*PR*ACME HEALTH*XV*87726",
        "N1*PE*GENERAL CLINIC*XX*1234567893",
        "LX*1",
        "CLP*MIX1*1*100*80*20*12*ICN1*11*1",
        "CAS*PR*2*20",
    ]
    ack = ["AK1*HC*1*005010X222A1", "AK2*837*0001*005010X222A1", "IK5*A", "AK9*A*1*1*1"]
    status = [
        "BHT*0085*08*ACK1*20240511*1200*TH",
        "HL*1**20*1",
        "NM1*PR*2*ACME HEALTH*****PI*87726",
        "HL*2*1*21*1",
        "NM1*41*2*CLINIC GROUP*****46*CLINIC",
        "TRN*2*BATCH1",
        "HL*3*2*19*1",
        "NM1*85*2*GENERAL CLINIC*****XX*1234567893",
        "HL*4*3*PT",
        "NM1*QC*1*DOE*JOHN****MI*M001",
        "TRN*2*MIX1",
        "STC*A2:20*20240511*WQ*100",
    ]
    text = interchange(
        [
            ("837P", [professional([claim("MIX1", "100", ("99213", "100"))])]),
            ("835", [remit]),
            ("999", [ack]),
            ("277CA", [status]),
        ]
    )
    parsed, path = _claims(tmp_path, text, chunk_bytes=200)
    frames = parsed.frames
    assert frames.claims.claims.get_column("patient_control_number").to_list() == ["MIX1"]
    assert frames.remittance.claims.get_column("patient_control_number").to_list() == ["MIX1"]
    assert frames.acks.sets.get_column("ik5_code").to_list() == ["A"]
    assert rows(frames.claim_status.statuses, hl_level="PT")[0]["patient_control_number"] == "MIX1"
    result = inspect_file(path)
    assert list(result)[5:] == ["era", "claims", "acks", "warnings"]
    assert result["transactions"] == {"277": 1, "835": 1, "837": 1, "999": 1}
    assert result["acks"] == {
        "sets_accepted": 1,
        "sets_rejected": 0,
        "claims_accepted": 1,
        "claims_rejected": 0,
    }

    # The ingest's way: one reader over bytes, one flattener for every kind, per batch.
    data = path.read_bytes()
    reader = SegmentFrameReader(io.BytesIO(data), chunk_bytes=200)
    flattener = X12Flattener(reader.diagnostics, reader.envelope)
    streamed = X12Frames.concat([flattener.flatten(batch) for batch in reader])
    for kind in ("remittance", "claims", "acks", "claim_status"):
        for name, frame in getattr(streamed, kind).items():
            assert frame.equals(getattr(getattr(frames, kind), name)), (kind, name)
    assert read_x12(data).frames.claims.claims.equals(frames.claims.claims)


def test_indices_continue_across_batches(tmp_path: Path) -> None:
    bodies = [
        professional([claim(f"T{n}C{k}", "10", ("99213", "10")) for k in range(3)])
        for n in range(5)
    ]
    path = write(tmp_path, interchange([("837P", bodies)]))
    for chunk_bytes in (150, 600, 1 << 20):
        frames = assert_same(path, chunk_bytes=chunk_bytes).frames.claims
        assert frames.claims.get_column("claim_index").to_list() == list(range(15))
        assert frames.service_lines.get_column("line_index").to_list() == list(range(15))
        assert frames.claims.get_column("billing_provider_index").to_list() == [
            n for n in range(5) for _ in range(3)
        ]
        assert frames.claims.filter(pl.col("transaction_index") == 4).height == 3


def test_a_chunk_the_vectorised_tokenizer_declines_goes_the_per_segment_way(tmp_path: Path) -> None:
    body = professional([claim("NUL1", "10", ("99213", "10"))])
    # Every byte the vectorised tokenizer could use as a field separator, in a name.
    body[body.index("NM1*41*2*CLINIC GROUP*****46*CLINIC")] = (
        "NM1*41*2*CLINIC\x00\x01\x02\x03\x04\x05\x06\x0e\x0f\x7f*****46*CLINIC"
    )
    data = interchange([("837P", [body])]).encode("latin-1")
    parsed = read_x12(data)
    assert parsed.frames.claims.claims.get_column("patient_control_number").to_list() == ["NUL1"]
    assert read_x12(io.BytesIO(data)).frames.claims.claims.height == 1
    result = inspect_file(write(tmp_path, data))
    assert result["ok"] and result["claims"]["claims"] == 1
