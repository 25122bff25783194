"""Build the demo health system into the store: generate (first start only) → reference data →
X12 through ingest (arrival times from the clearinghouse transfer log) → the source tables through
the collectors. Runs beside the dashboard (``rcmwatch demo``), so the dashboard is up at once and
shows the progress this module records in ``app_state['demo_load']``.

Idempotent: a restart skips what is already in the store (ingest skips known files; collectors
upsert), so an interrupted load simply continues.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select

from rcmwatch.clock import Clock, SystemClock
from rcmwatch.store.engine import Store, open_store_url
from rcmwatch.store.models import AppState

STATE_KEY = "demo_load"


@dataclass
class LoadProgress:
    phase: str = "starting"  # generating | reference | ingesting | collecting | done | failed
    files_total: int = 0
    files_done: int = 0
    files_failed: int = 0
    claims: int = 0
    system_dir: str = ""
    as_of: str = ""
    started_at: str = ""
    finished_at: str | None = None
    error: str | None = None
    notes: list[str] = field(default_factory=list)


def read_progress(store: Store) -> LoadProgress | None:
    with store.read() as conn:
        value = conn.scalar(select(AppState.value).where(AppState.key == STATE_KEY))
    if not value:
        return None
    known = {k: v for k, v in value.items() if k in LoadProgress.__dataclass_fields__}
    return LoadProgress(**known)


def _save(store: Store, progress: LoadProgress) -> None:
    from sqlalchemy.dialects import postgresql, sqlite

    dialect_insert = postgresql.insert if store.backend == "postgresql" else sqlite.insert
    row = {"key": STATE_KEY, "value": asdict(progress), "updated_at": datetime.now(UTC)}
    stmt = dialect_insert(AppState).values(**row)
    stmt = stmt.on_conflict_do_update(
        index_elements=["key"], set_={"value": row["value"], "updated_at": row["updated_at"]}
    )
    with store.write() as conn:
        conn.execute(stmt)


def load_demo(
    store: Store,
    system_dir: Path,
    *,
    clock: Clock,
    claims: int,
    as_of: date,
    seed: int = 1,
) -> LoadProgress:
    from rcmwatch.ingest.run import ingest_paths, transfer_log_times
    from rcmwatch.reference.loader import load_reference, read_reference_folder

    previous = read_progress(store)
    progress = LoadProgress(
        system_dir=str(system_dir),
        as_of=as_of.isoformat(),
        claims=claims,
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    if previous is not None and previous.phase == "done":
        return previous
    try:
        manifest = system_dir / "manifest.json"
        if not manifest.is_file():
            progress.phase = "generating"
            _save(store, progress)
            from sample_data import generate

            generate(system_dir, seed=seed, claims=claims, as_of=as_of)

        progress.phase = "reference"
        _save(store, progress)
        with store.write() as conn:
            load_reference(conn, read_reference_folder(system_dir / "reference"))

        house = system_dir / "clearinghouse"
        files = sorted(p for p in house.rglob("*") if p.is_file() and p.suffix != ".csv")
        progress.phase, progress.files_total = "ingesting", len(files)
        _save(store, progress)
        arrived = transfer_log_times(house / "transfer_log.csv")
        # Arrival order, as a clearinghouse would have delivered them.
        files.sort(key=lambda p: (arrived(p) or datetime.max.replace(tzinfo=UTC), p.name))
        last_save = time.monotonic()
        for outcome in ingest_paths(store, files, clock=clock, received_at_of=arrived):
            progress.files_done += 1
            progress.files_failed += outcome.failed
            if time.monotonic() - last_save > 1.0:
                _save(store, progress)
                last_save = time.monotonic()

        progress.phase = "collecting"
        _save(store, progress)
        from collectors.generated import SYSTEMS, broker_source_toml, write_generated_sources
        from collectors.service import collect_once
        from rcmwatch.settings import load_settings

        settings = load_settings()
        broker = ""
        if settings.amqp_url:
            broker = broker_source_toml(
                settings.amqp_url, settings.rabbitmq_management_url, settings.sim_queue_prefix
            )
        # Demo cadences (wall seconds): the simulator moves an hour a second by default.
        sources = write_generated_sources(
            system_dir, cadence_seconds=15, folder_cadence_seconds=10, broker=broker
        )
        for system in SYSTEMS:  # the SQL sources; the X12 was ingested above
            for result in collect_once(store, sources, clock=clock, only=system):
                if not result.ok:
                    progress.notes.append(result.line())
        progress.phase = "done"
    except Exception as exc:  # shown on the Overview; the dashboard keeps running
        progress.phase = "failed"
        progress.error = f"{type(exc).__name__}: {' '.join(str(exc).split())}"
    progress.finished_at = datetime.now(UTC).isoformat(timespec="seconds")
    _save(store, progress)
    return progress


def wait_until_loaded(store: Store, stop, poll_seconds: float = 1.0) -> LoadProgress | None:
    """Block until the demo load is done or failed (or ``stop``, a threading.Event, is set):
    the scheduler and the simulator of ``rcmwatch demo`` start on the loaded system."""
    while not stop.is_set():
        progress = read_progress(store)
        if progress is not None and progress.phase in ("done", "failed"):
            return progress
        stop.wait(poll_seconds)
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rcmwatch.demo_loader")
    parser.add_argument("--db", required=True)
    parser.add_argument("--system", required=True)
    parser.add_argument("--claims", type=int, required=True)
    parser.add_argument("--as-of", required=True)
    args = parser.parse_args(argv)
    store = open_store_url(args.db)
    progress = load_demo(
        store,
        Path(args.system),
        clock=SystemClock(),
        claims=args.claims,
        as_of=date.fromisoformat(args.as_of),
    )
    store.dispose()
    if progress.phase == "failed":
        print(f"rcmwatch: demo load failed: {progress.error}", file=sys.stderr)
        return 1
    print(
        f"rcmwatch: demo system loaded ({progress.files_done} files, "
        f"{progress.files_failed} quarantined)"
    )
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
