"""The EDI inbound folder: files the clearinghouse lands (SFTP) are ingested, then moved — to
``archive/YYYY/MM/DD/`` when ingested or already in the store, to ``quarantine/`` with a
``<name>.reason.txt`` beside them when they fail. Nothing is ever deleted.

A file is taken only once it is complete: names ending in ``.part``/``.tmp``/``.filepart`` and
hidden files are ignored, and a file whose size or modification time changed within
``settle_seconds`` (wall clock) is left for the next run. Ingest itself (landing with SHA-256,
parsing, linking) is :func:`rcmwatch.ingest.run.ingest_file`; a file moved after a crash between
ingest and move is simply skipped by content on the next run, then archived.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from collectors.base import RunContext
from collectors.errors import SourceUnavailable
from collectors.retry import RetryPolicy

log = logging.getLogger("rcmwatch.collect.edi")

PARTIAL_SUFFIXES = (".part", ".tmp", ".filepart", ".partial", ".swp")


def _default_ingest(store, path: Path, *, clock, source: str):
    from rcmwatch.ingest.run import file_mtime, ingest_file

    # Landing time = when the file arrived in the folder (its mtime, as SFTP sets it), not when
    # this poll noticed it — posting latency is measured from it. Never in the future.
    arrived = file_mtime(path)
    now = clock.now()
    received_at = min(arrived, now) if arrived is not None else now
    return ingest_file(store, path, clock=clock, source=source, received_at=received_at)


class EdiFolderCollector:
    kind = "edi_folder"
    full_scan_seconds = None

    def __init__(
        self,
        name: str,
        inbound: Path,
        *,
        archive: Path,
        quarantine: Path,
        cadence_seconds: int = 60,
        retry: RetryPolicy | None = None,
        settle_seconds: int = 5,
        batch_files: int = 500,
        ingest: Callable | None = None,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.name = name
        self.inbound = Path(inbound)
        self.archive = Path(archive)
        self.quarantine_dir = Path(quarantine)
        self.cadence_seconds = cadence_seconds
        self.retry = retry or RetryPolicy()
        self.settle_seconds = settle_seconds
        self.batch_files = batch_files
        self.ingest = ingest or _default_ingest
        self.wall_clock = wall_clock

    def close(self) -> None:
        return None

    def ready_files(self) -> tuple[list[Path], int]:
        """Complete files waiting in the inbound folder (oldest first), and how many were left
        because they are still being written."""
        if not self.inbound.is_dir():
            raise SourceUnavailable(f"{self.name}: inbound folder {self.inbound} does not exist")
        now = self.wall_clock()
        ready, settling = [], 0
        try:
            entries = list(os.scandir(self.inbound))
        except OSError as exc:
            raise SourceUnavailable(
                f"{self.name}: cannot list {self.inbound}: {exc.strerror}"
            ) from None
        for entry in entries:
            name = entry.name
            if name.startswith(".") or name.lower().endswith(PARTIAL_SUFFIXES):
                continue
            if not entry.is_file(follow_symlinks=False):
                continue
            st = entry.stat(follow_symlinks=False)
            # settle_seconds = 0: files land atomically (renamed into place), none is "still
            # being written" — even one whose mtime (its arrival) is ahead of the wall clock, as
            # the simulator's are when its clock runs ahead.
            if self.settle_seconds and now - st.st_mtime < self.settle_seconds:
                settling += 1
                continue
            ready.append((st.st_mtime, name, Path(entry.path), st.st_size))
        ready.sort()
        return [p for _, _, p, _ in ready], settling

    def collect(self, run: RunContext) -> None:
        files, settling = self.ready_files()
        if settling:
            run.stats.notice(f"{settling} file(s) still being written, left for the next run")
        for path in files[: self.batch_files]:
            self._take(run, path)
        if len(files) > self.batch_files:
            run.stats.notice(f"{len(files) - self.batch_files} more file(s) for the next run")

    def _take(self, run: RunContext, path: Path) -> None:
        try:
            size_before = path.stat().st_size
        except FileNotFoundError:
            return  # taken by someone else meanwhile
        run.stats.rows_read += 1
        mtime = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        try:
            outcome = self.ingest(run.store, path, clock=run.clock, source=self.name)
            status, reason = outcome.status, outcome.reason
        except Exception as exc:  # ingest must never lose the file: keep it, say why
            log.warning("%s: ingest of %s failed: %s: %s", self.name, path, type(exc).__name__, exc)
            status, reason = "quarantined", f"ingest failed: {type(exc).__name__}: {exc}"
        if path.exists() and path.stat().st_size != size_before:
            # Still growing after all: leave it, the next run ingests the complete content.
            run.stats.notice(f"{path.name} changed while being read; left for the next run")
            return
        run.stats.saw(mtime)
        if status in ("ingested", "skipped"):
            run.stats.rows_written += status == "ingested"
            day = run.now().strftime("%Y/%m/%d")
            _move(path, self.archive / day)
        else:
            run.stats.rows_quarantined += 1
            target = _move(path, self.quarantine_dir)
            reason_line = " ".join(str(reason or status).split())
            target.with_name(target.name + ".reason.txt").write_text(reason_line + "\n")


def _move(path: Path, folder: Path) -> Path:
    """Move ``path`` into ``folder`` without overwriting anything there."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    n = 1
    while target.exists():
        target = folder / f"{path.stem}.{n}{path.suffix}"
        n += 1
    try:
        os.replace(path, target)
    except OSError:
        shutil.move(str(path), str(target))  # another file system: copy, then remove
    return target
