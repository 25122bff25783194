"""What happened to one file."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Status = Literal["ingested", "skipped", "quarantined", "unreadable"]


@dataclass
class FileOutcome:
    path: str
    status: Status
    sha256: str | None = None
    inbound_file_id: int | None = None
    reason: str | None = None  # why skipped / quarantined / unreadable: one line
    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.status in ("quarantined", "unreadable")

    def line(self) -> str:
        if self.status == "ingested":
            what = ", ".join(f"{v} {k}" for k, v in self.counts.items() if v) or "nothing"
            extra = f"; {len(self.warnings)} warnings" if self.warnings else ""
            return f"{self.path}: ingested ({what}{extra})"
        return f"{self.path}: {self.status}: {self.reason}"
