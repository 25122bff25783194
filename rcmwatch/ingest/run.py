"""Ingest files: land, parse, write in one transaction per file, link, or quarantine.

- Content already in the store (same SHA-256) changes no row at all: no landing row, no warning,
  no audit row — the outcome says it was skipped.
- Parsing happens outside the write transaction (it is the slow, CPU-bound part).
- Everything a file produces is written in one transaction: a failure (or a kill) leaves no
  partial rows. The file is then quarantined — kept, raw, with a one-line reason — in a
  transaction of its own, and the next file is processed.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path

from sqlalchemy import insert, select, update
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


def ingest_paths(
    store: Store,
    paths: Iterable[str | Path],
    *,
    clock: Clock,
    source: str = "cli",
    keep_raw_max_bytes: int = 64 * 1024 * 1024,
    received_at_of: Callable[[Path], datetime | None] | None = None,
) -> Iterator[FileOutcome]:
    """``received_at_of``: when each file really arrived (a transfer log, its mtime); None or a
    None answer means now, the landing time."""
    for path in expand_paths(paths):
        yield ingest_file(
            store,
            path,
            clock=clock,
            source=source,
            keep_raw_max_bytes=keep_raw_max_bytes,
            received_at=received_at_of(path) if received_at_of else None,
        )


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
    try:
        data = path.read_bytes()
    except OSError as exc:
        return FileOutcome(str(path), "unreadable", reason=f"cannot read the file: {exc.strerror}")
    return ingest_bytes(
        store,
        data,
        recorded_path=str(path.resolve()),
        shown=str(path),
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
    sha = hashlib.sha256(data).hexdigest()
    with store.read() as conn:
        known = conn.execute(
            select(InboundFile.id, InboundFile.status, InboundFile.quarantine_reason).where(
                InboundFile.sha256 == sha
            )
        ).first()
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
        "path": recorded_path,
        "size_bytes": len(data),
        "received_at": received_at,
        "source": source,
        "content": raw,
    }
    from rcmwatch.ingest.parse import parse_x12

    try:
        parsed = parse_x12(data)
    except InputError as exc:
        return _quarantine(store, shown, landing, _one_line(exc))
    except Exception as exc:  # a parser bug must not lose the file either
        log.debug("parser failed on %s", shown, exc_info=True)
        return _quarantine(store, shown, landing, f"could not be parsed: {_one_line(exc)}")

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
