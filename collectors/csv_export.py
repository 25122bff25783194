"""ERP CSV exports: full snapshots (one file per table, with a header line), each diffed against
the previous one so that exactly the new and changed rows are upserted and the rows gone from
the export are closed (``removed_at_source``).

The previous snapshot lives in the store (``source_snapshot_row``: key and a hash of the row's
text) and is updated in the same transaction as the rows of each batch, so a crash mid-file
resumes where it stopped. An export whose size and modification time match the last one taken is
not read at all; one modified within ``settle_seconds`` is left for the next run (still being
written). The mapping is the SQL collector's: ``source_table`` names the file (``.csv`` added
when it has no suffix); columns are read as text, empty = null.
"""

from __future__ import annotations

import csv
import hashlib
import json
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import delete, select

from collectors import state
from collectors.base import RunContext
from collectors.errors import SchemaDrift, SourceUnavailable
from collectors.mapping import SourceMapping, TableMap
from collectors.retry import RetryPolicy
from collectors.sink import Resolver, RowConverter, close_removed, write_batch
from rcmwatch.store import bulk
from rcmwatch.store.models import SourceSnapshotRow

csv.field_size_limit(16 * 1024 * 1024)


class CsvExportCollector:
    kind = "csv"
    full_scan_seconds = None  # every run compares the whole snapshot

    def __init__(
        self,
        name: str,
        folder: Path,
        mapping: SourceMapping,
        *,
        cadence_seconds: int = 3600,
        retry: RetryPolicy | None = None,
        record_source: str | None = None,
        settle_seconds: int = 5,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.name = name
        self.folder = Path(folder)
        self.mapping = mapping
        self.cadence_seconds = cadence_seconds
        self.retry = retry or RetryPolicy()
        self.record_source = record_source or name
        self.settle_seconds = settle_seconds
        self.wall_clock = wall_clock

    def close(self) -> None:
        return None

    def file_of(self, tm: TableMap) -> Path:
        name = tm.source_table if Path(tm.source_table).suffix else f"{tm.source_table}.csv"
        return self.folder / name

    def collect(self, run: RunContext) -> None:
        if not self.folder.is_dir():
            raise SourceUnavailable(f"{self.name}: export folder {self.folder} does not exist")
        resolver = Resolver()
        for tm in self.mapping.tables:
            self._collect_file(run, tm, resolver)
        resolver.report(run.stats)

    def _collect_file(self, run: RunContext, tm: TableMap, resolver: Resolver) -> None:
        path = self.file_of(tm)
        try:
            st = path.stat()
        except FileNotFoundError:
            raise SourceUnavailable(f"{self.name}: export {path} is missing") from None
        if self.wall_clock() - st.st_mtime < self.settle_seconds:
            run.stats.notice(f"{path.name} is still being written; left for the next run")
            return
        signature = json.dumps({"size": st.st_size, "mtime_ns": st.st_mtime_ns})
        with run.store.read() as conn:
            taken, _ = state.get_cursor(conn, self.name, tm.stream)
        if taken == signature:
            return
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if header is None:
                raise SchemaDrift(f"{self.name}: export {path.name} is empty (no header line)")
            header = [h.strip() for h in header]
            missing = [c for c in tm.source_columns if c not in header]
            if missing:
                raise SchemaDrift(
                    f"{self.name}: export {path.name} has no column(s) {', '.join(missing)} "
                    f"(mapping {self.mapping.path}, stream {tm.stream})"
                )
            current: dict[str, tuple[str, dict]] = {}
            duplicates: list[tuple[str | None, str, dict]] = []
            key_at = header.index(tm.key)
            for line, values in enumerate(reader, start=2):
                if not values:
                    continue
                row = dict(zip(header, values, strict=False))
                if len(values) != len(header):
                    duplicates.append((row.get(tm.key), f"line {line}: {len(values)} fields, "
                                       f"header has {len(header)}", row))  # fmt: skip
                    continue
                key = values[key_at].strip()
                digest = hashlib.md5("\x1f".join(values).encode(), usedforsecurity=False)
                if key in current:
                    duplicates.append((key, f"line {line}: key {key} repeated in the export",
                                       current[key][1]))  # fmt: skip
                current[key] = (digest.hexdigest(), row)
        with run.store.read() as conn:
            previous = dict(
                conn.execute(
                    select(SourceSnapshotRow.source_key, SourceSnapshotRow.row_hash).where(
                        SourceSnapshotRow.source == self.name,
                        SourceSnapshotRow.stream == tm.stream,
                    )
                ).all()
            )
        changed = [k for k, (h, _) in current.items() if previous.get(k) != h]
        gone = sorted(previous.keys() - current.keys())
        if duplicates:
            with run.store.write() as conn:
                run.quarantine(conn, tm.stream, duplicates)
        converter = RowConverter(tm)
        for i in range(0, len(changed), tm.batch_size):
            keys = changed[i : i + tm.batch_size]
            batch = converter.convert(current[k][1] for k in keys if k)
            run.stats.rows_read += len(keys)
            run.stats.saw(batch.newest)
            blank = [current[k][1] for k in keys if not k]
            with run.store.write() as conn:
                written, taken_keys, refused = write_batch(
                    conn, tm, self.record_source, batch, resolver
                )
                run.stats.rows_written += written
                run.quarantine(
                    conn, tm.stream, batch.refused + refused + [(None, f"missing key {tm.key}",
                                                                 r) for r in blank]
                )  # fmt: skip
                self._remember(conn, tm, {k: current[k][0] for k in taken_keys})
        if gone:
            with run.store.write() as conn:
                closed = close_removed(conn, tm.table, self.record_source, gone, run.now())
                for j in range(0, len(gone), 500):
                    conn.execute(
                        delete(SourceSnapshotRow).where(
                            SourceSnapshotRow.source == self.name,
                            SourceSnapshotRow.stream == tm.stream,
                            SourceSnapshotRow.source_key.in_(gone[j : j + 500]),
                        )
                    )
            run.stats.notice(f"{tm.stream}: {closed} rows removed from the export")
        with run.store.write() as conn:
            state.set_cursor(conn, self.name, tm.stream, run.now(), watermark=signature)
        run.stats.watermark = path.name

    def _remember(self, conn, tm: TableMap, hashes: dict[str, str]) -> None:
        if not hashes:
            return
        import polars as pl

        frame = pl.DataFrame(
            {
                "source": [self.name] * len(hashes),
                "stream": [tm.stream] * len(hashes),
                "source_key": list(hashes),
                "row_hash": list(hashes.values()),
            }
        )
        bulk.upsert_frame(
            conn, SourceSnapshotRow.__table__, frame, ["source", "stream", "source_key"]
        )
