"""The outside world the simulator writes into, through the channels a real one would use: the
clearinghouse's inbound folder (SFTP drops, mtime = arrival), the source systems' tables (the
engine's message log, the workflow system, the ERP) and the broker."""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from sample_data.source_tables import TABLE_BY_NAME, TABLES


def naive_utc(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(tzinfo=None) if at.tzinfo else at


def _epoch(at: datetime) -> float:
    return naive_utc(at).replace(tzinfo=UTC).timestamp()


class SourceTables:
    """Writes rows into the generated system's source databases (``sources/*.sqlite``)."""

    def __init__(self, system_dir: Path) -> None:
        self.dbs: dict[str, sqlite3.Connection] = {}
        for system in ("engine", "workflow", "erp"):
            path = Path(system_dir) / "sources" / f"{system}.sqlite"
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(path, timeout=30)
            db.execute("PRAGMA busy_timeout=30000")
            for t in TABLES:
                if t.system == system:
                    cols = ", ".join(
                        f"{c.name} {c.type}{' PRIMARY KEY' if i == 0 else ''}"
                        for i, c in enumerate(t.columns)
                    )
                    db.execute(f"CREATE TABLE IF NOT EXISTS {t.name} ({cols})")
            db.commit()
            self.dbs[system] = db
        self._ensure_request_table()

    def _ensure_request_table(self) -> None:
        from rcmwatch.simulator.requests import CREATE_REQUEST_TABLE

        self.dbs["workflow"].execute(CREATE_REQUEST_TABLE)
        self.dbs["workflow"].commit()

    def upsert(self, table: str, rows: list[dict]) -> None:
        t = TABLE_BY_NAME[table]
        cols = t.column_names
        marks = ", ".join("?" * len(cols))
        sql = f"INSERT OR REPLACE INTO {t.name} ({', '.join(cols)}) VALUES ({marks})"
        self.dbs[t.system].executemany(sql, [tuple(r.get(c) for c in cols) for r in rows])

    def row(self, table: str, key: str) -> dict | None:
        t = TABLE_BY_NAME[table]
        db = self.dbs[t.system]
        cur = db.execute(f"SELECT * FROM {t.name} WHERE {t.key} = ?", (key,))
        found = cur.fetchone()
        if found is None:
            return None
        return dict(zip([d[0] for d in cur.description], found, strict=True))

    def commit(self) -> None:
        for db in self.dbs.values():
            db.commit()

    def close(self) -> None:
        for db in self.dbs.values():
            db.close()


class Clearinghouse:
    """The SFTP folders: files land in ``inbound`` with their arrival time as mtime, and the
    transfer log gets a line; ``outbound`` is where the health system drops claims."""

    def __init__(self, system_dir: Path) -> None:
        self.root = Path(system_dir) / "clearinghouse"
        self.inbound = self.root / "inbound"
        self.outbound = self.root / "outbound"
        self.inbound.mkdir(parents=True, exist_ok=True)
        self.outbound.mkdir(parents=True, exist_ok=True)
        self.log = self.root / "transfer_log.csv"

    def drop(self, name: str, content: bytes, at: datetime, kind: str, claims: int = 0) -> Path:
        target = self.inbound / name
        tmp = self.inbound / f".{name}.part"
        tmp.write_bytes(content)
        os.utime(tmp, (_epoch(at), _epoch(at)))
        os.replace(tmp, target)  # atomic: a collector never sees half a file
        new_log = not self.log.exists()
        with self.log.open("a", encoding="ascii") as fh:
            if new_log:
                fh.write("file,direction,kind,transferred_at,entity,payer,transactions,claims\n")
            fh.write(
                f"clearinghouse/inbound/{name},inbound,{kind},{naive_utc(at).isoformat()},,,1,"
                f"{claims}\n"
            )
        return target


def load_json(payload: str) -> dict:
    return json.loads(payload)
