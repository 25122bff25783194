"""837s, 999s and 277CAs: what they carry and how they answer each other."""

from __future__ import annotations

import re
from collections import Counter

from sample_data.npi import is_valid_npi
from tests.sample_data import measure

ICD10 = re.compile(r"^[A-TV-Z][0-9][0-9A-Z]([0-9A-Z]{1,4})?$")
CPT_HCPCS = re.compile(r"^([0-9]{4}[0-9A-Z]|[A-V][0-9]{4})$")
REVENUE = re.compile(r"^0[0-9]{3}$")


def _claims_files(folder):
    return sorted((folder / "clearinghouse" / "outbound").glob("*.837"))


def test_837s_carry_codes_facilities_hierarchy_and_frequencies(baseline):
    seen = Counter()
    for path in _claims_files(baseline):
        gs08 = ""
        for seg in measure.segments(path):
            tag = seg[0]
            if tag == "GS":
                gs08 = seg[8]
                assert gs08 in ("005010X222A1", "005010X223A2")
                assert ("_837P_" in path.name) == (gs08 == "005010X222A1")
            elif tag == "HI":
                for comp in seg[1:]:
                    qualifier, code = comp.split(":")[:2]
                    if qualifier in ("ABK", "ABF", "ABJ"):
                        assert ICD10.match(code), code
                        seen["icd10"] += 1
            elif tag == "SV1":
                parts = seg[1].split(":")
                assert CPT_HCPCS.match(parts[1]), parts
                seen["modifier"] += len(parts) > 2
            elif tag == "SV2":
                assert REVENUE.match(seg[1]), seg
                seen["revenue"] += 1
                if seg[2]:
                    assert CPT_HCPCS.match(seg[2].split(":")[1])
            elif tag == "NM1" and seg[1] == "77":
                seen["2310C" if gs08.endswith("X222A1") else "2310E"] += 1
            elif tag == "HL" and seg[3] == "23":
                seen["patient_not_subscriber"] += 1
            elif tag == "CLM":
                seen["freq" + seg[5].split(":")[2]] += 1
            elif tag == "REF" and seg[1] == "F8":
                seen["F8"] += 1
            elif tag == "NM1" and seg[-2] == "XX":
                assert is_valid_npi(seg[-1]), seg
    assert seen["icd10"] and seen["revenue"] and seen["modifier"]
    assert seen["2310C"] > 1000 and seen["2310E"] > 20
    assert seen["patient_not_subscriber"] > 100
    assert seen["freq7"] > 50 and seen["freq8"] > 0
    assert seen["F8"] == seen["freq7"] + seen["freq8"]


def _ststructure(folder):
    """(sender, receiver, GS06) -> {ST02: (BHT03, [pcn...])} of every 837."""
    groups = {}
    for path in _claims_files(folder):
        for seg in measure.segments(path):
            if seg[0] == "ISA":
                sender, receiver = seg[6].strip(), seg[8].strip()
            elif seg[0] == "GS":
                sets = groups.setdefault((sender, receiver, seg[6]), {})
            elif seg[0] == "ST":
                st02 = seg[2]
            elif seg[0] == "BHT":
                sets[st02] = (seg[3], [])
            elif seg[0] == "CLM":
                sets[st02][1].append(seg[1])
    return groups


def test_999s_answer_837_groups_and_sets(baseline):
    groups = _ststructure(baseline)
    answered = Counter()
    ak9 = Counter()
    for path in sorted((baseline / "clearinghouse" / "inbound").glob("*.999")):
        for seg in measure.segments(path):
            if seg[0] == "ISA":
                sender, receiver = seg[6].strip(), seg[8].strip()
            elif seg[0] == "AK1":
                sets = groups[(receiver, sender, seg[2])]  # swapped sender/receiver, GS06
            elif seg[0] == "AK2":
                assert seg[2] in sets  # AK2-02 = ST02
                answered["sets"] += 1
            elif seg[0] in ("IK3", "IK4"):
                answered[seg[0]] += 1
            elif seg[0] == "IK5":
                answered["IK5" + seg[1]] += 1
            elif seg[0] == "AK9":
                ak9[seg[1]] += 1
    total_sets = sum(len(s) for s in groups.values())
    assert answered["IK5R"] >= 1 and answered["IK3"] == answered["IK4"] == answered["IK5R"]
    assert ak9["P"] >= 1 and ak9["A"] > 100
    # Deliberately unanswered sets are few (documented in SOURCES.md).
    assert total_sets - 10 <= answered["sets"] < total_sets


def test_277cas_trace_back_to_837_sets_and_claims(baseline):
    groups = _ststructure(baseline)
    by_bht = {bht: set(pcns) for sets in groups.values() for bht, pcns in sets.values()}
    seen = Counter()
    for path in sorted((baseline / "clearinghouse" / "inbound").glob("*.277")):
        level = ""
        receiver_trn = None
        for seg in measure.segments(path):
            if seg[0] == "HL":
                level = seg[3]
            elif seg[0] == "TRN" and level == "21":
                receiver_trn = seg[2]
                assert receiver_trn in by_bht  # TRN*2 at receiver level = the 837's BHT03
            elif seg[0] == "TRN" and level == "PT":
                assert seg[2] in by_bht[receiver_trn]  # claim level = patient control number
                seen["claims"] += 1
            elif seg[0] == "STC":
                cat = seg[1].split(":")[0]
                seen[f"{level}:{cat}"] += 1
    assert seen["19:A3"] >= 1  # a billing-provider-level rejection
    assert seen["PT:A7"] + seen["PT:A6"] + seen["PT:A8"] > 50
    assert seen["PT:A2"] > 10_000


def test_first_submissions_without_any_acknowledgment_are_few_and_deliberate(baseline):
    fe = measure.read_front_end(baseline)
    missing = [p for p in fe.first_submission if fe.outcome(p) is None]
    assert 0 < len(missing) <= 0.02 * len(fe.first_submission)
