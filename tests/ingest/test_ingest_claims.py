"""837, 999 and 277CA into the store, linked as KPI.md says, whatever order the files arrive in."""

from __future__ import annotations

import itertools
import random

import polars as pl
import pytest
from sqlalchemy import text

from rcmwatch.ingest.run import ingest_file, ingest_paths
from rcmwatch.store.engine import open_store_url
from tests.ingest.corpus import corpus_files
from tests.ingest.natural import dump
from tests.ingest.x12_builders import (
    WORKED_EXAMPLE,
    ack_999,
    claims_837,
    remit_835,
    status_277ca,
)

STORY = {
    "a.837": claims_837([{"pcn": "C1", "charge": "100"}, {"pcn": "C2", "charge": "250.50"}]),
    "b.999": ack_999(group="501", sets=[("0001", "A")], ak9="A"),
    "c.277": status_277ca([("C1", "A2"), ("C2", "A7")]),
    "d.835": remit_835(
        [["CLP*C1*1*100*80*20*12*PCN-C1*11*1", "CAS*PR*2*20"]], payment="80", control="000000801"
    ),
}


def _write_all(folder, files: dict[str, bytes]):
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, data in files.items():
        (folder / name).write_bytes(data)
        paths[name] = folder / name
    return paths


def _story_links(store) -> dict:
    with store.read() as conn:
        q = lambda sql: [tuple(r) for r in conn.execute(text(sql)).all()]  # noqa: E731
        return {
            "ack": q(
                "SELECT a.ik5_code, a.link_status, s.st_control FROM ack_set a "
                "JOIN ack_link l ON l.ack_set_id = a.id JOIN submission s ON s.id = l.submission_id"
            ),
            "status": q(
                "SELECT cs.pcn, cs.status_category, c.pcn, s.bht_reference FROM claim_status cs "
                "JOIN claim c ON c.id = cs.claim_id JOIN submission s ON s.id = cs.submission_id "
                "WHERE cs.hl_level = 'PT' ORDER BY cs.pcn"
            ),
            "remit": q(
                "SELECT cp.pcn, c.pcn FROM claim_payment cp JOIN claim c ON c.id = cp.claim_id"
            ),
            "claims": q(
                "SELECT c.pcn, c.first_submission_id IS NOT NULL, c.claim_type, p.code "
                "FROM claim c LEFT JOIN payer p ON p.id = c.payer_id ORDER BY c.pcn"
            ),
        }


def test_a_claims_story_links_the_same_in_all_24_arrival_orders(tmp_path, clock):
    paths = _write_all(tmp_path / "in", STORY)
    dumps, links = [], []
    for i, order in enumerate(itertools.permutations(sorted(paths))):
        store = open_store_url(f"sqlite:///{tmp_path / f'o{i}.db'}")
        outcomes = [ingest_file(store, paths[name], clock=clock) for name in order]
        assert {o.status for o in outcomes} == {"ingested"}, [o.reason for o in outcomes]
        dumps.append(dump(store))
        links.append(_story_links(store))
        store.dispose()
    assert all(d == dumps[0] for d in dumps)
    assert links[0] == {
        "ack": [("A", "linked", "0001")],
        "status": [("C1", "A2", "C1", "BATCH1"), ("C2", "A7", "C2", "BATCH1")],
        "remit": [("C1", "C1")],
        "claims": [("C1", True, "P", "AUTO-ACME01"), ("C2", True, "P", "AUTO-ACME01")],
    }
    assert all(link == links[0] for link in links)


def _two_sets_in_one_group(date="20240501") -> bytes:
    """One 837 group (GS06 = 502) holding two transaction sets."""
    one = claims_837([{"pcn": "G1", "charge": "10"}], control="000000502", st="0001").decode()
    two = claims_837([{"pcn": "G2", "charge": "20"}], control="000000502", st="0002").decode()
    lines_one = one.split("~\n")
    body_two = [s for s in two.split("~\n") if s and not s.startswith(("ISA", "GS", "GE", "IEA"))]
    ge = next(i for i, s in enumerate(lines_one) if s.startswith("GE"))
    merged = lines_one[:ge] + body_two + ["GE*2*502"] + lines_one[ge + 1 :]
    return "~\n".join(s for s in merged if s).encode() + b"~\n"


