"""``rcmwatch bench fixture``: a generated health system of N claims, built once — generated,
its reference data loaded, its X12 ingested (arrival times from the transfer log), its source
tables collected — and cached for the benchmarks of the other issues.

The cache folder's name is the key: claims, months, seed, generator version, schema revision and
the pipeline ("generate-ingest-collect"), so a change to any of them builds a new fixture. It
holds the generated system, the SQLite store and ``fixture.json`` (what was built, how long each
step took). ``--db`` builds into another store (e.g. PostgreSQL) instead, recorded in the same
folder; a fixture is reused only when its ``fixture.json`` says it completed.
"""

from __future__ import annotations

import json
import resource
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from rcmwatch.clock import FixedClock
from rcmwatch.store.engine import open_store_url
from rcmwatch.store.migrate import head_revision

PIPELINE = "generate-ingest-collect"


@dataclass
class FixtureReport:
    key: str
    folder: str
    store: str
    claims: int
    months: int
    as_of: str
    reused: bool = False
    seconds: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    peak_rss_mb: float = 0.0
    completed: bool = False

    def lines(self) -> list[str]:
        out = [
            f"fixture {self.key} ({'reused' if self.reused else 'built'}) in {self.folder}",
            f"store: {self.store}",
        ]
        for step, secs in self.seconds.items():
            out.append(f"  {step:<10} {secs:8.1f} s")
        if self.seconds:
            out.append(f"  {'total':<10} {sum(self.seconds.values()):8.1f} s")
        out.append("  " + ", ".join(f"{k}: {v:,}" for k, v in self.counts.items()))
        out.append(f"  peak RSS of this process: {self.peak_rss_mb:,.0f} MB")
        return out


def fixture_key(claims: int, months: int, seed: int) -> str:
    from sample_data.generator import GENERATOR_VERSION

    return (
        f"claims{claims}-m{months}-s{seed}-gen{GENERATOR_VERSION}-schema{head_revision()}-"
        f"{PIPELINE}"
    )


def build_fixture(
    cache: Path,
    *,
    claims: int,
    months: int = 12,
    seed: int = 1,
    as_of: date = date(2025, 1, 1),
    db_url: str | None = None,
    log=print,
) -> FixtureReport:
    key = fixture_key(claims, months, seed)
    folder = cache / key
    folder.mkdir(parents=True, exist_ok=True)
    url = db_url or f"sqlite:///{folder / 'store.db'}"
    record = folder / ("fixture.json" if db_url is None else f"fixture-{_slug(url)}.json")
    if record.is_file():
        done = json.loads(record.read_text())
        if done.get("completed"):
            report = FixtureReport(**done)
            report.reused = True
            return report
    report = FixtureReport(
        key=key,
        folder=str(folder),
        store=_redacted(url),
        claims=claims,
        months=months,
        as_of=as_of.isoformat(),
    )
    system = folder / "system"
    clock = FixedClock(datetime.combine(as_of, datetime.min.time(), UTC))

    t = time.perf_counter()
    if not (system / "manifest.json").is_file():
        from sample_data import generate

        log(f"generating {claims:,} claims over {months} months...")
        generate(system, seed=seed, claims=claims, months=months, as_of=as_of)
    report.seconds["generate"] = time.perf_counter() - t

    store = open_store_url(url)
    report.store = store.display_url
    from rcmwatch.reference.loader import load_reference, read_reference_folder

    t = time.perf_counter()
    with store.write() as conn:
        load_reference(conn, read_reference_folder(system / "reference"))
    report.seconds["reference"] = time.perf_counter() - t

    from rcmwatch.ingest.run import ingest_paths, transfer_log_times

    house = system / "clearinghouse"
    arrived = transfer_log_times(house / "transfer_log.csv")
    files = sorted(
        (p for p in house.rglob("*") if p.is_file() and p.suffix != ".csv"),
        key=lambda p: (arrived(p) or datetime.max.replace(tzinfo=UTC), p.name),
    )
    log(f"ingesting {len(files):,} clearinghouse files...")
    t = time.perf_counter()
    failed = 0
    for i, outcome in enumerate(ingest_paths(store, files, clock=clock, received_at_of=arrived)):
        failed += outcome.failed
        if (i + 1) % 1000 == 0:
            log(f"  {i + 1:,} of {len(files):,} files ({time.perf_counter() - t:.0f} s)")
    report.seconds["ingest"] = time.perf_counter() - t
    report.counts["files"] = len(files)
    report.counts["files_failed"] = failed

    from collectors.generated import SYSTEMS, write_generated_sources
    from collectors.service import collect_once

    log("collecting the engine, workflow and ERP tables...")
    t = time.perf_counter()
    sources = write_generated_sources(system)
    for name in SYSTEMS:
        for result in collect_once(store, sources, clock=clock, only=name):
            if not result.ok:
                raise RuntimeError(f"collecting {name} failed: {result.line()}")
    report.seconds["collect"] = time.perf_counter() - t

    from rcmwatch.queries.inventory import store_inventory

    for row in store_inventory(store).iter_rows(named=True):
        report.counts[row["records"]] = row["count"]
    store.dispose()
    report.peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report.completed = failed == 0
    record.write_text(json.dumps(asdict(report), indent=2))
    return report


def _slug(url: str) -> str:
    from sqlalchemy.engine import make_url

    u = make_url(url)
    return f"{u.get_backend_name()}-{u.host or 'local'}-{u.database or 'db'}".replace("/", "_")


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
