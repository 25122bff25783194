"""The per-segment streaming tokenizer: one :class:`Segment` at a time, in file order.

This is the simple, obviously-correct path: the 999/277CA flatteners and small files use it, and the
tests hold the vectorised tokenizer (:mod:`collectors.edi.segment_frames`) to its output. Usage::

    reader = SegmentReader.open(path)          # or SegmentReader(binary_stream)
    for seg in reader:                         # raises NotX12 / TruncatedX12 (one line each)
        if seg.tag == "CLP":
            pcn, status = seg.element(1), seg.element(2)
            qualifier, code, *modifiers = seg.composite(1)   # SVC01-style composites
    reader.envelope.transactions               # ST/SE records with their control numbers
    reader.diagnostics.rendered()              # warnings, capped and ordered

Segments are numbered from 1 in file order, empty segments (a doubled terminator, blank lines)
skipped; blanks around each segment are trimmed. ``transaction_index`` is the 0-based ordinal of the
enclosing ST (every transaction set counts), ``None`` outside ST..SE.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from collectors.edi.chunks import DEFAULT_CHUNK_BYTES, ChunkReader, opened
from collectors.edi.composites import split_composite
from collectors.edi.delimiters import Delimiters
from collectors.edi.diagnostics import Diagnostics
from collectors.edi.envelope import ENVELOPE_TAGS, EnvelopeTracker

_BLANKS = " \t\r\n"


@dataclass(frozen=True, slots=True)
class Segment:
    number: int
    elements: tuple[str, ...]  # elements[0] is the tag, so element(1) is e.g. CLP01
    delimiters: Delimiters
    interchange_index: int | None
    group_index: int | None
    transaction_index: int | None

    @property
    def tag(self) -> str:
        return self.elements[0]

    def element(self, index: int) -> str:
        """Element ``index`` (X12 numbering) with blanks trimmed; ``""`` when absent."""
        if index < len(self.elements):
            return self.elements[index].strip(_BLANKS)
        return ""

    def composite(self, index: int) -> list[str]:
        """Components of element ``index`` (see :mod:`collectors.edi.composites`)."""
        value = self.element(index)
        return split_composite(value, self.delimiters.component)[0] if value else []


class SegmentReader:
    """Iterate over a file's segments, tracking its envelope; see the module docstring."""

    def __init__(
        self, source: BinaryIO | str | Path, *, chunk_bytes: int = DEFAULT_CHUNK_BYTES
    ) -> None:
        """``source``: a binary stream (the caller closes it) or a path (opened while iterating)."""
        self.diagnostics = Diagnostics()
        self.envelope = EnvelopeTracker(self.diagnostics)
        self._source = source
        self._chunk_bytes = chunk_bytes

    @classmethod
    def open(cls, path: str | Path, *, chunk_bytes: int = DEFAULT_CHUNK_BYTES) -> SegmentReader:
        return cls(path, chunk_bytes=chunk_bytes)

    def __iter__(self) -> Iterator[Segment]:
        with opened(self._source) as stream:
            yield from self._segments(stream)
        self.envelope.finish()

    def _segments(self, stream: BinaryIO) -> Iterator[Segment]:
        envelope = self.envelope
        number = 0
        for chunk in ChunkReader(stream, self.diagnostics, chunk_bytes=self._chunk_bytes):
            delimiters = chunk.delimiters
            blanks = delimiters.blanks()
            text = chunk.data.decode("utf-8")
            for raw in text.split(delimiters.segment):
                body = raw.strip(blanks)
                if not body:
                    continue
                number += 1
                elements = tuple(body.split(delimiters.element))
                tag = elements[0]
                if tag in ENVELOPE_TAGS:
                    closing = envelope.open_transaction if tag == "SE" else None
                    envelope.observe(number, tag, elements)
                    current = closing if tag == "SE" else envelope.open_transaction
                else:
                    current = envelope.open_transaction
                    if current is None:
                        envelope.observe_strays(1, number, tag)
                isa = envelope.interchanges[-1].index if envelope.interchanges else None
                gs = envelope.groups[-1].index if envelope.groups else None
                yield Segment(
                    number,
                    elements,
                    delimiters,
                    isa,
                    gs,
                    current.index if current is not None else None,
                )
