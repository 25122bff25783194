"""The clearinghouse's and payer's answers to a claim file dropped in the outbound folder,
checked with rcmwatch's own X12 reader (`edi inspect`): a hand-made 837 with two claims of
$100.00 and $55.55 is paid 80% — $80.00 and $44.44 (5555 × 80 // 100 = 4444 cents) — with the
rest adjusted CO-45, so the 835 balances: BPR02 = $124.44 = ΣCLP04."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from rcmwatch.simulator.outbound import answer_files, read_837
from tests.cli_runner import run_cli

ISA = (
    "ISA*00*          *00*          *ZZ*SUBMITTER01    *ZZ*CLEARINGHOUSE  *261127*0800*^*00501*"
    "000000777*0*P*:~"
)
CLAIMS_837 = "\n".join(
    [
        ISA,
        "GS*HC*SUBMITTER01*CLEARINGHOUSE*20261127*0800*777*X*005010X222A1~",
        "ST*837*0001*005010X222A1~",
        "BHT*0019*00*BATCH777*20261127*0800*CH~",
        "HL*1**20*1~",
        "NM1*85*2*LAKEVIEW MEDICAL GROUP*****XX*1234567893~",
        "HL*2*1*22*0~",
        "SBR*P*18*******CI~",
        "NM1*IL*1*DOE*JANE****MI*M123~",
        "NM1*PR*2*BLUEFIN HEALTH PLAN*****PI*ZZ301~",
        "CLM*P0000099001*100***11:B:7~",
        "CLM*P0000099002*55.55***11:B:1~",
        "SE*10*0001~",
        "GE*1*777~",
        "IEA*1*000000777~",
    ]
)


def test_a_two_claim_837_is_answered_and_the_835_balances(tmp_path):
    parsed = read_837(CLAIMS_837.encode())
    assert (parsed.gs06, parsed.sets[0].st02, parsed.sets[0].bht03) == ("777", "0001", "BATCH777")
    assert [(c.pcn, c.charge_cents, c.frequency) for c in parsed.claims] == [
        ("P0000099001", 10000, "7"),
        ("P0000099002", 5555, "1"),
    ]
    at = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
    answers = answer_files(parsed, at, 900_000_000)
    names = [name for _at, name, _c, _k, _n in answers]
    assert names == [
        "20261127-084500_999_RESUB900000000.999",
        "20261127-180000_277CA_RESUB900000001.277",
        "20261211-080000_835_RESUB900000002.835",
    ]
    paths = []
    for _at, name, content, _kind, _n in answers:
        (tmp_path / name).write_bytes(content)
        paths.append(str(tmp_path / name))
    result = run_cli("edi", "inspect", "--json", *paths)
    assert result.code == 0, result.stderr
    ack, status, remit = (json.loads(line) for line in result.stdout.splitlines())
    assert ack["acks"]["sets_accepted"] == 1 and ack["acks"]["sets_rejected"] == 0
    assert status["acks"]["claims_accepted"] == 2
    era = remit["era"]
    assert (era["claims"], era["charge_total"], era["paid_total"]) == (2, "155.55", "124.44")
    assert (era["payment_total"], era["balanced"], era["denied_claims"]) == ("124.44", True, 0)
    assert "N1*PR*BLUEFIN HEALTH PLAN*XV*ZZ301~" in answers[2][2].decode()
