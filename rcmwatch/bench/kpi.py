"""``rcmwatch bench kpi``: the KPI engine's benchmark (issue 9), separate from the tests.

1. Compute on 10M synthetic claims (Parquet frames in the cache, never through X12): every KPI
   for 12 months, in a child process so its peak memory is measured alone (goal ≤ 120 s, 8 GB).
2. On a 1M-claim store per backend (bulk-written synthetic rows, cached): (a) loading the frames
   (goal ≤ 15 s), (b) computing every KPI for 12 months (≤ 10 s), and one drill-down cut from the
   snapshots — facility × month × denial category (≤ 300 ms).
3. Side by side in the same run: initial denial rate by facility × month, days in A/R and the
   posting-latency P90 with the engine (Polars), pandas and plain SQL on PostgreSQL (what a
   Metabase/Superset user would write), with ratios.
Medians of repeated runs (the machine is small and noisy)."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from rcmwatch.bench.kpi_synthetic import AS_OF

TWELVE_MONTHS = "2024-01-01..2024-12-31"


CPU: dict[int, float] = {}  # id(fn) -> median CPU seconds of its last timing


def _median_time(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    """Median wall seconds of ``repeat`` runs (the median CPU seconds, all threads of this
    process, go to :data:`CPU`: the machine is shared, wall time alone can mislead)."""
    times, cpu, out = [], [], None
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    CPU[id(fn)] = statistics.median(cpu)
    return statistics.median(times), out


def parquet_cache(cache: Path, n: int) -> Path:
    folder = cache / f"frames-{n}"
    if not (folder / "claim.parquet").exists():
        from rcmwatch.bench.kpi_synthetic import synthetic_frames

        synthetic_frames(n).write_parquet(folder)
    return folder


def compute_phase(folder: str, repeat: int) -> dict:
    """Child process: read the Parquet frames, compute all KPIs for 12 months ``repeat`` times."""
    import resource

    from metrics.engine import compute_kpis
    from metrics.frames import Frames
    from metrics.periods import Period

    frames = Frames.read_parquet(folder)
    period = Period.parse(TWELVE_MONTHS, AS_OF)

    def run():
        return compute_kpis(frames, AS_OF, period)

    seconds, _ = _median_time(run, repeat)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "claims": frames.claim.height,
        "heights": frames.heights(),
        "compute_s": seconds,
        "compute_cpu_s": CPU[id(run)],
        "peak_gib": peak_kb / 1024**2,
    }


def build_store(url: str, n: int, marker: Path) -> None:
    from metrics.frames import TABLES
    from rcmwatch.bench.kpi_synthetic import store_tables
    from rcmwatch.store import bulk
    from rcmwatch.store.engine import open_store_url
    from rcmwatch.store.models import Base

    if marker.exists():
        return
    store = open_store_url(url)
    tables = store_tables(n)
    order = [
        "facility",
        "payer",
        "inbound_file",
        "submission",
        "claim",
        "claim_version",
        "ack_set",
        "ack_link",
        "claim_status",
        "remit_transaction",
        "claim_payment",
        *[t for t in TABLES if t in tables],
    ]  # parents first
    with store.write() as conn:
        for name in dict.fromkeys(order):
            if name in tables:
                bulk.insert_frame(conn, Base.metadata.tables[name], tables[name])
    store.dispose()
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(url)


def store_phase(url: str, repeat: int) -> dict:
    from metrics.engine import compute_kpis
    from metrics.periods import Period
    from rcmwatch.queries.kpi_frames import LoadReport, load_frames
    from rcmwatch.store.engine import open_store_url
    from rcmwatch.store.snapshots import refresh_snapshots, snapshot_cut_sql

    store = open_store_url(url)
    report = LoadReport()
    load_s, frames = _median_time(lambda: load_frames(store, report=report), repeat)
    period = Period.parse(TWELVE_MONTHS, AS_OF)

    def run():
        return compute_kpis(frames, AS_OF, period)

    compute_s, _ = _median_time(run, repeat)
    compute_cpu = CPU[id(run)]
    refresh = refresh_snapshots(store, AS_OF, full=True, frames=frames)
    cut_s, rows = _median_time(
        lambda: snapshot_cut_sql(
            store, "denials_by_category:", date(2024, 1, 1), date(2024, 12, 31)
        ),
        max(repeat, 5),
    )
    store.dispose()
    return {
        "backend": store.backend,
        "claims": frames.claim.height,
        "load_s": load_s,
        "reader": sorted(set(report.readers.values())),
        "compute_12_months_s": compute_s,
        "compute_12_months_cpu_s": compute_cpu,
        "snapshot_refresh_s": refresh.seconds,
        "snapshot_cells": refresh.written + refresh.unchanged,
        "drill_cut_ms": cut_s * 1000,
        "drill_cut_rows": len(rows),
    }


# --- side by side ------------------------------------------------------------------------

SQL_DENIAL_RATE = """
WITH adj AS (
  SELECT cp.claim_id, cp.pcn, cp.payer_id, cp.denial_kind, rt.production_date,
         ROW_NUMBER() OVER (PARTITION BY COALESCE(cp.claim_id::text, cp.pcn), cp.payer_id
                            ORDER BY rt.production_date, rt.id, cp.seq) AS rn
  FROM claim_payment cp JOIN remit_transaction rt ON rt.id = cp.remit_transaction_id
  WHERE NOT rt.is_test AND NOT cp.is_reversal AND NOT cp.is_predetermination)