def test_a_group_level_999_answers_every_set_of_its_group(store, clock, tmp_path):
    paths = _write_all(
        tmp_path / "in",
        {"g.837": _two_sets_in_one_group(), "g.999": ack_999(group="502", sets=None, ak9="R")},
    )
    for name in ("g.999", "g.837"):  # the answer first: linked when the 837 comes
        assert ingest_file(store, paths[name], clock=clock).status == "ingested"
    with store.read() as conn:
        rows = conn.execute(
            text(
                "SELECT a.ak9_code, a.ak2_set_control, s.st_control FROM ack_set a "
                "JOIN ack_link l ON l.ack_set_id = a.id "
                "JOIN submission s ON s.id = l.submission_id ORDER BY s.st_control"
            )
        ).all()
    assert [tuple(r) for r in rows] == [("R", None, "0001"), ("R", None, "0002")]


@pytest.mark.parametrize(
    ("ack_date", "ack_time", "status"),
    [
        ("20240501", "1300", "linked"),
        ("20240531", "1100", "linked"),  # 29 days 23 hours after the 837's GS04/GS05
        ("20240531", "1300", "pending"),  # 30 days 1 hour: too late to be its answer
        ("20240501", "1100", "pending"),  # before the 837 was sent
    ],
)
def test_999_links_only_at_or_before_it_within_30_days(
    store, clock, tmp_path, ack_date, ack_time, status
):
    paths = _write_all(
        tmp_path / "in",
        {
            "a.837": claims_837([{"pcn": "W1", "charge": "10"}], date="20240501"),
            "b.999": ack_999(
                group="501", sets=[("0001", "A")], ak9="A", date=ack_date, time=ack_time
            ),
        },
    )
    list(ingest_paths(store, paths.values(), clock=clock))
    with store.read() as conn:
        got = conn.execute(text("SELECT link_status FROM ack_set")).scalar()
        links = conn.execute(text("SELECT count(*) FROM ack_link")).scalar()
    assert got == status
    assert links == (1 if status == "linked" else 0)


def test_two_equally_near_837s_make_the_999_ambiguous_not_a_silent_pick(store, clock, tmp_path):
    first = claims_837([{"pcn": "X1", "charge": "10"}])
    second = claims_837([{"pcn": "X2", "charge": "20"}]).replace(b"*PAT2*", b"*PAT9*")
    paths = _write_all(
        tmp_path / "in",
        {"a.837": first, "b.837": second, "c.999": ack_999(group="501", sets=[("0001", "A")],
                                                           ak9="A")},
    )  # fmt: skip
    outcomes = list(ingest_paths(store, paths.values(), clock=clock))
    with store.read() as conn:
        status = conn.execute(text("SELECT link_status FROM ack_set")).scalar()
        links = conn.execute(text("SELECT count(*) FROM ack_link")).scalar()
        warned = conn.execute(
            text("SELECT count(*) FROM ingest_warning WHERE code = 'ambiguous_link'")
        ).scalar()
    assert (status, links, warned) == ("ambiguous", 0, 1)
    # The second 837 reuses the first's interchange control number with other content.
    assert any("duplicate_control_number" in w for o in outcomes for w in o.warnings)


