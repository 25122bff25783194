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
from datetime import UTC, date, datetime
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

# What a Metabase/Superset user would write, made to follow the engine's definitions (KPI.md)
# so the numbers can be compared: test data out, remits known at as-of, first adjudication
# of each (claim, payer) pair, primary-payer derived A/R, nearest-rank P90.
_DAY = "COALESCE(rt.production_date, CAST(rt.received_at AT TIME ZONE 'UTC' AS DATE))"
_LOOPS = f"""
  FROM claim_payment cp JOIN remit_transaction rt ON rt.id = cp.remit_transaction_id
  WHERE NOT rt.is_test AND rt.received_at <= :as_of
    AND {_DAY} <= CAST(:as_of AS DATE)"""
SQL_DENIAL_RATE = f"""
WITH adj AS (
  SELECT cp.claim_id, cp.denial_kind,
         {_DAY} AS day,
         ROW_NUMBER() OVER (PARTITION BY cp.claim_id,
                                         CASE WHEN cp.claim_id IS NULL THEN cp.pcn END, cp.payer_id
                            ORDER BY {_DAY},
                                     rt.id, cp.seq) AS rn
  {_LOOPS} AND NOT cp.is_reversal AND NOT cp.is_predetermination)
SELECT c.facility_id, CAST(date_trunc('month', adj.day) AS DATE) AS month,
       SUM(CASE WHEN adj.denial_kind IN ('full', 'partial') THEN 1 ELSE 0 END) AS numerator,
       COUNT(*) AS denominator
FROM adj LEFT JOIN claim c ON c.id = adj.claim_id
WHERE adj.rn = 1 AND adj.day BETWEEN :first AND :last GROUP BY 1, 2
"""
SQL_DAYS_IN_AR = f"""
WITH ch AS (
  SELECT DISTINCT ON (cv.claim_id) cv.claim_id, cv.charge_cents
  FROM claim_version cv JOIN submission s ON s.id = cv.submission_id
  WHERE cv.frequency_code IN ('1', '7') AND NOT s.is_test AND s.submitted_at < :until
  ORDER BY cv.claim_id, s.submitted_at DESC, cv.id DESC),
loops AS (
  SELECT cp.id, cp.claim_id, cp.paid_cents {_LOOPS}
    AND {_DAY} <= :at
    AND cp.claim_id IS NOT NULL AND NOT cp.is_predetermination
    AND COALESCE(cp.payer_sequence, 'primary') = 'primary'),
cas AS (
  SELECT claim_payment_id,
         SUM(CASE WHEN group_code = 'PR' THEN amount_cents ELSE 0 END) AS pr,
         SUM(CASE WHEN group_code <> 'PR' THEN amount_cents ELSE 0 END) AS other
  FROM adjustment GROUP BY 1),
moved AS (
  SELECT l.claim_id, SUM(l.paid_cents + COALESCE(cas.other, 0)) AS reduced,
         SUM(COALESCE(cas.pr, 0)) AS to_patient
  FROM loops l LEFT JOIN cas ON cas.claim_payment_id = l.id GROUP BY 1),
ar AS (
  SELECT COALESCE(ch.charge_cents, 0) - COALESCE(m.reduced, 0)
           - COALESCE(m.to_patient, 0) AS ins,
         COALESCE(m.to_patient, 0) AS pat
  FROM claim c LEFT JOIN ch ON ch.claim_id = c.id LEFT JOIN moved m ON m.claim_id = c.id
  WHERE NOT c.is_test AND c.first_submitted_at < :until
    AND (c.voided_at IS NULL OR c.voided_at > :as_of
         OR CAST(c.voided_at AT TIME ZONE 'UTC' AS DATE) > :at))
SELECT SUM(CASE WHEN ins > 0 THEN ins ELSE 0 END) + SUM(CASE WHEN pat > 0 THEN pat ELSE 0 END),
       (SELECT SUM(gross_charges_cents) FROM revenue
        WHERE removed_at_source IS NULL AND period BETWEEN :adr_from AND :at)
FROM ar
"""
# With the ERP's receivables collected the engine reads A/R from them (KPI.md §3: the ERP is the
# system of record): each receivable opened by the day at its balance, rolled back by the ledger
# activity posted after it; the derived A/R above is only for stores without an ERP.
SQL_DAYS_IN_AR_ERP = """
WITH activity AS (
  SELECT claim_id,
         CASE WHEN kind = 'transfer' AND amount_cents > 0 THEN 'patient' ELSE 'insurance' END
           AS kind,
         -amount_cents AS cents
  FROM posting
  WHERE removed_at_source IS NULL AND claim_id IS NOT NULL
    AND posted_at >= :after AND posted_at <= :as_of
  UNION ALL
  SELECT claim_id,
         CASE WHEN reason IN ('bad_debt', 'charity', 'small_balance') THEN 'patient'
              ELSE 'insurance' END,
         amount_cents
  FROM write_off
  WHERE removed_at_source IS NULL AND claim_id IS NOT NULL
    AND posted_at >= :after AND posted_at <= :as_of
  UNION ALL
  SELECT claim_id, 'patient', amount_cents
  FROM payment
  WHERE removed_at_source IS NULL AND payer_type = 'patient' AND claim_id IS NOT NULL
    AND posted_at >= :after AND posted_at <= :as_of),
later AS (SELECT claim_id, kind, SUM(cents) AS cents FROM activity GROUP BY 1, 2),
rec AS (
  SELECT id, claim_id, kind, balance_cents,
         id = MIN(id) OVER (PARTITION BY claim_id, kind) AS first
  FROM receivable
  WHERE removed_at_source IS NULL AND (opened_on IS NULL OR opened_on <= :at)),
balance AS (
  SELECT rec.balance_cents
         + CASE WHEN rec.first AND rec.claim_id IS NOT NULL THEN COALESCE(l.cents, 0) ELSE 0 END
           AS cents
  FROM rec LEFT JOIN later l ON l.claim_id = rec.claim_id AND l.kind = rec.kind)
SELECT SUM(CASE WHEN cents > 0 THEN cents ELSE 0 END),
       (SELECT SUM(gross_charges_cents) FROM revenue
        WHERE removed_at_source IS NULL AND period BETWEEN :adr_from AND :at)
FROM balance
"""
SQL_POSTING_P90 = f"""
WITH p AS (
  SELECT claim_payment_id, MIN(posted_at) AS posted_at FROM posting
  WHERE removed_at_source IS NULL AND claim_payment_id IS NOT NULL AND posted_at <= :as_of
  GROUP BY 1)
SELECT percentile_disc(0.9) WITHIN GROUP (ORDER BY FLOOR(EXTRACT(EPOCH FROM
         COALESCE(p.posted_at, CAST(:as_of AS timestamptz)) - rt.received_at))), COUNT(*)
{_LOOPS.replace("cp JOIN", "cp LEFT JOIN p ON p.claim_payment_id = cp.id JOIN", 1)}
  AND NOT cp.is_reversal AND NOT cp.is_predetermination
  AND CAST(rt.received_at AT TIME ZONE 'UTC' AS DATE) BETWEEN :first AND :last
"""
AR_DAY = date(2024, 12, 31)


