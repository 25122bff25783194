"""Ingest files: land, parse, write in one transaction per file, link, or quarantine.

- Content already in the store (same SHA-256) changes no row at all: no landing row, no warning,
  no audit row — the outcome says it was skipped.
- Parsing happens outside the write transaction (it is the slow, CPU-bound part), one file
  ahead: the next file is read and parsed in a thread while this one is written.
- Everything a file produces is written in one transaction: a failure (or a kill) leaves no
  partial rows. The file is then quarantined — kept, raw, with a one-line reason — in a
  transaction of its own, and the next file is processed.
"""

from __future__ import annotations

import hashlib
import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from sqlalchemy import insert, select, text, update
from sqlalchemy.exc import IntegrityError

from rcmwatch.clock import Clock, as_utc
from rcmwatch.errors import InputError
from rcmwatch.ingest.outcome import FileOutcome
from rcmwatch.store.engine import Store
from rcmwatch.store.models import InboundFile

log = logging.getLogger("rcmwatch.ingest")

# Files a clearinghouse folder may hold next to X12 that are not X12 (pyx12's .997 reports,
# transfer logs and manifests, editor backups, hidden files) are not ingested from folders;
# named explicitly, they are.
_IGNORED_SUFFIXES = {".997", ".tmp", ".part", ".swp", ".md", ".txt~", ".csv", ".json", ".log"}


def expand_paths(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files as given, and every file below given folders (sorted, hidden files skipped)."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                rel = child.relative_to(path)
                if any(part.startswith(".") for part in rel.parts):
                    continue
                if child.suffix.lower() in _IGNORED_SUFFIXES:
                    continue
                yield child
        else:
            yield path


# Files read and parsed ahead of the one being written: parsing (Polars, mostly outside the
# GIL) overlaps the previous file's write transaction. One is enough on two cores; memory holds
# at most this many parsed files more than one, whatever the number of files.
READ_AHEAD = 1


@dataclass
class _Prepared:
    """A file read, hashed, checked against the store and — unless already there — parsed."""

    shown: str
    recorded_path: str
    data: bytes | None = None
    sha: str | None = None
    unreadable: str | None = None
    known: object | None = None  # the stored file's row (id, status, quarantine_reason)
    parsed: object | None = None  # ParsedX12
    parse_error: str | None = None


def ingest_paths(
    store: Store,
    paths: Iterable[str | Path],
    *,
    clock: Clock,
    source: str = "cli",
    keep_raw_max_bytes: int = 64 * 1024 * 1024,
    received_at_of: Callable[[Path], datetime | None] | None = None,
) -> Iterator[FileOutcome]:
    """Ingest files in order, one transaction each; the next file is read and parsed while
    this one is written (:data:`READ_AHEAD`). ``received_at_of``: when each file really arrived
    (a transfer log, its mtime); None or a None answer means now, the landing time."""
    from concurrent.futures import ThreadPoolExecutor

    pending: deque[tuple[Path, Future[_Prepared]]] = deque()
    statistics = PlannerStatistics(store)

    def finish(path: Path, prepared: Future[_Prepared]) -> FileOutcome:
        statistics.before_next()
        return _land(
            store,
            prepared.result(),
            clock=clock,
            source=source,
            keep_raw_max_bytes=keep_raw_max_bytes,
            received_at=received_at_of(path) if received_at_of else None,
        )

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="rcmwatch-parse") as pool:
        for path in expand_paths(paths):
            pending.append((path, pool.submit(_prepare_file, store, path)))
            if len(pending) > READ_AHEAD:
                yield statistics.after(finish(*pending.popleft()))
        while pending:
            yield statistics.after(finish(*pending.popleft()))