SELECT c.facility_id, date_trunc('month', adj.production_date) AS month,
       AVG(CASE WHEN adj.denial_kind IN ('full', 'partial') THEN 1.0 ELSE 0 END)
FROM adj LEFT JOIN claim c ON c.id = adj.claim_id
WHERE adj.rn = 1 GROUP BY 1, 2
"""
SQL_DAYS_IN_AR = """
WITH ar AS (
  SELECT c.id, cv.charge_cents - COALESCE(SUM(cp.paid_cents + a.amount_cents), 0) AS ar
  FROM claim c JOIN claim_version cv ON cv.claim_id = c.id AND cv.frequency_code = '1'
  LEFT JOIN claim_payment cp ON cp.claim_id = c.id AND cp.payer_sequence = 'primary'
  LEFT JOIN remit_transaction rt ON rt.id = cp.remit_transaction_id
  LEFT JOIN adjustment a ON a.claim_payment_id = cp.id
  WHERE c.first_submitted_at < :at AND (rt.id IS NULL OR rt.production_date < :at)
  GROUP BY c.id, cv.charge_cents),
adr AS (
  SELECT SUM(cv.charge_cents) / 92.0 AS adr FROM claim c
  JOIN claim_version cv ON cv.claim_id = c.id AND cv.frequency_code = '1'
  WHERE c.first_submitted_at >= :adr_from AND c.first_submitted_at < :at)
SELECT SUM(ar) FILTER (WHERE ar > 0) / (SELECT adr FROM adr) FROM ar
"""
SQL_POSTING_P90 = """
SELECT percentile_disc(0.9) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM
         COALESCE(p.posted_at, CAST(:as_of AS timestamptz)) - rt.received_at)) / 3600
FROM claim_payment cp JOIN remit_transaction rt ON rt.id = cp.remit_transaction_id
LEFT JOIN (SELECT claim_payment_id, MIN(posted_at) AS posted_at FROM posting
           GROUP BY claim_payment_id) p ON p.claim_payment_id = cp.id
