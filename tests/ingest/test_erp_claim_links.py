"""ERP receivables, postings, write-offs and payments name their claim by patient control number.
Whichever arrives first — the ERP rows (collector) or the 837 (ingest) — they end up linked to
the claim, the same rows in both orders; without that link the A/R at a past period end cannot
roll back later activity."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text

from collectors.config import load_sources
from collectors.generated import generated_sources_toml
from collectors.service import collect_source
from rcmwatch.clock import FixedClock
from rcmwatch.ingest.links import ERP_CLAIM_TABLES
from rcmwatch.ingest.run import ingest_paths

NOW = datetime(2024, 7, 1, 6, tzinfo=UTC)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    from sample_data import generate

    out = tmp_path_factory.mktemp("erp-links")
    generate(out, seed=3, claims=250, months=1, as_of=date(2024, 7, 1), scenario="baseline")
    return out


def _ingest(store, generated) -> None:
    house = generated / "clearinghouse"
    outcomes = list(
        ingest_paths(store, [house / "outbound", house / "inbound"], clock=FixedClock(NOW))
    )
    assert not [o for o in outcomes if o.failed]


def _collect_erp(store, generated, tmp_path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(generated_sources_toml(generated))
    for cfg in load_sources(path).enabled():
        if cfg.name == "erp":
            result = collect_source(store, cfg, clock=FixedClock(NOW))
            assert result.ok, result.line()


def _links(store) -> dict[str, tuple[int, int, int]]:
    """Per table: (rows, rows linked to a claim, rows whose PCN is a stored claim's)."""
    out = {}
    with store.read() as conn:
        for table in ERP_CLAIM_TABLES:
            out[table] = tuple(
                conn.execute(
                    text(
                        f"SELECT COUNT(*), COUNT(t.claim_id), COUNT(c.id) FROM {table} t "
                        "LEFT JOIN claim c ON c.pcn = t.pcn"
                    )
                ).one()
            )
            wrong = conn.execute(
                text(f"SELECT COUNT(*) FROM {table} t JOIN claim c ON c.id = t.claim_id "
                     "WHERE c.pcn <> t.pcn")
            ).scalar()  # fmt: skip
            assert wrong == 0, table
    return out


@pytest.mark.slow
@pytest.mark.parametrize("order", ["claims_first", "erp_first"])
def test_erp_rows_link_to_their_claims_in_either_arrival_order(order, generated, store, tmp_path):
    if order == "claims_first":
        _ingest(store, generated)
        _collect_erp(store, generated, tmp_path)
    else:
        _collect_erp(store, generated, tmp_path)
        assert all(linked == 0 for _, linked, _ in _links(store).values())  # no claims yet
        _ingest(store, generated)
    for table, (rows, linked, matching) in _links(store).items():
        assert rows > 0, table
        assert linked == matching > 0, (table, rows, linked, matching)
