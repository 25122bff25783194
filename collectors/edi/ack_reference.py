"""The per-segment 999 flattener: a plain state machine over segments (``SegmentReader``).

The reference the vectorised flattener (:mod:`collectors.edi.acks`) is tested against: same
layout (:mod:`collectors.edi.ack_layout`), same value rules, same warnings.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from collectors.edi import ack_layout as L
from collectors.edi.claim_frames import AckFrames
from collectors.edi.composites import split_composite
from collectors.edi.diagnostics import Diagnostics
from collectors.edi.fields import composite_warning
from collectors.edi.segments import Segment
from collectors.edi.values import IK5_ACCEPTED, IK5_REJECTED, read_count

_TAGS = frozenset(L.TAGS)
_BLANKS = " \t\r\n"
Row = dict[str, Any]


def _codes(seg: Segment, elements: tuple[int, ...]) -> str | None:
    return ",".join(code for e in elements if (code := seg.element(e))) or None


class AckRowBuilder:
    """Feed it the segments of 999 transactions in file order; ``frames()`` gives the frames."""

    def __init__(self, diagnostics: Diagnostics) -> None:
        self.diagnostics = diagnostics
        self._groups: list[Row] = []
        self._sets: list[Row] = []
        self._ik3s: list[Row] = []
        self._group: Row | None = None
        self._set: Row | None = None
        self._ik3: Row | None = None
        self._ik4: Row | None = None

    def _misplaced(self, seg: Segment) -> None:
        text = L.misplaced_warning(seg.tag, seg.number, L.MISPLACED[seg.tag])
        self.diagnostics.warn("structure", text, seg.number)

    def _composite(self, seg: Segment, element: int) -> list[str]:
        value = seg.element(element)
        if not value:
            return []
        parts, used = split_composite(value, seg.delimiters.component)
        if used is not None:
            key, text = composite_warning(used, seg.delimiters.component, seg.number)
            self.diagnostics.warn_once(key, "composite", text, seg.number)
        return [p.strip(_BLANKS) for p in parts]

    def add(self, seg: Segment) -> None:
        tag = seg.tag
        if tag not in _TAGS or seg.transaction_index is None:
            return
        handler = getattr(self, f"_on_{tag.lower()}")
        handler(seg)

    def _on_st(self, seg: Segment) -> None:
        self._group = self._set = self._ik3 = self._ik4 = None

    _on_se = _on_st

    def _on_ak1(self, seg: Segment) -> None:
        self._group = {
            "group_ack_index": len(self._groups),
            "transaction_index": seg.transaction_index,
            "segment_number": seg.number,
            **{column: seg.element(e) or None for column, e in L.AK1_TEXT.items()},
            "set_count": 0,
        }
        self._groups.append(self._group)
        self._set = self._ik3 = self._ik4 = None

    def _on_ak2(self, seg: Segment) -> None:
        self._set = self._ik3 = self._ik4 = None
        if self._group is None:
            self._misplaced(seg)
            return
        self._group["set_count"] += 1
        self._set = {
            "set_ack_index": len(self._sets),
            "group_ack_index": self._group["group_ack_index"],
            "transaction_index": seg.transaction_index,
            "segment_number": seg.number,
            **{column: seg.element(e) or None for column, e in L.AK2_TEXT.items()},
            "error_count": 0,
        }
        self._sets.append(self._set)

    def _on_ak9(self, seg: Segment) -> None:
        self._set = self._ik3 = self._ik4 = None
        group = self._group
        if group is None:
            self._misplaced(seg)
            return
        if "__ak9" in group:
            return
        group["__ak9"] = True
        group["ak9_code"] = seg.element(L.AK9_CODE) or None
        for column, element in L.AK9_COUNTS.items():
            ref = f"AK9{element:02d}"
            group[column] = read_count(ref, seg.element(element), seg.number, self.diagnostics)
        group["ak9_error_codes"] = _codes(seg, L.AK9_ERRORS)

    def _on_ik5(self, seg: Segment) -> None:
        self._ik3 = self._ik4 = None
        answer = self._set
        if answer is None:
            self._misplaced(seg)
            return
        if "__ik5" in answer:
            return
        answer["__ik5"] = True
        answer["ik5_code"] = seg.element(L.IK5_CODE) or None
        answer["ik5_error_codes"] = _codes(seg, L.IK5_ERRORS)

    def _on_ik3(self, seg: Segment) -> None:
        self._ik3 = self._ik4 = None
        if self._set is None:
            self._misplaced(seg)
            return
        position = read_count("IK302", seg.element(L.IK3_POSITION), seg.number, self.diagnostics)
        self._ik3 = {
            "set_ack_index": self._set["set_ack_index"],
            "group_ack_index": self._set["group_ack_index"],
            "transaction_index": seg.transaction_index,
            "segment_number": seg.number,
            **{column: seg.element(e) or None for column, e in L.IK3_TEXT.items()},
            "segment_position": position,
            "__context": [],
            "__claim": None,
            "__ik4s": [],
        }
        self._ik3s.append(self._ik3)

    def _on_ik4(self, seg: Segment) -> None:
        if self._ik3 is None:
            self._misplaced(seg)
            return
        parts = self._composite(seg, L.IK4_POSITION)
        self._ik4 = {
            "segment_number": seg.number,
            **{column: seg.element(e) or None for column, e in L.IK4_TEXT.items()},
            "__context": [],
        }
        for column, k in L.IK4_POSITIONS.items():
            value = parts[k - 1] if k <= len(parts) else ""
            self._ik4[column] = read_count(f"IK401-{k}", value, seg.number, self.diagnostics)
        self._ik3["__ik4s"].append(self._ik4)

    def _on_ctx(self, seg: Segment) -> None:
        if self._ik3 is None:
            self._misplaced(seg)
            return
        parts = self._composite(seg, 1)
        text = seg.delimiters.element.join(seg.elements)
        target = self._ik4 if self._ik4 is not None else self._ik3
        target["__context"].append(text)
        if "__claimed" not in self._ik3 and parts and parts[0] == L.CLAIM_CONTEXT:
            self._ik3["__claimed"] = True
            self._ik3["__claim"] = (parts[1] or None) if len(parts) > 1 else None

    # -- output ----------------------------------------------------------------------------------

    def frames(self, envelope_part: pl.DataFrame) -> AckFrames:
        errors: list[Row] = []
        seqs: dict[int, int] = {}
        for ik3 in self._ik3s:
            common = {k: v for k, v in ik3.items() if not k.startswith("__")}
            common["claim_reference"] = ik3["__claim"]
            for element in ik3["__ik4s"] or [None]:
                row = dict(common)
                context = list(ik3["__context"])
                if element is not None:
                    row.update({k: v for k, v in element.items() if not k.startswith("__")})
                    context += element["__context"]
                row["context"] = L.CONTEXT_JOIN.join(context) or None
                set_index = row["set_ack_index"]
                seqs[set_index] = row["seq"] = seqs.get(set_index, 0) + 1
                errors.append(row)
        for row in errors:
            self._sets[row["set_ack_index"]]["error_count"] += 1

        envelopes = {
            row["transaction_index"]: row
            for row in envelope_part.rename({"group_control_number": "ack_group_control_number"})
            .drop("segment_number")
            .iter_rows(named=True)
        }
        groups = []
        for group in self._groups:
            group["has_set_responses"] = group["set_count"] > 0
            groups.append({**envelopes.get(group["transaction_index"], {}), **group})
        sets = []
        for answer in self._sets:
            code = answer.get("ik5_code")
            sets.append(
                {**answer, "is_accepted": code in IK5_ACCEPTED, "is_rejected": code in IK5_REJECTED}
            )
        for group in self._groups:
            if "__ak9" not in group:
                text = L.missing_part_warning("AK1", group["segment_number"], "AK9")
                self.diagnostics.warn("structure", text, group["segment_number"])
        for answer in self._sets:
            if "__ik5" not in answer:
                text = L.missing_part_warning("AK2", answer["segment_number"], "IK5")
                self.diagnostics.warn("structure", text, answer["segment_number"])

        def build(rows: list[Row], schema: dict[str, pl.DataType]) -> pl.DataFrame:
            data = [{k: row.get(k) for k in schema} for row in rows]
            return pl.DataFrame(data, schema=schema) if data else pl.DataFrame(schema=schema)

        return AckFrames(
            groups=build(groups, L.GROUP_SCHEMA),
            sets=build(sets, L.SET_SCHEMA),
            errors=build(errors, L.ERROR_SCHEMA),
        )