def test_replacement_and_void_link_to_their_original_in_any_order(tmp_path, clock):
    files = {
        "a.837": claims_837([{"pcn": "R1", "charge": "100"}], date="20240501"),
        "b.837": claims_837(
            [{"pcn": "R1", "charge": "120", "freq": "7", "f8": "PAYER-R1"}],
            date="20240510", control="000000511", bht="BATCH2",
        ),
        "c.837": claims_837(
            [{"pcn": "R1", "charge": "120", "freq": "8", "f8": "PAYER-R1"}],
            date="20240520", control="000000521", bht="BATCH3",
        ),
    }  # fmt: skip
    paths = _write_all(tmp_path / "in", files)
    results = []
    for i, order in enumerate((["a.837", "b.837", "c.837"], ["c.837", "b.837", "a.837"])):
        store = open_store_url(f"sqlite:///{tmp_path / f'r{i}.db'}")
        for name in order:
            ingest_file(store, paths[name], clock=clock)
        with store.read() as conn:
            results.append(
                (
                    conn.execute(
                        text(
                            "SELECT v.frequency_code, r.frequency_code "
                            "FROM claim_version v LEFT JOIN claim_version r "
                            "ON r.id = v.replaces_version_id ORDER BY v.frequency_code"
                        )
                    ).all(),
                    conn.execute(
                        text(
                            "SELECT substr(CAST(c.first_submitted_at AS TEXT), 1, 10), "
                            "substr(CAST(c.voided_at AS TEXT), 1, 10) FROM claim c"
                        )
                    ).one(),
                )
            )
        store.dispose()
    assert results[0] == results[1]
    versions, (first, voided) = results[0]
    assert [tuple(v) for v in versions] == [("1", None), ("7", "1"), ("8", "7")]
    assert (first, voided) == ("2024-05-01", "2024-05-20")


def test_test_interchanges_are_stored_flagged_and_warned(store, clock, tmp_path):
    path = _write_all(tmp_path / "in", {"t.837": claims_837([{"pcn": "T1", "charge": "5"}],
                                                            usage="T")})["t.837"]  # fmt: skip
    outcome = ingest_file(store, path, clock=clock)
    assert outcome.status == "ingested"
    assert any(w.startswith("test_interchange:") for w in outcome.warnings)
    with store.read() as conn:
        flags = conn.execute(
            text(
                "SELECT c.is_test, s.is_test FROM claim c "
                "JOIN submission s ON s.id = c.first_submission_id"
            )
        ).one()
    assert tuple(bool(f) for f in flags) == (True, True)


def test_a_provider_level_277ca_rejection_rejects_every_claim_beneath(store, clock, tmp_path):
    paths = _write_all(
        tmp_path / "in",
        {
            "a.837": STORY["a.837"],
            "c.277": status_277ca([("C1", "A2"), ("C2", "A2")], provider_category="A3"),
        },
    )
    list(ingest_paths(store, paths.values(), clock=clock))
    with store.read() as conn:
        rows = conn.execute(
            text(
                "SELECT pcn, status_category, rejected_above FROM claim_status "
                "WHERE hl_level = 'PT' ORDER BY pcn"
            )
        ).all()
    assert [(p, c, bool(r)) for p, c, r in rows] == [("C1", "A2", True), ("C2", "A2", True)]


def _all_inputs(tmp_path) -> list:
    hand = _write_all(
        tmp_path / "hand",
        {**STORY, "e.835": remit_835(WORKED_EXAMPLE, payment="380", control="000000901")},
    )
    return [p for p in corpus_files() if p.suffix != ".md"] + list(hand.values())


def test_whole_corpus_in_five_random_orders_gives_identical_rows(tmp_path, clock):
    files = _all_inputs(tmp_path)
    rng = random.Random(5)
    dumps = []
    for i in range(5):
        order = files[:]
        rng.shuffle(order)
        store = open_store_url(f"sqlite:///{tmp_path / f'five_{i}.db'}")
        list(ingest_paths(store, order, clock=clock))
        dumps.append(dump(store))
        store.dispose()
    assert all(d == dumps[0] for d in dumps[1:])
    # x12_many_claims repeats a few patient control numbers: 820 versions of 19 claims there.
    assert len(dumps[0]["claim_version"]) > 800 and len(dumps[0]["ack_set"]) > 3


def test_whole_corpus_sqlite_equals_postgres(sqlite_store, pg_store, clock, tmp_path):
    files = _all_inputs(tmp_path)
    for s in (sqlite_store, pg_store):
        list(ingest_paths(s, files, clock=clock))
    assert dump(sqlite_store) == dump(pg_store)


