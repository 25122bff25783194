"""Read an X12 byte stream as chunks of whole transactions: memory follows one chunk, not the file.

A chunk is cut right before an ``ST`` (or an ``ISA``) that starts a segment, once about
``chunk_bytes`` have been read; a single transaction larger than that grows its chunk (memory then
follows that one ST loop). A chunk spans several interchanges only when they share separators, so
each carries one set of :class:`~collectors.edi.delimiters.Delimiters`, re-read from every ISA.

Bytes in: a UTF-8 byte-order mark at the start is dropped; each chunk is handed on as valid UTF-8 —
kept as is when it already is (ASCII included), otherwise decoded as Windows-1252 (bytes it leaves
undefined as Latin-1, so decoding never fails) with one warning per file. Both the per-segment and
the vectorised tokenizer consume these chunks, so they see the same text.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from collectors.edi.delimiters import BLANKS, Delimiters, sniff_isa, sniff_st
from collectors.edi.diagnostics import Diagnostics
from collectors.edi.errors import NotX12

DEFAULT_CHUNK_BYTES = 4 << 20
UTF8_BOM = b"\xef\xbb\xbf"
_MIN_LOOKAHEAD = 512  # enough bytes to read any ISA's separators


def _latin1_fallback(err: UnicodeDecodeError) -> tuple[str, int]:
    return err.object[err.start : err.end].decode("latin-1"), err.end


codecs.register_error("rcmwatch-latin1", _latin1_fallback)


@dataclass(frozen=True)
class Chunk:
    """Whole segments (whole transactions unless the file is broken), as UTF-8 bytes."""

    data: bytes
    delimiters: Delimiters
    ordinal: int  # 0-based position of the chunk in the file


class ChunkReader:
    """Iterate over a binary stream's chunks; see the module docstring."""

    def __init__(
        self,
        stream: BinaryIO,
        diagnostics: Diagnostics,
        *,
        chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    ) -> None:
        self._stream = stream
        self._diagnostics = diagnostics
        self._chunk_bytes = max(1, chunk_bytes)
        self._buf = b""
        self._eof = False
        self._warned_encoding = False
        self.has_isa = False
        self._isas = 0

    def _fill(self, size: int) -> None:
        while not self._eof and len(self._buf) < size:
            more = self._stream.read(max(self._chunk_bytes, _MIN_LOOKAHEAD))
            if not more:
                self._eof = True
            else:
                self._buf += more

    def _start(self) -> Delimiters:
        self._fill(_MIN_LOOKAHEAD)
        if self._buf.startswith(UTF8_BOM):
            self._buf = self._buf[len(UTF8_BOM) :]
        while True:
            stripped = self._buf.lstrip(BLANKS)
            if stripped or self._eof:
                break
            self._buf = b""
            self._fill(_MIN_LOOKAHEAD)
        self._buf = stripped
        self._fill(_MIN_LOOKAHEAD)
        if not self._buf:
            raise NotX12("not X12: the file is empty")
        if self._buf.startswith(b"ISA"):
            self.has_isa = True
            self._isas = 1
            return sniff_isa(self._buf, 0, self._diagnostics, at_eof=self._eof, interchange=1)
        if self._buf.startswith(b"ST") and len(self._buf) > 2 and not self._buf[2:3].isalnum():
            return sniff_st(self._buf, 0, self._diagnostics, at_eof=self._eof)
        preview = self._buf[:24].decode("utf-8", errors="replace")
        raise NotX12(f"not X12: the file does not start with ISA or ST (it starts {preview!r})")

    def __iter__(self) -> Iterator[Chunk]:
        delimiters = self._start()
        ordinal = 0
        while self._buf:
            cut = self._find_cut(delimiters)
            data, self._buf = self._buf[:cut], self._buf[cut:]
            yield Chunk(self._as_utf8(data), delimiters, ordinal)
            ordinal += 1
            if self._buf:
                self._fill(_MIN_LOOKAHEAD)
                head = self._buf.lstrip(BLANKS)
                if head.startswith(b"ISA"):
                    # Every ISA starts a chunk, so counting them here numbers interchanges.
                    self._buf = head
                    self._isas += 1
                    delimiters = sniff_isa(
                        self._buf, 0, self._diagnostics, at_eof=self._eof, interchange=self._isas
                    )

    def _find_cut(self, delimiters: Delimiters) -> int:
        """Offset of the next cut: before an ISA with other separators or the last ST at a segment
        start, or the end. Interchanges with the same separators share a chunk: a batch download
        of thousands of small interchanges would otherwise cost a whole chunk's work each."""
        term = ord(delimiters.segment)
        st = b"ST" + delimiters.element.encode()
        limit = self._chunk_bytes
        start = 1
        # The ISAs inside the chunk found on the way: counting them needs no second scan of the
        # chunk (a 4 MB scan for a tag that is usually absent costs as much as the cut itself).
        inside: list[int] = []
        while True:
            self._fill(limit)
            end = min(limit, len(self._buf))
            isa = self._next_segment_start(b"ISA", term, start, end)
            while isa is not None and self._same_separators(isa, delimiters):
                inside.append(isa)
                start = isa + 3
                isa = self._next_segment_start(b"ISA", term, start, end)
            if isa is not None:
                return self._count_interchanges(isa, inside)
            # No other ISA before ``end``: those inside any cut up to ``end`` are in ``inside``.
            if self._eof and len(self._buf) <= limit:
                return self._count_interchanges(len(self._buf), inside)  # the rest fits
            last_st = self._last_segment_start(st, term, 1, end)
            if last_st is not None:
                return self._count_interchanges(last_st, inside)
            if self._eof and end >= len(self._buf):
                return self._count_interchanges(len(self._buf), inside)
            limit += self._chunk_bytes

    def _same_separators(self, isa: int, delimiters: Delimiters) -> bool:
        self._fill(isa + _MIN_LOOKAHEAD)
        try:  # a look only: its warnings are given when the ISA is counted
            look = sniff_isa(self._buf, isa, Diagnostics(), at_eof=self._eof, interchange=0)
            return look == delimiters
        except Exception:
            return False  # a broken ISA starts a chunk of its own and fails there

    def _count_interchanges(self, cut: int, inside: list[int]) -> int:
        """Number (and check) the ISAs ``inside`` the chunk ending at ``cut``; returns ``cut``."""
        for isa in inside:
            if isa < cut:
                self._isas += 1
                sniff_isa(
                    self._buf, isa, self._diagnostics, at_eof=self._eof, interchange=self._isas
                )
        return cut

    def _at_segment_start(self, pos: int, term: int) -> bool:
        k = pos - 1
        while k >= 0 and self._buf[k] in BLANKS and self._buf[k] != term:
            k -= 1
        return k >= 0 and self._buf[k] == term

    def _next_segment_start(self, tag: bytes, term: int, start: int, end: int) -> int | None:
        pos = self._buf.find(tag, start, end)
        while pos >= 0:
            if self._at_segment_start(pos, term):
                return pos
            pos = self._buf.find(tag, pos + 1, end)
        return None

    def _last_segment_start(self, tag: bytes, term: int, start: int, end: int) -> int | None:
        pos = self._buf.rfind(tag, start, end)
        while pos >= 0:
            if self._at_segment_start(pos, term):
                return pos
            pos = self._buf.rfind(tag, start, pos)
        return None

    def _as_utf8(self, data: bytes) -> bytes:
        if data.isascii():
            return data
        try:
            data.decode("utf-8")
            return data
        except UnicodeDecodeError:
            if not self._warned_encoding:
                self._warned_encoding = True
                self._diagnostics.warn(
                    "encoding",
                    "the file is not UTF-8: decoded as Windows-1252 (undefined bytes as Latin-1)",
                )
            return data.decode("cp1252", errors="rcmwatch-latin1").encode("utf-8")


Source = BinaryIO | str | Path


@contextmanager
def opened(source: Source) -> Iterator[BinaryIO]:
    """A path is opened (and closed) here; a stream is the caller's to close."""
    if isinstance(source, str | Path):
        with open(source, "rb") as handle:
            yield handle
    else:
        yield source