def engine_side(frames, repeat: int) -> tuple[float, dict]:
    """The three KPIs with the engine: denial rate numerators/denominators per facility ×
    month, days in A/R (gross) at 2024-12-31 and the posting-latency P90 of 2024."""
    from metrics.common import KpiParams
    from metrics.engine import FactCache, compute_kpis, kpi_frame
    from metrics.periods import Cuts, Period
    from metrics.registry import registry

    year = Period.parse(TWELVE_MONTHS, AS_OF)
    december = Period.parse("2024-12", AS_OF)
    defs = registry()

    def run():
        cache = FactCache(frames, AS_OF, KpiParams())
        rate = kpi_frame(defs["initial_denial_rate"], cache, year, Cuts(), ["facility_id", "month"])
        ar = compute_kpis(frames, AS_OF, december, names=["days_in_ar_gross"])
        latency = compute_kpis(frames, AS_OF, year, names=["posting_latency"])
        return rate, ar, latency

    seconds, (rate, ar, latency) = _median_time(run, repeat)
    ar_frame = ar.frame("days_in_ar_gross")
    return seconds, {
        "denial_rate": _rate_rows(rate.rows()),
        "ar": (int(ar_frame["numerator"][0]), int(ar_frame["denominator"][0])),
        "p90_s": latency.frame("posting_latency")["p90_s"][0],
        "days_in_ar": ar.values["days_in_ar_gross"],
    }


def _rate_rows(rows) -> dict:
    """{(facility, month): (numerator, denominator)} with months as dates."""
    out = {}
    for facility, month, num, den in rows:
        month = month.date() if hasattr(month, "date") and callable(month.date) else month
        out[(None if facility is None else int(facility), month)] = (int(num), int(den))
    return out


