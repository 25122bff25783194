"""Warnings raised while parsing one file: structured, ordered and capped identically in every path.

A warning never stops parsing (fatal problems are :mod:`collectors.edi.errors`). Each warning has a
*kind* (``envelope``, ``separators``, ``encoding``, ``structure``, ``amount``, ``date``,
``composite``, ``balance``) and, when it is about one segment, that segment's 1-based number in the
file. :meth:`Diagnostics.rendered` lists file-level warnings first (in the order raised), then the
segment-level ones by segment number and text, at most :data:`MAX_PER_KIND` per kind, each capped
kind ending with a count of the rest — a file with a million bad amounts still gives a readable
report, and only the kept warnings are stored, so memory stays flat.

The kept set depends only on *which* warnings were raised, not on the order: the per-segment path
raises them in file order, the vectorised path per column, and both must render the same list.
"""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass, field

MAX_PER_KIND = 50


@dataclass
class Diagnostics:
    """Collects one file's warnings; shared by the tokenizer, the envelope and the flatteners."""

    _file_level: list[tuple[str, str]] = field(default_factory=list)
    # kind -> the MAX_PER_KIND smallest (segment, text) pairs raised so far, sorted.
    _kept: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    _counts: Counter[str] = field(default_factory=Counter)
    # key -> (segment, kind, text) of the earliest occurrence.
    _once: dict[str, tuple[int, str, str]] = field(default_factory=dict)
    _once_flushed: set[str] = field(default_factory=set)

    def warn(self, kind: str, text: str, segment: int | None = None) -> None:
        if segment is None:
            self._counts[kind] += 1
            if self._counts[kind] <= MAX_PER_KIND:
                self._file_level.append((kind, text))
            return
        self._counts[kind] += 1
        kept = self._kept.setdefault(kind, [])
        item = (segment, text)
        if len(kept) < MAX_PER_KIND:
            bisect.insort(kept, item)
        elif item < kept[-1]:
            bisect.insort(kept, item)
            kept.pop()

    def count_more(self, kind: str, count: int) -> None:
        """Count ``count`` further warnings of ``kind`` that are known not to be kept.

        For vectorised callers that pass only the earliest rows to :meth:`warn` (see
        :func:`collectors.edi.capping.capped`).
        """
        self._counts[kind] += count

    def warn_once(self, key: str, kind: str, text: str, segment: int) -> None:
        """Warn once per file for ``key``, about its earliest segment (in whatever order raised)."""
        if key in self._once_flushed:
            return
        seen = self._once.get(key)
        if seen is None or segment < seen[0]:
            self._once[key] = (segment, kind, text)

    def rebased(self, offset: int) -> Diagnostics:
        """A copy whose segment numbers are ``offset`` higher, in the numbers and in the texts.

        For warnings raised on a chunk numbered from 1 (a worker process cannot know how many
        segments came before). Every segment-level warning names its own segment as
        "segment N" last among its numbers-with-that-word, so the last occurrence is rewritten.
        """
        out = Diagnostics()
        out._file_level = list(self._file_level)
        out._counts = Counter(self._counts)

        def shift(segment: int, text: str) -> tuple[int, str]:
            old, new = f"segment {segment}", f"segment {segment + offset}"
            at = text.rfind(old)
            return segment + offset, text[:at] + new + text[at + len(old) :] if at >= 0 else text

        out._kept = {kind: [shift(s, t) for s, t in kept] for kind, kept in self._kept.items()}
        for key, (segment, kind, text) in self._once.items():
            shifted_segment, shifted_text = shift(segment, text)
            out._once[key] = (shifted_segment, kind, shifted_text)
        return out

    def merge(self, other: Diagnostics) -> None:
        """Fold in the warnings of a batch handled apart (another thread); order-independent."""
        replayed: Counter[str] = Counter()
        for kind, text in other._file_level:
            self.warn(kind, text)
            replayed[kind] += 1
        for kind, kept in other._kept.items():
            for segment, text in kept:
                self.warn(kind, text, segment)
                replayed[kind] += 1
        for kind, total in other._counts.items():
            # Warnings the other one counted but did not keep could not be kept here either.
            self._counts[kind] += total - replayed[kind]
        for key, (segment, kind, text) in other._once.items():
            self.warn_once(key, kind, text, segment)

    def count(self, kind: str | None = None) -> int:
        self._flush_once()
        return self._counts[kind] if kind else sum(self._counts.values())

    def rendered(self) -> list[str]:
        self._flush_once()
        lines = [text for _, text in self._file_level]
        merged = sorted(item for kept in self._kept.values() for item in kept)
        lines += [text for _, text in merged]
        for kind, total in sorted(self._counts.items()):
            if total > MAX_PER_KIND:
                lines.append(f"... and {total - MAX_PER_KIND} more {kind} warnings")
        return lines

    def _flush_once(self) -> None:
        for key, (segment, kind, text) in self._once.items():
            self.warn(kind, text, segment)
            self._once_flushed.add(key)
        self._once.clear()
