"""The four X12 separators, read from the ISA by position (or from the ST when there is no ISA).

ISA rule: the element separator is the 4th byte; ISA11 is the repetition separator unless it is a
letter or digit (4010's ``U``); ISA16 is the component separator; the segment terminator is the byte
after ISA16. The 16 elements are found by counting element separators rather than by fixed offsets,
so an ISA whose padded fields were trimmed still parses (with a warning that it is not 106 bytes).

Line breaks after the terminator are skipped. When the byte after ISA16 is itself a line break (or a
space), two cases exist in real files:

- the next non-blank byte starts a segment (a letter): the file is *newline-terminated*, the
  terminator is ``\\n`` (a ``\\r`` before it is trimmed as blank, so CRLF and LF files both work);
- the next non-blank byte is punctuation (TigerShark's ``...|^\\n~GS|...``): that byte is the
  terminator and the line break is padding; warned about.

A file without ISA (an ST at the start) takes its element separator from the byte after ``ST`` and
its terminator from the first byte after that which is neither a letter, a digit nor the element
separator (same blank rule); the component separator is then assumed ``:`` (composites using
another one are still split, see :mod:`collectors.edi.composites`). Separators must be ASCII.
"""

from __future__ import annotations

from dataclasses import dataclass

from collectors.edi.diagnostics import Diagnostics
from collectors.edi.errors import NotX12, TruncatedX12

BLANKS = b" \t\r\n"
ISA_LENGTH = 106  # the fixed length of a standard ISA, terminator included
_ISA_SCAN = 400  # how far a non-standard (trimmed or padded) ISA may stretch
_ST_SCAN = 80


@dataclass(frozen=True)
class Delimiters:
    element: str
    component: str
    repetition: str | None
    segment: str

    def describe(self) -> str:
        rep = self.repetition if self.repetition is not None else "none"
        return (
            f"element {self.element!r}, component {self.component!r}, repetition {rep!r}, "
            f"segment {self.segment!r}"
        )

    def blanks(self) -> str:
        """Blank characters trimmed around segments: those that are not separators here."""
        used = {self.element, self.component, self.segment, self.repetition}
        return "".join(ch for ch in " \t\r\n" if ch not in used)


def _is_alnum(byte: int) -> bool:
    return 48 <= byte <= 57 or 65 <= byte <= 90 or 97 <= byte <= 122


def _show(byte: int) -> str:
    return repr(chr(byte)) if 32 < byte < 127 else f"0x{byte:02X}"


def _usable(byte: int, what: str, where: str) -> None:
    if byte >= 0x80:
        raise NotX12(f"{where}: the {what} byte {_show(byte)} is not ASCII (unsupported)")
    if _is_alnum(byte) or byte in BLANKS:
        raise NotX12(f"{where}: the {what} {_show(byte)} is a letter, digit or blank")


def _terminator_after(
    buf: bytes, pos: int, element: int, where: str, diagnostics: Diagnostics, at_eof: bool
) -> int:
    """The segment terminator given the byte at ``pos`` (right after ISA16 or the ST id)."""
    if pos >= len(buf):
        if at_eof:
            raise TruncatedX12(f"truncated: the file ends inside the {where}")
        raise NotX12(f"{where}: no segment terminator")
    byte = buf[pos]
    if byte in BLANKS:
        nxt = pos
        while nxt < len(buf) and buf[nxt] in BLANKS:
            nxt += 1
        follower = buf[nxt] if nxt < len(buf) else None
        if follower is not None and not _is_alnum(follower) and follower != element:
            _usable(follower, "segment terminator", where)
            diagnostics.warn(
                "separators",
                f"{where} is followed by a line break and then {_show(follower)}: "
                f"{_show(follower)} is taken as the segment terminator",
            )
            return follower
        if byte in b"\r\n":
            return ord("\n") if byte == ord("\n") or buf[pos + 1 : pos + 2] == b"\n" else byte
        raise NotX12(f"{where}: a blank where the segment terminator should be")
    if byte == element:
        raise NotX12(f"{where}: the segment terminator equals the element separator")
    _usable(byte, "segment terminator", where)
    return byte


def sniff_isa(
    buf: bytes, start: int, diagnostics: Diagnostics, *, at_eof: bool, interchange: int
) -> Delimiters:
    """Separators of the ISA starting at ``buf[start]``: the ``interchange``-th (1-based) one."""
    where = f"ISA of interchange {interchange}"
    if len(buf) < start + 4:
        raise TruncatedX12(f"truncated: the file ends inside the {where}")
    element = buf[start + 3]
    _usable(element, "element separator", where)
    stops: list[int] = []
    pos = start + 3
    end = min(len(buf), start + _ISA_SCAN)
    while len(stops) < 16:
        found = buf.find(bytes([element]), pos, end)
        if found < 0:
            if at_eof and end == len(buf):
                raise TruncatedX12(f"truncated: the file ends inside the {where}")
            raise NotX12(f"{where} has fewer than 16 elements")
        stops.append(found)
        pos = found + 1
    component_pos = stops[15] + 1
    if component_pos >= len(buf):
        raise TruncatedX12(f"truncated: the file ends inside the {where}")
    component = buf[component_pos]
    if component >= 0x80:
        raise NotX12(f"{where}: the component separator {_show(component)} is not ASCII")
    segment = _terminator_after(buf, component_pos + 1, element, where, diagnostics, at_eof)
    if _is_alnum(component) or component in BLANKS or component in (element, segment):
        diagnostics.warn(
            "separators",
            f"{where}: ISA16 {_show(component)} cannot be a component separator; ':' assumed",
        )
        component = ord(":")
    isa11 = buf[stops[10] + 1 : stops[11]]
    repetition = None
    if len(isa11) == 1:
        rep = isa11[0]
        if not (_is_alnum(rep) or rep in BLANKS or rep >= 0x80) and rep not in (
            element,
            segment,
            component,
        ):
            repetition = chr(rep)
    length = component_pos + 2 - start
    if length != ISA_LENGTH:
        diagnostics.warn(
            "separators",
            f"{where} is {length} bytes long, not {ISA_LENGTH}: separators found by element count",
        )
    return Delimiters(chr(element), chr(component), repetition, chr(segment))


def sniff_st(buf: bytes, start: int, diagnostics: Diagnostics, *, at_eof: bool) -> Delimiters:
    """Separators of a file without ISA, from the ST starting at ``buf[start]``."""
    where = "ST at the start of the file"
    if len(buf) < start + 3:
        raise TruncatedX12(f"truncated: the file ends inside the {where}")
    element = buf[start + 2]
    _usable(element, "element separator", where)
    pos = start + 3
    end = min(len(buf), start + _ST_SCAN)
    while pos < end and (_is_alnum(buf[pos]) or buf[pos] == element):
        pos += 1
    if pos >= end:
        if at_eof and end == len(buf):
            raise TruncatedX12(f"truncated: the file ends inside the {where}")
        raise NotX12(f"{where}: no segment terminator within {_ST_SCAN} bytes")
    segment = _terminator_after(buf, pos, element, where, diagnostics, at_eof)
    delimiters = Delimiters(chr(element), ":", None, chr(segment))
    diagnostics.warn(
        "envelope",
        "no ISA/GS envelope: separators taken from the ST segment "
        f"(element {chr(element)!r}, segment {chr(segment)!r}); component separator assumed ':'",
    )
    return delimiters
