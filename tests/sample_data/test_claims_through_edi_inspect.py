"""The generated 837s, 999s and 277CAs read through rcmwatch's own parser: a sample of each kind
parses without a warning, both paths agree, and inspect's counts equal the files' own segments
(CLM, SV1/SV2, IK5 codes, PT HLs and their STC categories) counted here by plain splitting."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

from collectors.edi.inspect import inspect_file
from collectors.edi.x12_frames import read_x12

REJECTING = ("A3", "A4", "A6", "A7", "A8")


def _segments(path: Path) -> list[list[str]]:
    text = path.read_text()
    terminator = text[105]  # the generator writes standard 106-byte ISAs
    return [seg.strip().split("*") for seg in text.split(terminator) if seg.strip()]


LEVELS = ("20", "21", "19", "PT")


def _expected(path: Path) -> Counter:
    counts: Counter = Counter()
    rejects: dict[str, bool] = {}  # HL level -> the latest HL of that level rejects
    level = ""

    def close_claim() -> None:
        if level == "PT":
            rejected = any(rejects.get(lv) for lv in LEVELS)
            counts["claims_rejected" if rejected else "claims_accepted"] += 1

    for seg in _segments(path):
        tag = seg[0]
        counts["claims"] += tag == "CLM"
        counts["service_lines"] += tag in ("SV1", "SV2")
        if tag == "IK5":
            counts["sets_accepted" if seg[1] in ("A", "E") else "sets_rejected"] += 1
        if tag in ("HL", "SE"):
            close_claim()
            level = seg[3] if tag == "HL" else ""
            for deeper in LEVELS[LEVELS.index(level) :] if level in LEVELS else LEVELS:
                rejects.pop(deeper, None)
        if tag == "STC" and level in LEVELS:
            rejects[level] = rejects.get(level, False) or seg[1].split(":")[0] in REJECTING
    return counts


def test_generated_claim_and_ack_files_read_cleanly(baseline: Path) -> None:
    inbound = sorted((baseline / "clearinghouse").glob("*/*"))
    rnd = random.Random(4)
    for suffix in (".837", ".999", ".277"):
        paths = [p for p in inbound if p.suffix == suffix]
        assert paths, suffix
        for path in rnd.sample(paths, min(12, len(paths))):
            result = inspect_file(path)
            assert result["ok"] and result["warnings"] == [], (path.name, result)
            assert result == inspect_file(path, engine="reference"), path.name
            expected = _expected(path)
            block = result["claims"] if suffix == ".837" else result["acks"]
            for key, value in block.items():
                if isinstance(value, int):
                    assert value == expected[key], (path.name, key)
            frames = read_x12(path).frames
            if suffix == ".837":
                claims = frames.claims.claims
                assert claims.get_column("billing_npi").null_count() == 0, path.name
                assert claims.get_column("payer_id").null_count() == 0, path.name