def pandas_side(frames, repeat: int) -> tuple[float, dict]:
    """The same three numbers with pandas, written from the definitions."""
    import numpy as np
    import pandas as pd

    as_of = pd.Timestamp(AS_OF)
    cp = frames.claim_payment.to_pandas()
    rt = frames.remit_transaction.to_pandas()
    claim = frames.claim.to_pandas()
    cv = frames.claim_version.to_pandas()
    sub = frames.submission.to_pandas()
    adj = frames.adjustment.to_pandas()
    posting = frames.posting.to_pandas()
    revenue = frames.revenue.to_pandas()
    receivable = frames.receivable.to_pandas()
    write_off = frames.write_off.to_pandas()
    payment = frames.payment.to_pandas()

    def run():
        r = rt.rename(columns={"id": "remit_transaction_id"})
        r["day"] = pd.to_datetime(r.production_date).fillna(
            r.received_at.dt.tz_localize(None).dt.normalize()
        )
        r = r[(r.received_at <= as_of) & (r.day <= as_of.tz_localize(None).normalize())]
        loops = cp.merge(
            r[["remit_transaction_id", "day", "received_at"]], on="remit_transaction_id"
        )
        loops = loops.sort_values(["day", "remit_transaction_id", "seq"], kind="stable")
        adjud = loops[~loops.is_reversal & ~loops.is_predetermination].copy()
        adjud["key"] = adjud.claim_id.astype("string").fillna("pcn:" + adjud.pcn)
        initial = adjud.drop_duplicates(["key", "payer_id"])
        initial = initial[(initial.day >= "2024-01-01") & (initial.day <= "2024-12-31")]
        initial = initial.merge(
            claim[["id", "facility_id"]].rename(columns={"id": "claim_id"}),
            on="claim_id",
            how="left",
        )
        initial["month"] = initial.day.dt.to_period("M").dt.start_time.dt.date
        initial["denied"] = initial.denial_kind.isin(["full", "partial"])
        rate = initial.groupby(["facility_id", "month"], dropna=False).denied.agg(["sum", "count"])
        # A/R at 2024-12-31 over gross ADR of Oct-Dec: from the ERP when it is there, else
        # derived (primary payer).
        until = pd.Timestamp("2025-01-01", tz="UTC")
        period = pd.to_datetime(revenue.period)
        rev = revenue[(period >= "2024-10-01") & (period <= "2024-12-31")]
        ar_den = int(rev.gross_charges_cents.sum())
        if len(receivable):
            ar_num = _pandas_erp_ar(receivable, posting, write_off, payment, until, as_of)
        else:
            ar_num = _pandas_derived_ar(cv, sub, loops, adj, claim, until)
        # Posting latency P90 (nearest rank) of claim payments received in 2024.
        posts = posting[posting.claim_payment_id.notna() & (posting.posted_at <= as_of)]
        first = posts.groupby("claim_payment_id").posted_at.min()
        pay = adjud[(adjud.received_at >= "2024-01-01") & (adjud.received_at < until)]
        waits = (pay.id.map(first).fillna(as_of) - pay.received_at).dt.total_seconds()
        waits = np.sort(waits.to_numpy().astype(np.int64))
        p90 = int(waits[int(np.ceil(len(waits) * 0.9)) - 1]) if len(waits) else None
        return rate, (ar_num, ar_den), p90

    seconds, (rate, ar, p90) = _median_time(run, repeat)
    rows = [
        (None if pd.isna(f) else f, m, s_, c)
        for (f, m), (s_, c) in zip(rate.index, rate.values, strict=True)
    ]
    return seconds, {"denial_rate": _rate_rows(rows), "ar": ar, "p90_s": p90}


