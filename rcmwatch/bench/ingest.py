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

``floor`` (with ``batched``) measures, in the same run, what no ingest code can beat here: the
batched files parsed and nothing else, and the rows the batched ingest wrote loaded into a fresh
store and nothing else (:mod:`rcmwatch.bench.ingest_floor`).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from datetime import date
from pathlib import Path

from sqlalchemy.engine import make_url

from rcmwatch.store.engine import open_store_url

WORKER = "rcmwatch.bench.ingest_worker"
FLOOR = "rcmwatch.bench.ingest_floor"
SETS = ("generated", "batched", "floor")


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
    argv = ["--db", url, "--limit", str(limit or 0)]
    if transfer_log:
        argv += ["--transfer-log", str(transfer_log)]
    return _process(WORKER, argv + [str(p) for p in paths])


def _process(module: str, argv: list[str]) -> dict:
    """Run a measurement in a process of its own; its last stdout line is its JSON result."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RCMWATCH_")}
    out = subprocess.run(
        [sys.executable, "-m", module, *argv], capture_output=True, text=True, env=env, check=False
    )
    if out.returncode != 0:
        raise RuntimeError(f"{module} failed: {out.stderr.strip()[-500:]}")
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
    sets: tuple[str, ...] = SETS,
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
    batched = _batched(workdir, claims, log) if "batched" in sets else None
    if batched:
        runs.append(("batched", [batched], None, None))
    report: dict = {"claims": claims, "generated_files": n_files, "runs": {}}
    batched_stores: dict[str, str] = {}  # backend -> the first batched run's store, for floors
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
                if label == "batched" and i == 0:
                    batched_stores[backend] = url
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
    if "floor" in sets and batched:
        report["floor"] = _floors(
            batched, batched_stores, workdir, postgres_url, repeat, log, claims
        )
    return report


def _floors(batched, stores, workdir, postgres_url, repeat, log, claims) -> dict:
    """Parse only and load only (:mod:`rcmwatch.bench.ingest_floor`), medians of ``repeat``."""

    def median(results: list[dict], key: str) -> float | None:
        values = [r[key] for r in results if r.get(key) is not None]
        return round(statistics.median(values), 3) if values else None

    def ceiling(seconds: float | None) -> int | None:
        return round(claims / seconds) if seconds else None

    floor: dict = {}
    log(f"floor: parse only, {repeat} run(s)...")
    parsed = [_process(FLOOR, ["parse", str(batched)]) for _ in range(repeat)]
    floor["parse"] = {"wall_s": median(parsed, "wall_s"), "cpu_s": median(parsed, "cpu_s")}
    if "sqlite" in stores:
        log(f"floor: load only, SQLite, {repeat} run(s)...")
        source = make_url(stores["sqlite"]).database
        loads = [_process(FLOOR, ["sqlite", source, str(workdir)]) for _ in range(repeat)]
        driver, engine = median(loads, "python_driver_s"), median(loads, "engine_s")
        floor["sqlite"] = {
            "rows": sum(loads[0]["rows"].values()),
            "python_driver_s": driver,
            "engine_s": engine,
            "ceiling_claims_per_s": ceiling(driver),
        }
    if "postgresql" in stores:
        log(f"floor: load only, PostgreSQL, {repeat} run(s)...")
        loads = []
        for _ in range(repeat):
            checked = _fresh_store("postgresql", workdir, "floor_checked", postgres_url)
            unchecked = _fresh_store("postgresql", workdir, "floor_unchecked", postgres_url)
            loads.append(_process(FLOOR, ["postgresql", stores["postgresql"], checked, unchecked]))
        copy = median(loads, "copy_s")
        floor["postgresql"] = {
            "rows": sum(loads[0]["rows"].values()),
            "copy_s": copy,
            "copy_without_fk_checks_s": median(loads, "copy_without_fk_checks_s"),
            "ceiling_claims_per_s": ceiling(copy),
        }
    return floor


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
    floor = report.get("floor")
    if floor:
        lines += ["", "floors, batched set (that step alone, nothing else; same machine and run):"]
        parse = floor["parse"]
        wall, cpu = parse["wall_s"], parse["cpu_s"]
        lines.append(f"{'parse only, 4 files':<52}{wall:>7.1f} s wall {cpu:>5.1f} s CPU")

        def load(name: str, seconds: float | None, note: str = "") -> None:
            shown = f"{seconds:>7.1f} s" if seconds is not None else "    n/a  "
            lines.append(f"{name:<52}{shown}{note}")

        def ceiling(value: int | None) -> str:
            return f"   ceiling {value:,} claims/s" if value else ""

        if "sqlite" in floor:
            sq = floor["sqlite"]
            load(
                f"load only, SQLite, Python's driver ({sq['rows']:,} rows)",
                sq["python_driver_s"],
                ceiling(sq["ceiling_claims_per_s"]),
            )
            load("load only, SQLite, inside the engine (no binding)", sq["engine_s"])
        if "postgresql" in floor:
            pg = floor["postgresql"]
            load(
                f"load only, PostgreSQL binary COPY ({pg['rows']:,} rows)",
                pg["copy_s"],
                ceiling(pg["ceiling_claims_per_s"]),
            )
            load(
                "load only, PostgreSQL binary COPY, FK checks off",
                pg["copy_without_fk_checks_s"],
                "   (what if the schema had no foreign keys)",
            )
    return "\n".join(lines)