class PlannerStatistics:
    """Keeps PostgreSQL's planner statistics in step with a store that a run grows fast.

    Without statistics (a new store, autovacuum off or behind a bulk load) PostgreSQL plans every
    link pass as a scan of the whole table: per-file cost grows with the store (measured: a
    4,046-file generated system took 873 s, 76 ms a file at the end against 130 ms without
    statistics). So once the rows a run wrote reach half of what the statistics last saw (and at
    least :data:`MIN_ROWS`), the tables those files wrote are analysed before the next file —
    outside any file's transaction, a few times per run (the store doubles between analyses at
    most), never after a run's last file (autovacuum's part)."""

    MIN_ROWS = 5_000
    # What each count of an ingested file's outcome says was written.
    TABLES_BY_COUNT: ClassVar[dict[str, tuple[str, ...]]] = {
        "claim submissions": ("submission",),
        "claims": ("claim", "claim_version", "claim_line", "diagnosis", "patient"),
        "999 answers": ("ack_set",),
        "277CA statuses": ("claim_status",),
        "remit transactions": ("remit_transaction",),
        "claim payments": ("claim_payment", "service_line_payment", "adjustment"),
    }

    def __init__(self, store: Store) -> None:
        self.store = store
        self.enabled = store.backend == "postgresql"
        self.seen: int | None = None  # rows the statistics last saw (the three big tables)
        self.grown = 0
        self.written: set[str] = set()

    def after(self, outcome: FileOutcome) -> FileOutcome:
        if self.enabled and outcome.status == "ingested":
            self.grown += sum(outcome.counts.values())
            self.written |= {"inbound_file", "interchange"}
            for count, tables in self.TABLES_BY_COUNT.items():
                if outcome.counts.get(count):
                    self.written.update(tables)
        return outcome

    def before_next(self) -> None:
        if not self.enabled or not self.grown:
            return
        if self.seen is None:
            self.seen = self._estimated_rows()
        if self.grown >= max(self.MIN_ROWS, self.seen // 2):
            self._analyse()

    def _estimated_rows(self) -> int:
        with self.store.read() as conn:
            estimate = conn.execute(
                text(
                    "SELECT COALESCE(SUM(GREATEST(reltuples, 0)), 0) FROM pg_class "
                    "WHERE relname IN ('claim_version', 'claim_payment', 'claim_status') "
                    "AND relnamespace = current_schema()::regnamespace"
                )
            ).scalar_one()
        return int(estimate)

    def _analyse(self) -> None:
        tables = ", ".join(f'"{t}"' for t in sorted(self.written))
        try:
            with self.store.write() as conn:
                conn.execute(text(f"ANALYZE {tables}"))
        except Exception as exc:  # not the table owner: ingest still works, only slower
            log.info("could not analyse the store's tables (%s); leaving it to autovacuum", exc)
            self.enabled = False
            return
        self.seen = self._estimated_rows()
        self.grown = 0
        self.written = set()


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


def ingest_file(
    store: Store,
    path: Path,
    *,
    clock: Clock,
    source: str = "cli",
    keep_raw_max_bytes: int = 64 * 1024 * 1024,
    received_at: datetime | None = None,
) -> FileOutcome:
    return _land(
        store,
        _prepare_file(store, path),
        clock=clock,
        source=source,
        keep_raw_max_bytes=keep_raw_max_bytes,
        received_at=received_at,
    )


def ingest_bytes(
    store: Store,
    data: bytes,
    *,
    recorded_path: str,
    shown: str,
    clock: Clock,
    source: str = "cli",
    keep_raw_max_bytes: int = 64 * 1024 * 1024,
    received_at: datetime | None = None,
) -> FileOutcome:
    """Ingest one file's content; ``recorded_path`` is where the landed file is kept;
    ``received_at`` when it arrived (default: now)."""
    return _land(
        store,
        _prepare(store, _Prepared(shown, recorded_path, data=data)),
        clock=clock,
        source=source,
        keep_raw_max_bytes=keep_raw_max_bytes,
        received_at=received_at,
    )


def _prepare_file(store: Store, path: Path) -> _Prepared:
    prepared = _Prepared(str(path), str(path.resolve()))
    try:
        prepared.data = path.read_bytes()
    except OSError as exc:
        prepared.unreadable = f"cannot read the file: {exc.strerror}"
        return prepared
    return _prepare(store, prepared)


def _known(store: Store, sha: str):
    with store.read() as conn:
        return conn.execute(
            select(InboundFile.id, InboundFile.status, InboundFile.quarantine_reason).where(
                InboundFile.sha256 == sha
            )
        ).first()


def _prepare(store: Store, prepared: _Prepared) -> _Prepared:
    """Hash, look up, parse (what may run ahead of the writes, in a thread of its own)."""
    from rcmwatch.ingest.parse import parse_x12

    prepared.sha = hashlib.sha256(prepared.data).hexdigest()
    prepared.known = _known(store, prepared.sha)
    if prepared.known is not None:
        return prepared  # already in the store: not parsed again
    try:
        prepared.parsed = parse_x12(prepared.data)
    except InputError as exc:
        prepared.parse_error = _one_line(exc)
    except Exception as exc:  # a parser bug must not lose the file either
        log.debug("parser failed on %s", prepared.shown, exc_info=True)
        prepared.parse_error = f"could not be parsed: {_one_line(exc)}"
    return prepared


def _land(
    store: Store,
    prepared: _Prepared,
    *,
    clock: Clock,
    source: str,
    keep_raw_max_bytes: int,
    received_at: datetime | None,
) -> FileOutcome:
    """Skip, quarantine or write a prepared file, in file order."""
    shown, sha, data = prepared.shown, prepared.sha, prepared.data
    if prepared.unreadable is not None:
        return FileOutcome(shown, "unreadable", reason=prepared.unreadable)
    # Looked up again: a file earlier in this run may have landed the same content meanwhile.
    known = prepared.known or _known(store, sha)
    if known is not None:
        reason = f"already in the store as file #{known.id} ({known.status})"
        if known.status == "quarantined":
            reason += f": {known.quarantine_reason}"
        log.debug("%s: skipped: %s", shown, reason)  # callers report it (CLI line, run counts)
        return FileOutcome(shown, "skipped", sha256=sha, inbound_file_id=known.id, reason=reason)

    received_at = as_utc(received_at) if received_at is not None else clock.now()
    raw = data if len(data) <= keep_raw_max_bytes else None
    landing = {
        "sha256": sha,
        "path": prepared.recorded_path,
        "size_bytes": len(data),
        "received_at": received_at,
        "source": source,
        "content": raw,
    }
    if prepared.parse_error is not None:
        return _quarantine(store, shown, landing, prepared.parse_error)
    parsed = prepared.parsed

    from rcmwatch.ingest.writer import write_parsed

    try:
        with store.write() as conn:
            file_id = conn.execute(
                insert(InboundFile)
                .values(
                    **landing,
                    status="ingested",
                    file_kind=parsed.kind,
                    parsed_at=received_at,
                    is_test=parsed.is_test,
                    warnings=parsed.warnings[:1000],
                )
                .returning(InboundFile.id)
            ).scalar_one()
            result = write_parsed(conn, file_id=file_id, received_at=received_at, parsed=parsed)
    except IntegrityError as exc:
        if _sha_taken(store, sha):
            # Another process landed the same content meanwhile: that is a skip, not a failure.
            return FileOutcome(shown, "skipped", sha256=sha, reason="landed concurrently")
        return _quarantine(store, shown, landing, f"could not be stored: {_one_line(exc.orig)}")
    except Exception as exc:
        log.debug("storing %s failed", shown, exc_info=True)
        return _quarantine(store, shown, landing, f"could not be stored: {_one_line(exc)}")
    return FileOutcome(
        shown,
        "ingested",
        sha256=sha,
        inbound_file_id=file_id,
        counts=result.counts,
        warnings=parsed.warnings + result.warnings,
    )


def _sha_taken(store: Store, sha: str) -> bool:
    with store.read() as conn:
        return conn.scalar(select(InboundFile.id).where(InboundFile.sha256 == sha)) is not None


def _quarantine(store: Store, shown: str, landing: dict, reason: str) -> FileOutcome:
    reason = reason[:1000]
    try:
        with store.write() as conn:
            file_id = conn.execute(
                insert(InboundFile)
                .values(**landing, status="quarantined", quarantine_reason=reason)
                .returning(InboundFile.id)
            ).scalar_one()
    except IntegrityError:
        with store.write() as conn:
            file_id = conn.scalar(
                select(InboundFile.id).where(InboundFile.sha256 == landing["sha256"])
            )
            conn.execute(
                update(InboundFile)
                .where(InboundFile.id == file_id, InboundFile.status == "quarantined")
                .values(quarantine_reason=reason)
            )
    return FileOutcome(
        shown, "quarantined", sha256=landing["sha256"], inbound_file_id=file_id, reason=reason
    )


def retry_quarantined(store: Store, *, clock: Clock, source: str = "retry") -> list[FileOutcome]:
    """Parse quarantined files again (after a parser or reference fix), from their stored
    content, else from their recorded path."""
    with store.read() as conn:
        rows = conn.execute(
            select(InboundFile.id, InboundFile.path, InboundFile.content).where(
                InboundFile.status == "quarantined"
            )
        ).all()
    outcomes = []
    for row in rows:
        data = row.content
        if data is None:
            try:
                data = Path(row.path).read_bytes()
            except OSError as exc:
                outcomes.append(
                    FileOutcome(row.path, "unreadable", reason=f"cannot read: {exc.strerror}")
                )
                continue
        with store.write() as conn:
            conn.execute(InboundFile.__table__.delete().where(InboundFile.id == row.id))
        outcomes.append(
            ingest_bytes(
                store, data, recorded_path=row.path, shown=row.path, clock=clock, source=source
            )
        )
    return outcomes


def transfer_log_times(log: Path) -> Callable[[Path], datetime | None]:
    """Arrival times from a clearinghouse transfer log (CSV with ``file`` and
    ``transferred_at`` columns, e.g. the generator's ``clearinghouse/transfer_log.csv``), matched
    by file name."""
    import csv

    times: dict[str, datetime] = {}
    try:
        with log.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            if not {"file", "transferred_at"} <= set(reader.fieldnames or []):
                raise InputError(f"{log}: a transfer log needs 'file' and 'transferred_at' columns")
            for line, row in enumerate(reader, start=2):
                try:
                    times[Path(row["file"]).name] = as_utc(
                        datetime.fromisoformat(row["transferred_at"])
                    )
                except ValueError:
                    raise InputError(
                        f"{log}:{line}: transferred_at {row['transferred_at']!r} is not a time"
                    ) from None
    except OSError as exc:
        raise InputError(f"{log}: cannot read the transfer log: {exc.strerror}") from None
    return lambda path: times.get(path.name)


def file_mtime(path: Path) -> datetime | None:
    from datetime import UTC

    try:
        return datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError:
        return None