def _pandas_derived_ar(cv, sub, loops, adj, claim, until) -> int:
    """Billed A/R derived from claims and remits (no ERP): charge − primary payments − non-PR
    adjustments − PR moved to the patient; the patient's share apart."""
    v = cv[cv.frequency_code.isin(["1", "7"])].merge(
        sub[["id", "submitted_at"]].rename(columns={"id": "submission_id"}), on="submission_id"
    )
    v = v[v.submitted_at < until].sort_values(["submitted_at", "id"], kind="stable")
    charges = v.groupby("claim_id").charge_cents.last()
    prim = loops[
        loops.claim_id.notna()
        & ~loops.is_predetermination
        & (loops.payer_sequence.fillna("primary") == "primary")
        & (loops.day <= "2024-12-31")
    ]
    pr = adj.amount_cents.where(adj.group_code == "PR", 0).groupby(adj.claim_payment_id).sum()
    other = adj.amount_cents.where(adj.group_code != "PR", 0).groupby(adj.claim_payment_id).sum()
    reduced = (prim.paid_cents + prim.id.map(other).fillna(0)).groupby(prim.claim_id).sum()
    to_patient = prim.id.map(pr).fillna(0).groupby(prim.claim_id).sum()
    claims = claim[claim.first_submitted_at < until].id
    ins = (
        charges.reindex(claims, fill_value=0)
        - reduced.reindex(claims, fill_value=0)
        - to_patient.reindex(claims, fill_value=0)
    )
    pat = to_patient.reindex(claims, fill_value=0)
    return int(ins[ins > 0].sum() + pat[pat > 0].sum())


def _pandas_erp_ar(receivable, posting, write_off, payment, after, as_of) -> int:
    """ERP A/R at the day before ``after``: receivables opened by then at their balance, rolled
    back by the ledger activity posted from ``after`` to as-of; credit balances left out."""
    import numpy as np
    import pandas as pd

    def later(frame):
        keep = frame.claim_id.notna() & (frame.posted_at >= after) & (frame.posted_at <= as_of)
        return frame[keep]

    p = later(posting)
    w = later(write_off)
    pp = later(payment[payment.payer_type == "patient"])
    activity = pd.concat(
        [
            pd.DataFrame({
                "claim_id": p.claim_id,
                "kind": np.where((p.kind == "transfer") & (p.amount_cents > 0), "patient",
                                 "insurance"),
                "cents": -p.amount_cents,
            }),
            pd.DataFrame({
                "claim_id": w.claim_id,
                "kind": np.where(w.reason.isin(["bad_debt", "charity", "small_balance"]),
                                 "patient", "insurance"),
                "cents": w.amount_cents,
            }),
            pd.DataFrame({"claim_id": pp.claim_id, "kind": "patient", "cents": pp.amount_cents}),
        ]
    )  # fmt: skip
    moved = activity.groupby(["claim_id", "kind"], as_index=False).cents.sum()
    day = (after - pd.Timedelta(days=1)).tz_localize(None)
    opened = pd.to_datetime(receivable.opened_on)
    rec = receivable[opened.isna() | (opened <= day)]
    first = rec.id == rec.groupby(["claim_id", "kind"], dropna=False).id.transform("min")
    rec = rec.assign(first=first & rec.claim_id.notna()).merge(
        moved, on=["claim_id", "kind"], how="left"
    )
    cents = rec.balance_cents + np.where(rec["first"], rec.cents.fillna(0), 0)
    return int(cents[cents > 0].sum())


def sql_side(store, repeat: int) -> tuple[float, dict]:
    from sqlalchemy import text

    params = {
        "as_of": AS_OF,
        "first": date(2024, 1, 1),
        "last": AR_DAY,
        "at": AR_DAY,
        "until": datetime(2025, 1, 1, tzinfo=UTC),
        "adr_from": date(2024, 10, 1),
        "after": datetime(2025, 1, 1, tzinfo=UTC),
    }

    def run():
        with store.read() as conn:
            rate = conn.execute(text(SQL_DENIAL_RATE), params).all()
            erp = conn.scalar(
                text("SELECT EXISTS (SELECT 1 FROM receivable WHERE removed_at_source IS NULL)")
            )
            ar = conn.execute(text(SQL_DAYS_IN_AR_ERP if erp else SQL_DAYS_IN_AR), params).one()
            p90 = conn.execute(text(SQL_POSTING_P90), params).one()
        return rate, ar, p90

    seconds, (rate, ar, p90) = _median_time(run, repeat)
    return seconds, {
        "denial_rate": _rate_rows(rate),
        "ar": (int(ar[0] or 0), int(ar[1] or 0)),
        "p90_s": None if p90[0] is None else int(p90[0]),
    }


