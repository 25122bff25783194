"""The X12 envelope: ISA/IEA interchanges, GS/GE groups, ST/SE transaction sets.

:class:`EnvelopeTracker` is fed the envelope segments of a file in order (by either tokenizer) and
keeps the control numbers, the nesting and the counts. Its rules:

- An ISA, GS or ST not closed by its IEA, GE or SE before the end of the file — or before an
  envelope segment that needs it closed (an ST inside an open ST, a GE while an ST is open, ...) —
  raises :class:`~collectors.edi.errors.TruncatedX12`, naming the open envelopes and their segments.
- A trailer that is present but disagrees — SE01 (segments from ST to SE inclusive), GE01 (STs in
  the group), IEA01 (GSs in the interchange), or a control number differing from its header's — is
  a warning. So are trailers that close nothing and segments outside any ST/SE (ignored).
- Test interchanges (ISA15 = T) and 4010 envelopes (ISA12 = 00401, GS08 = 004010...) are reported
  like any other, with a warning naming them.

Indices are 0-based ordinals in the file (``interchange_index`` counts ISAs, ``group_index`` GSs,
``transaction_index`` STs of every transaction set); they are the join keys of every frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from collectors.edi.diagnostics import Diagnostics
from collectors.edi.errors import TruncatedX12

ENVELOPE_TAGS = frozenset({"ISA", "IEA", "GS", "GE", "ST", "SE"})
_BLANKS = " \t\r\n"


def _element(elements: Sequence[str], index: int) -> str:
    return elements[index].strip(_BLANKS) if index < len(elements) else ""


@dataclass
class Interchange:
    index: int
    segment_number: int
    sender_qualifier: str  # ISA05
    sender_id: str  # ISA06
    receiver_qualifier: str  # ISA07
    receiver_id: str  # ISA08
    date: str  # ISA09 YYMMDD
    time: str  # ISA10
    version: str  # ISA12
    control_number: str  # ISA13
    usage_indicator: str  # ISA15: P production, T test
    groups: int = 0
    closed: bool = False

    @property
    def is_test(self) -> bool:
        return self.usage_indicator == "T"


@dataclass
class Group:
    index: int
    interchange_index: int | None
    segment_number: int
    functional_id: str  # GS01
    sender_id: str  # GS02
    receiver_id: str  # GS03
    date: str  # GS04 CCYYMMDD
    time: str  # GS05
    control_number: str  # GS06
    version: str  # GS08
    transactions: int = 0
    closed: bool = False


@dataclass
class Transaction:
    index: int
    interchange_index: int | None
    group_index: int | None
    segment_number: int  # of the ST
    set_id: str  # ST01: "835", "837", "999", "277", ...
    control_number: str  # ST02
    implementation: str  # ST03 (5010 837/999/277CA; absent in 835)
    end_segment_number: int | None = None  # of the SE
    declared_count: str = ""  # SE01 as sent


@dataclass
class EnvelopeTracker:
    diagnostics: Diagnostics
    interchanges: list[Interchange] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    transactions: list[Transaction] = field(default_factory=list)
    _isa: Interchange | None = None
    _gs: Group | None = None
    _st: Transaction | None = None
    _strays: int = 0
    _first_stray: tuple[int, str] | None = None

    # -- feeding ---------------------------------------------------------------------------------

    def observe(self, number: int, tag: str, elements: Sequence[str]) -> None:
        """One envelope segment (``elements[0]`` is the tag) at 1-based segment ``number``."""
        handler = getattr(self, f"_on_{tag.lower()}")
        handler(number, elements)

    def observe_strays(self, count: int, first_number: int, first_tag: str) -> None:
        """``count`` non-envelope segments outside any ST/SE, the first at ``first_number``."""
        if count <= 0:
            return
        self._strays += count
        if self._first_stray is None or first_number < self._first_stray[0]:
            self._first_stray = (first_number, first_tag)

    @property
    def open_transaction(self) -> Transaction | None:
        """The ST not yet closed by its SE, if any."""
        return self._st

    def finish(self) -> None:
        """End of file: anything still open is a truncation."""
        if self._st or self._gs or self._isa:
            raise TruncatedX12(f"truncated: the file ends with {self._open_envelopes()} open")
        if self._strays:
            number, tag = self._first_stray or (0, "?")
            self.diagnostics.warn(
                "structure",
                f"{self._strays} segment(s) outside any ST/SE transaction were ignored "
                f"(the first: {tag} at segment {number})",
            )

    # -- handlers --------------------------------------------------------------------------------

    def _open_envelopes(self) -> str:
        parts = []
        if self._st:
            st = self._st
            parts.append(f"ST {st.set_id} {st.control_number} (segment {st.segment_number})")
        if self._gs:
            parts.append(f"GS {self._gs.control_number} (segment {self._gs.segment_number})")
        if self._isa:
            parts.append(f"ISA {self._isa.control_number} (segment {self._isa.segment_number})")
        return ", ".join(parts)

    def _refuse_open(self, number: int, tag: str, *, st: bool, gs: bool, isa: bool) -> None:
        """A ``tag`` segment needs the innermost of the given envelopes closed first."""
        if st and self._st:
            inner = self._st
            raise TruncatedX12(
                f"truncated: ST {inner.set_id} {inner.control_number} (segment "
                f"{inner.segment_number}) has no SE before the {tag} at segment {number}"
            )
        if gs and self._gs:
            raise TruncatedX12(
                f"truncated: GS {self._gs.control_number} (segment {self._gs.segment_number}) "
                f"has no GE before the {tag} at segment {number}"
            )
        if isa and self._isa:
            raise TruncatedX12(
                f"truncated: ISA {self._isa.control_number} (segment "
                f"{self._isa.segment_number}) has no IEA before the {tag} at segment {number}"
            )

    def _on_isa(self, number: int, el: Sequence[str]) -> None:
        self._refuse_open(number, "ISA", st=True, gs=True, isa=True)
        isa = Interchange(
            index=len(self.interchanges),
            segment_number=number,
            sender_qualifier=_element(el, 5),
            sender_id=_element(el, 6),
            receiver_qualifier=_element(el, 7),
            receiver_id=_element(el, 8),
            date=_element(el, 9),
            time=_element(el, 10),
            version=_element(el, 12),
            control_number=_element(el, 13),
            usage_indicator=_element(el, 15),
        )
        self.interchanges.append(isa)
        self._isa = isa
        if isa.is_test:
            self.diagnostics.warn(
                "envelope",
                f"interchange {isa.control_number} (segment {number}) is a test interchange "
                "(ISA15 = T)",
                number,
            )
        if isa.version == "00401":
            self.diagnostics.warn(
                "envelope",
                f"interchange {isa.control_number} (segment {number}) has a 4010 envelope "
                "(ISA12 = 00401)",
                number,
            )

    def _on_gs(self, number: int, el: Sequence[str]) -> None:
        self._refuse_open(number, "GS", st=True, gs=True, isa=False)
        gs = Group(
            index=len(self.groups),
            interchange_index=self._isa.index if self._isa else None,
            segment_number=number,
            functional_id=_element(el, 1),
            sender_id=_element(el, 2),
            receiver_id=_element(el, 3),
            date=_element(el, 4),
            time=_element(el, 5),
            control_number=_element(el, 6),
            version=_element(el, 8),
        )
        self.groups.append(gs)
        self._gs = gs
        if self._isa:
            self._isa.groups += 1
        elif self.interchanges:
            self.diagnostics.warn("envelope", f"GS at segment {number} is outside any ISA", number)
        if gs.version.startswith("004010"):
            self.diagnostics.warn(
                "envelope",
                f"group {gs.control_number} (segment {number}) is 4010 ({gs.version}): "
                "read with the 5010 layout, which 4010 shares for the segments used",
                number,
            )

    def _on_st(self, number: int, el: Sequence[str]) -> None:
        self._refuse_open(number, "ST", st=True, gs=False, isa=False)
        st = Transaction(
            index=len(self.transactions),
            interchange_index=self._isa.index if self._isa else None,
            group_index=self._gs.index if self._gs else None,
            segment_number=number,
            set_id=_element(el, 1),
            control_number=_element(el, 2),
            implementation=_element(el, 3),
        )
        self.transactions.append(st)
        self._st = st
        if self._gs:
            self._gs.transactions += 1
        elif self.interchanges or self.groups:
            self.diagnostics.warn(
                "envelope", f"ST at segment {number} is outside any GS group", number
            )

    def _on_se(self, number: int, el: Sequence[str]) -> None:
        st = self._st
        if st is None:
            self.diagnostics.warn("envelope", f"SE at segment {number} closes no ST", number)
            return
        st.end_segment_number = number
        st.declared_count = _element(el, 1)
        actual = number - st.segment_number + 1
        if st.declared_count != str(actual) and _as_int(st.declared_count) != actual:
            self.diagnostics.warn(
                "envelope",
                f"SE01 of ST {st.control_number} (segment {st.segment_number}) says "
                f"{st.declared_count or 'nothing'} segments, counted {actual}",
                number,
            )
        if _element(el, 2) != st.control_number:
            self.diagnostics.warn(
                "envelope",
                f"SE02 {_element(el, 2)!r} at segment {number} differs from ST02 "
                f"{st.control_number!r}",
                number,
            )
        self._st = None

    def _on_ge(self, number: int, el: Sequence[str]) -> None:
        self._refuse_open(number, "GE", st=True, gs=False, isa=False)
        gs = self._gs
        if gs is None:
            self.diagnostics.warn("envelope", f"GE at segment {number} closes no GS", number)
            return
        if _as_int(_element(el, 1)) != gs.transactions:
            self.diagnostics.warn(
                "envelope",
                f"GE01 of group {gs.control_number} (segment {gs.segment_number}) says "
                f"{_element(el, 1) or 'nothing'} transaction sets, counted {gs.transactions}",
                number,
            )
        if _element(el, 2) != gs.control_number:
            self.diagnostics.warn(
                "envelope",
                f"GE02 {_element(el, 2)!r} at segment {number} differs from GS06 "
                f"{gs.control_number!r}",
                number,
            )
        gs.closed = True
        self._gs = None

    def _on_iea(self, number: int, el: Sequence[str]) -> None:
        self._refuse_open(number, "IEA", st=True, gs=True, isa=False)
        isa = self._isa
        if isa is None:
            self.diagnostics.warn("envelope", f"IEA at segment {number} closes no ISA", number)
            return
        if _as_int(_element(el, 1)) != isa.groups:
            self.diagnostics.warn(
                "envelope",
                f"IEA01 of interchange {isa.control_number} (segment {isa.segment_number}) says "
                f"{_element(el, 1) or 'nothing'} groups, counted {isa.groups}",
                number,
            )
        if _element(el, 2) != isa.control_number:
            self.diagnostics.warn(
                "envelope",
                f"IEA02 {_element(el, 2)!r} at segment {number} differs from ISA13 "
                f"{isa.control_number!r}",
                number,
            )
        isa.closed = True
        self._isa = None


def _as_int(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() else None
