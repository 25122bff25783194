"""The base of the 837, 999 and 277CA frame containers (the 835 has its own, RemittanceFrames).

A container is a dataclass whose fields are Polars frames; its ``SCHEMAS`` class attribute gives
each frame's columns (from the kind's layout module). Batches are flattened apart, so their
``*_index`` columns start at 0; :meth:`FrameSet.offset` shifts them by the counts of the batches
before, and :meth:`FrameSet.concat` stacks the batches of a file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields
from typing import ClassVar, Self

import polars as pl


class FrameSet:
    """Frames of one kind of transaction set; subclasses are dataclasses of ``pl.DataFrame``."""

    SCHEMAS: ClassVar[dict[str, dict[str, pl.DataType]]]

    @classmethod
    def empty(cls) -> Self:
        return cls(**{name: pl.DataFrame(schema=schema) for name, schema in cls.SCHEMAS.items()})

    @classmethod
    def concat(cls, parts: Iterable[Self]) -> Self:
        parts = list(parts)
        if not parts:
            return cls.empty()
        if len(parts) == 1:
            return parts[0]
        return cls(
            **{
                f.name: pl.concat([getattr(p, f.name) for p in parts], how="vertical")
                for f in fields(cls)  # type: ignore[arg-type]
            }
        )

    def items(self) -> list[tuple[str, pl.DataFrame]]:
        return [(f.name, getattr(self, f.name)) for f in fields(self)]  # type: ignore[arg-type]

    def offset(self, shifts: dict[str, int]) -> Self:
        """Add ``shifts[column]`` to that index column in every frame that has it."""
        shifts = {column: n for column, n in shifts.items() if n}
        if not shifts:
            return self
        out = {}
        for name, frame in self.items():
            columns = [pl.col(c) + n for c, n in shifts.items() if c in frame.columns]
            out[name] = frame.with_columns(columns) if columns else frame
        return type(self)(**out)
