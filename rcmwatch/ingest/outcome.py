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
            what = ", ".join(_counted(v, k) for k, v in self.counts.items() if v) or "nothing"
            extra = f"; {_counted(len(self.warnings), 'warnings')}" if self.warnings else ""
            return f"{self.path}: ingested ({what}{extra})"
        return f"{self.path}: {self.status}: {self.reason}"


def _counted(n: int, plural: str) -> str:
    """``1 claim``, ``2 claims``, ``1 277CA status`` — counts are named in the plural."""
    if n != 1:
        return f"{n:,} {plural}"
    singular = plural[:-2] if plural.endswith("ses") else plural.removesuffix("s")
    return f"1 {singular}"