def test_a_claim_stored_by_another_ingest_meanwhile_is_joined_not_duplicated(
    sqlite_store, pg_store, clock, tmp_path, monkeypatch
):
    """PostgreSQL: two ingests may both find a claim new. The one that writes second must point
    its versions at the stored claim and derive it from all versions — the same rows as one
    ingest after the other."""
    from rcmwatch.store import bulk

    files = {
        "a.837": claims_837([{"pcn": "R1", "charge": "100"}], date="20240501"),
        "b.837": claims_837(
            [{"pcn": "R1", "charge": "120", "freq": "7", "f8": "PAYER-R1"},
             {"pcn": "R2", "charge": "75"}],
            date="20240510", control="000000511", bht="BATCH2",
        ),
    }  # fmt: skip
    paths = _write_all(tmp_path / "in", files)
    for name in ("a.837", "b.837"):
        ingest_file(sqlite_store, paths[name], clock=clock)
    ingest_file(pg_store, paths["a.837"], clock=clock)

    real = bulk.ids_for_keys
    hidden = []

    def stale_lookup(conn, table, keys, key_columns):
        found = real(conn, table, keys, key_columns)
        if table.name in ("claim", "patient") and table.name not in hidden:
            # As if a.837's transaction had not committed when b.837 looked R1 and its
            # patient up: both are written again, conflict, and must be joined.
            hidden.append(table.name)
            return found.with_columns(pl.lit(None, dtype=pl.Int64).alias("id"))
        return found

    monkeypatch.setattr(bulk, "ids_for_keys", stale_lookup)
    outcome = ingest_file(pg_store, paths["b.837"], clock=clock)
    assert sorted(hidden) == ["claim", "patient"] and outcome.status == "ingested", outcome.reason
    assert dump(pg_store) == dump(sqlite_store)
    with pg_store.read() as conn:
        rows = conn.execute(
            text(
                "SELECT c.pcn, count(v.id), substr(CAST(c.first_submitted_at AS TEXT), 1, 10) "
                "FROM claim c JOIN claim_version v ON v.claim_id = c.id GROUP BY c.pcn, "
                "c.first_submitted_at ORDER BY c.pcn"
            )
        ).all()
    assert [tuple(r) for r in rows] == [("R1", 2, "2024-05-01"), ("R2", 1, "2024-05-10")]


def test_a_run_that_grows_the_store_refreshes_postgres_planner_statistics(
    pg_store, clock, tmp_path, monkeypatch
):
    """Without statistics PostgreSQL scans whole tables in every link pass, so a growing store
    made each file slower than the last; a run analyses the tables once it has written enough."""
    from rcmwatch.ingest.run import PlannerStatistics

    def analysed() -> bool:
        with pg_store.read() as conn:
            return bool(
                conn.execute(
                    text(
                        "SELECT count(*) FROM pg_stats "
                        "WHERE tablename = 'claim' AND attname = 'pcn'"
                    )
                ).scalar()
            )

    paths = _write_all(tmp_path / "in", STORY)
    monkeypatch.setattr(PlannerStatistics, "MIN_ROWS", 10**9)
    list(ingest_paths(pg_store, [paths["b.999"], paths["c.277"]], clock=clock))
    assert not analysed()  # a small run leaves it to autovacuum
    monkeypatch.setattr(PlannerStatistics, "MIN_ROWS", 2)
    list(ingest_paths(pg_store, [paths["a.837"]], clock=clock))
    assert not analysed()  # never after a run's last file
    outcomes = list(ingest_paths(pg_store, [paths["d.835"]], clock=clock))
    assert not analysed()
    edited = STORY["a.837"].replace(b"C2", b"C3")  # another 837, then a file after it
    paths = _write_all(tmp_path / "more", {"e.837": edited, "f.835": STORY["d.835"] + b"\n"})
    outcomes = list(ingest_paths(pg_store, [paths["e.837"], paths["f.835"]], clock=clock))
    assert [o.status for o in outcomes] == ["ingested", "ingested"]
    assert analysed()  # the claims e.837 wrote, before f.835 was linked