WHERE NOT cp.is_reversal AND NOT cp.is_predetermination AND NOT rt.is_test
"""


def side_by_side(url: str, repeat: int) -> dict:
    import pandas as pd
    from sqlalchemy import text

    from metrics.engine import compute_kpis
    from metrics.periods import Period
    from rcmwatch.queries.kpi_frames import load_frames
    from rcmwatch.store.engine import open_store_url

    store = open_store_url(url)
    frames = load_frames(store)
    at = "2025-01-01"
    year = Period.parse(TWELVE_MONTHS, AS_OF)
    q4_end = Period.parse("2024-12", AS_OF)

    def engine_all():
        compute_kpis(frames, AS_OF, year, by="facility", names=["initial_denial_rate"])
        compute_kpis(frames, AS_OF, year, by="month", names=["initial_denial_rate"])
        compute_kpis(frames, AS_OF, q4_end, names=["days_in_ar_gross", "posting_latency"])

    cp = frames.claim_payment.to_pandas()
    rt = frames.remit_transaction.to_pandas()
    claim = frames.claim.to_pandas()
    cv = frames.claim_version.to_pandas()
    adj = frames.adjustment.to_pandas()
    posting = frames.posting.to_pandas()

    def pandas_all():
        loops = cp.merge(
            rt[["id", "production_date", "received_at"]].rename(
                columns={"id": "remit_transaction_id"}
            ),
            on="remit_transaction_id",
        )
        loops = loops[~loops.is_reversal & ~loops.is_predetermination]
        loops = loops.sort_values(["production_date", "remit_transaction_id", "seq"])
        loops["key"] = loops.claim_id.astype("string").fillna(loops.pcn)
        initial = loops.drop_duplicates(["key", "payer_id"])
        initial = initial.merge(
            claim[["id", "facility_id"]].rename(columns={"id": "claim_id"}),
            on="claim_id",
            how="left",
        )
        initial["month"] = pd.to_datetime(initial.production_date).dt.to_period("M")
        initial["denied"] = initial.denial_kind.isin(["full", "partial"])
        initial.groupby(["facility_id", "month"], dropna=False).denied.mean()
        charges = cv[cv.frequency_code == "1"][["claim_id", "charge_cents"]]
        prim = loops[(loops.payer_sequence == "primary") & loops.claim_id.notna()]
        cas = adj.groupby("claim_payment_id").amount_cents.sum()
        prim = prim.assign(cas=prim.id.map(cas).fillna(0))
        reduced = (prim.paid_cents + prim.cas).groupby(prim.claim_id).sum()
        ar = charges.set_index("claim_id").charge_cents.sub(reduced, fill_value=0)
        ar[ar > 0].sum() / (charges.charge_cents.sum() / 365)
        first = posting.groupby("claim_payment_id").posted_at.min()
        waits = loops.id.map(first).fillna(pd.Timestamp(AS_OF)) - loops.received_at
        waits.dt.total_seconds().quantile(0.9, interpolation="higher")

    def sql_all():
        with store.read() as conn:
            conn.execute(text(SQL_DENIAL_RATE)).all()
            conn.execute(text(SQL_DAYS_IN_AR), {"at": at, "adr_from": "2024-10-01"}).all()
            conn.execute(text(SQL_POSTING_P90), {"as_of": AS_OF}).all()

    engine_s, _ = _median_time(engine_all, repeat)
    pandas_s, _ = _median_time(pandas_all, repeat)
    sql_s, _ = _median_time(sql_all, repeat) if not store.is_sqlite else (None, None)
    store.dispose()
    return {
        "engine_polars_s": engine_s,
        "pandas_s": pandas_s,
        "plain_sql_s": sql_s,
        "pandas_over_engine": pandas_s / engine_s,
        "sql_over_engine": (sql_s / engine_s) if sql_s else None,
    }


def run(args, ctx) -> int:
    cache = Path(args.cache) if args.cache else ctx.settings.home_path / "cache" / "bench-kpi"
    cache.mkdir(parents=True, exist_ok=True)
    results: dict = {"as_of": AS_OF.isoformat(), "repeat": args.repeat}
    folder = parquet_cache(cache, args.claims)
    child = subprocess.run(
        [sys.executable, "-m", "rcmwatch.bench.kpi", "compute", str(folder), str(args.repeat)],
        capture_output=True,
        text=True,
        check=True,
    )
    results["compute"] = json.loads(child.stdout.strip().splitlines()[-1])
    print(json.dumps({"compute": results["compute"]}), flush=True)
    urls = [("sqlite", f"sqlite:///{cache / f'store-{args.store_claims}.db'}")]
    if args.postgres_url:
        urls.append(("postgresql", args.postgres_url))
    results["stores"] = []
    for backend, url in urls:
        build_store(url, args.store_claims, cache / f"built-{backend}-{args.store_claims}")
        phase = store_phase(url, args.repeat)
        results["stores"].append(phase)
        print(json.dumps({"store": phase}), flush=True)
        if backend == "postgresql":
            results["side_by_side"] = side_by_side(url, args.repeat)
            print(json.dumps({"side_by_side": results["side_by_side"]}), flush=True)
    (cache / "results.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":  # the compute phase's child process
    if sys.argv[1] == "compute":
        print(json.dumps(compute_phase(sys.argv[2], int(sys.argv[3]))))
