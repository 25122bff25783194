"""Nothing that looks like a real patient: reserved prefixes everywhere a person appears."""

from __future__ import annotations

from tests.sample_data import measure


def test_names_member_ids_and_mrns_use_reserved_prefixes(baseline):
    seen = 0
    for path in sorted((baseline / "clearinghouse").glob("*/*")):
        for seg in measure.segments(path):
            if seg[0] == "NM1" and seg[1] in ("IL", "QC"):
                assert seg[3].startswith("ZZTEST"), seg
                if len(seg) > 9 and seg[8] == "MI":
                    assert seg[9].startswith("ZZ"), seg
                seen += 1
            elif seg[0] == "REF" and seg[1] == "EA":
                assert seg[2].startswith("ZZM"), seg
    assert seen > 10_000
    erp = measure.sql(baseline, "erp")
    assert (
        erp.execute("SELECT COUNT(*) FROM receivable WHERE patient_mrn NOT LIKE 'ZZM%'").fetchone()[
            0
        ]
        == 0
    )
    users = (baseline / "reference" / "users.csv").read_text().splitlines()[1:]
    assert all(u.startswith("zz.") for u in users)