def side_by_side(url: str, repeat: int) -> dict:
    """Engine, pandas and plain SQL on the same PostgreSQL store: times, ratios, and whether
    each gives the engine's numbers (a comparison of different numbers would mean nothing)."""
    from rcmwatch.queries.kpi_frames import load_frames
    from rcmwatch.store.engine import open_store_url

    store = open_store_url(url)
    frames = load_frames(store)
    engine_s, want = engine_side(frames, repeat)
    pandas_s, by_pandas = pandas_side(frames, repeat)
    sql_s, by_sql = sql_side(store, repeat)
    store.dispose()

    def agree(got: dict) -> dict:
        return {k: got[k] == want[k] for k in ("denial_rate", "ar", "p90_s")}

    return {
        "values": {
            "denial_rate_cells": len(want["denial_rate"]),
            "days_in_ar_gross": want["days_in_ar"],
            "posting_latency_p90_h": None
            if want["p90_s"] is None
            else round(want["p90_s"] / 3600, 2),
        },
        "pandas_agrees": agree(by_pandas),
        "sql_agrees": agree(by_sql),
        "engine_polars_s": engine_s,
        "pandas_s": pandas_s,
        "plain_sql_s": sql_s,
        "pandas_over_engine": pandas_s / engine_s,
        "sql_over_engine": sql_s / engine_s,
    }


def _fixture_urls(args, ctx, log) -> tuple[list[tuple[str, str]], list[Callable[[], None]]]:
    """Copies of the cached bench fixture (generated → ingested → collected) to measure on:
    SQLite, and PostgreSQL when ``--postgres-url`` names the database the fixture was copied
    into (``bench fixture --copy-to``). Copies, because the snapshot refresh writes."""
    import tempfile

    from rcmwatch.bench.checks import _copy_postgres, _copy_sqlite
    from rcmwatch.bench.fixture import build_fixture

    cache = Path(args.fixture_cache) if args.fixture_cache else (
        ctx.settings.home_path / "cache" / "fixtures"
    )  # fmt: skip
    fixture = build_fixture(cache, claims=args.store_claims, log=log)
    tmp = tempfile.TemporaryDirectory(prefix="rcmwatch-bench-kpi-")
    urls = [("sqlite", _copy_sqlite(f"sqlite:///{Path(fixture.folder) / 'store.db'}",
                                    Path(tmp.name)))]  # fmt: skip
    cleanups: list[Callable[[], None]] = [tmp.cleanup]
    if args.postgres_url:
        url, drop = _copy_postgres(args.postgres_url)
        urls.append(("postgresql", url))
        cleanups.append(drop)
    return urls, cleanups


def run(args, ctx) -> int:
    cache = Path(args.cache) if args.cache else ctx.settings.home_path / "cache" / "bench-kpi"
    cache.mkdir(parents=True, exist_ok=True)
    results: dict = {"as_of": AS_OF.isoformat(), "repeat": args.repeat}
    if args.only in (None, "compute"):
        folder = parquet_cache(cache, args.claims)
        child = subprocess.run(
            [sys.executable, "-m", "rcmwatch.bench.kpi", "compute", str(folder), str(args.repeat)],
            capture_output=True,
            text=True,
            check=True,
        )
        results["compute"] = json.loads(child.stdout.strip().splitlines()[-1])
        print(json.dumps({"compute": results["compute"]}), flush=True)
    if args.only == "compute":
        print(json.dumps(results, indent=2))
        return 0
    cleanups: list[Callable[[], None]] = []
    if args.fixture:
        urls, cleanups = _fixture_urls(args, ctx, lambda line: print(line, file=sys.stderr))
        results["stores_from"] = f"bench fixture --claims {args.store_claims} (copies)"
    else:
        urls = [("sqlite", f"sqlite:///{cache / f'store-{args.store_claims}.db'}")]
        if args.postgres_url:
            urls.append(("postgresql", args.postgres_url))
        results["stores_from"] = "synthetic rows"
    results["stores"] = []
    try:
        for backend, url in urls:
            if not args.fixture:
                build_store(url, args.store_claims, cache / f"built-{backend}-{args.store_claims}")
            phase = store_phase(url, args.repeat)
            results["stores"].append(phase)
            print(json.dumps({"store": phase}), flush=True)
            if backend == "postgresql":
                results["side_by_side"] = side_by_side(url, args.repeat)
                print(json.dumps({"side_by_side": results["side_by_side"]}), flush=True)
    finally:
        for cleanup in cleanups:
            cleanup()
    (cache / "results.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":  # the compute phase's child process
    if sys.argv[1] == "compute":
        print(json.dumps(compute_phase(sys.argv[2], int(sys.argv[3]))))
