"""``rcmwatch bench ingest``: end-to-end ingest (parse + link + write) of a 100,000-claim set of
837 + 999 + 277CA + 835, into SQLite and into PostgreSQL side by side in one run.

Two sets, because ingest has two costs — one per file (landing, one transaction, links) and one
per claim (parse, bulk writes):

- ``generated``: the synthetic health system (``rcmwatch generate``), as a clearinghouse
  delivers it — thousands of daily files; arrival order from its transfer log.
- ``batched``: the same volume in four large files (one 837P, one 999, one 277CA, one 835),
  written by the benchmark builders — the per-claim cost alone.

Each run is its own process (``python -m rcmwatch.bench.ingest_worker``) so that its peak RSS
is its own; memory independence of the file count is shown by ingesting the first 10% and all of
the generated files.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from datetime import date
from pathlib import Path

from rcmwatch.store.engine import open_store_url

WORKER = "rcmwatch.bench.ingest_worker"


def _generated(cache: Path, claims: int, log) -> Path:
    system = cache / f"generated-{claims}"
    if not (system / "manifest.json").is_file():
        from sample_data import generate

        log(f"generating {claims:,} claims...")
        generate(system, seed=1, claims=claims, months=6, as_of=date(2024, 7, 1))
    return system


def _batched(cache: Path, claims: int, log) -> Path:
    folder = cache / f"batched-{claims}"
    done = cache / f"batched-{claims}.done"  # beside, not inside: ingest reads the whole folder
    if not done.is_file():
        from rcmwatch.bench.claim_builder import write_277ca, write_999, write_claims
        from rcmwatch.bench.remittance_builder import write_remittance

        log(f"writing the batched set ({claims:,} claims in 4 files)...")
        folder.mkdir(parents=True, exist_ok=True)
        write_claims(folder / "claims.837", claims=claims)
        write_999(folder / "acks.999", sets=claims // 1000)
        write_277ca(folder / "status.277", claims=claims)
        write_remittance(folder / "remits.835", claims=claims)
        done.write_text("ok")
    return folder


def _run(url: str, paths: list[Path], transfer_log: Path | None, limit: int | None) -> dict:
    argv = [sys.executable, "-m", WORKER, "--db", url, "--limit", str(limit or 0)]
    if transfer_log:
        argv += ["--transfer-log", str(transfer_log)]
    argv += [str(p) for p in paths]
    env = {k: v for k, v in os.environ.items() if not k.startswith("RCMWATCH_")}
    out = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"ingest worker failed: {out.stderr.strip()[-500:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _fresh_store(kind: str, workdir: Path, name: str, postgres_url: str | None) -> str | None:
    if kind == "sqlite":
        path = workdir / f"{name}.db"
        for p in workdir.glob(f"{name}.db*"):
            p.unlink()
        return f"sqlite:///{path}"
    if not postgres_url:
        return None
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin_url = make_url(postgres_url).set(drivername="postgresql+psycopg")
    db = f"rcmwatch_bench_ingest_{name}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{db}"'))
    admin.dispose()
    return admin_url.set(database=db).render_as_string(hide_password=False)


def run_benchmark(
    *,
    claims: int,
    workdir: Path,
    postgres_url: str | None,
    repeat: int,
    log,
    sets: tuple[str, ...] = ("generated", "batched"),
) -> dict:
    workdir.mkdir(parents=True, exist_ok=True)
    runs = []
    n_files = 0
    if "generated" in sets:
        house = _generated(workdir, claims, log) / "clearinghouse"
        transfer_log = house / "transfer_log.csv"
        gen_files = [house / "outbound", house / "inbound"]
        n_files = sum(1 for p in house.rglob("*") if p.is_file() and p.suffix != ".csv")
        runs += [
            ("generated", gen_files, transfer_log, None),
            ("generated_first_10pct", gen_files, transfer_log, max(1, n_files // 10)),
        ]
    if "batched" in sets:
        runs.append(("batched", [_batched(workdir, claims, log)], None, None))
    report: dict = {"claims": claims, "generated_files": n_files, "runs": {}}
    for backend in ("sqlite", "postgresql"):
        for label, paths, tlog, limit in runs:
            results = []
            for i in range(repeat):
                url = _fresh_store(backend, workdir, f"{label}_{i}", postgres_url)
                if url is None:
                    break
                s = open_store_url(url)  # schema first: not part of the timing
                s.dispose()
                log(f"{backend} {label} run {i + 1}/{repeat}...")
                results.append(_run(url, paths, tlog, limit))
            if not results:
                continue
            seconds = statistics.median(r["seconds"] for r in results)
            claims_done = results[0]["claim_payments"] + results[0]["claim_versions"]
            report["runs"][f"{backend}/{label}"] = {
                "files": results[0]["files"],
                "claim_versions": results[0]["claim_versions"],
                "claim_payments": results[0]["claim_payments"],
                "seconds_median": round(seconds, 2),
                "claims_per_s": round(results[0]["claim_versions"] / seconds)
                if results[0]["claim_versions"]
                else None,
                "records_per_s": round(claims_done / seconds),
                "peak_rss_mb": max(r["peak_rss_mb"] for r in results),
                "failed_files": results[0]["failed"],
            }
    return report


def render(report: dict) -> str:
    lines = [
        f"ingest of a {report['claims']:,}-claim set of 837 + 999 + 277CA + 835 "
        f"(generated: {report['generated_files']:,} files)",
        f"{'run':<38}{'files':>8}{'seconds':>10}{'claims/s':>10}{'peak MB':>9}",
    ]
    for name, r in report["runs"].items():
        lines.append(
            f"{name:<38}{r['files']:>8,}{r['seconds_median']:>10.1f}"
            f"{(r['claims_per_s'] or 0):>10,}{r['peak_rss_mb']:>9.0f}"
        )
    lines.append("claims/s = 837 claims (CLM loops) ingested per second, end to end")
    return "\n".join(lines)
