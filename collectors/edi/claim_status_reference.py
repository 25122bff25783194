"""The per-segment 277CA flattener: a plain state machine over segments (``SegmentReader``).

The reference the vectorised flattener (:mod:`collectors.edi.claim_status`) is tested against:
same layout (:mod:`collectors.edi.claim_status_layout`), same value rules, same warnings.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from collectors.edi import claim_status_layout as L
from collectors.edi.claim_frames import ClaimStatusFrames
from collectors.edi.claim_status import LEVELS, ancestors
from collectors.edi.diagnostics import Diagnostics
from collectors.edi.fields import Field, read_field, structure_warning
from collectors.edi.hierarchy import HierarchyTracker
from collectors.edi.segments import Segment
from collectors.edi.values import STATUS_ACCEPTED, STATUS_REJECTED, read_period

_TAGS = frozenset(L.TAGS)
Row = dict[str, Any]
_STATUS_FIELDS = tuple(
    Field(f"{name}{suffix}", element, component=k)
    for element, suffix in L.STATUS_COMPOSITES.items()
    for name, k in L.STATUS_PARTS
)


class ClaimStatusRowBuilder:
    """Feed it the segments of 277CA transactions in file order; ``frames()`` gives the frames."""

    def __init__(self, diagnostics: Diagnostics) -> None:
        self.diagnostics = diagnostics
        self._headers: dict[int, Row] = {}
        self._hls: list[Row] = []
        self._stcs: list[Row] = []
        self._hierarchy = HierarchyTracker(L.HIERARCHY, diagnostics)
        self._txn_index: int | None = None

    def _read(self, seg: Segment, fields: tuple[Field, ...]) -> Row:
        comp = seg.delimiters.component
        return {
            f.column: read_field(f, seg.tag, seg.elements, comp, seg.number, self.diagnostics)
            for f in fields
        }

    @staticmethod
    def _first(row: Row | None, key: str) -> Row | None:
        if row is None or key in row:
            return None
        row[key] = None
        return row

    def add(self, seg: Segment) -> None:
        tag = seg.tag
        if tag not in _TAGS or seg.transaction_index is None:
            return
        if seg.transaction_index != self._txn_index:
            self._txn_index = seg.transaction_index
            self._txn: Row = {"transaction_index": seg.transaction_index}
            self._headers[seg.transaction_index] = self._txn
            self._hl: Row | None = None
            self._line: Row | None = None
            self._latest: dict[str, Row] = {}
            self._hierarchy.reset()
        if tag in L.LINE_BOUNDARY_TAGS:
            self._line = None
        handler = getattr(self, f"_on_{tag.lower()}", None)
        if handler is not None:
            handler(seg)

    def _on_bht(self, seg: Segment) -> None:
        if txn := self._first(self._txn, "__bht"):
            txn.update(self._read(seg, L.BHT_FIELDS))

    def _on_hl(self, seg: Segment) -> None:
        level = seg.element(3)
        self._hierarchy.see(seg.element(1), seg.element(2), level, seg.number)
        self._hl = {
            "transaction_index": seg.transaction_index,
            "segment_number": seg.number,
            "hl_index": len(self._hls),
            "hl_id": seg.element(1) or None,
            "hl_parent_id": seg.element(2) or None,
            "hl_level": level or None,
            "__above": {lv: self._latest.get(lv) for lv in ancestors(level)},
            "__lines": 0,
            "__statuses": 0,
        }
        self._hls.append(self._hl)
        if level in LEVELS:
            for deeper in LEVELS[LEVELS.index(level) :]:
                self._latest.pop(deeper, None)
            self._latest[level] = self._hl

    def _where(self) -> Row | None:
        """The HL a segment's HL-level value belongs to (None in a line or outside any HL)."""
        return self._hl if self._line is None else None

    def _on_nm1(self, seg: Segment) -> None:
        if hl := self._first(self._where(), "__nm1"):
            hl.update({column: seg.element(e) or None for column, e in L.NM1_TEXT.items()})
            hl["npi"] = (seg.element(9) or None) if seg.element(8) == "XX" else None

    def _on_trn(self, seg: Segment) -> None:
        if hl := self._first(self._where(), "__trn"):
            hl["trn_reference"] = seg.element(2) or None

    def _on_ref(self, seg: Segment) -> None:
        qualifier = seg.element(1)
        if qualifier in L.HL_REFS and (hl := self._first(self._where(), f"__ref{qualifier}")):
            hl[L.HL_REFS[qualifier]] = seg.element(2) or None

    def _on_dtp(self, seg: Segment) -> None:
        if seg.element(1) != L.SERVICE_DATE or self._hl is None:
            return
        target, prefix = (self._hl, "hl_") if self._line is None else (self._line, "line_")
        if row := self._first(target, "__dtp"):
            period = read_period(seg.element(2), seg.element(3), seg.number, self.diagnostics)
            row[f"{prefix}date_from"], row[f"{prefix}date_to"] = period

    def _on_svc(self, seg: Segment) -> None:
        hl = self._hl
        if hl is None:
            self.diagnostics.warn("structure", structure_warning(seg.tag, seg.number), seg.number)
            return
        hl["__lines"] += 1
        self._line = {"line_number": hl["__lines"], **self._read(seg, L.SVC_FIELDS)}

    def _on_stc(self, seg: Segment) -> None:
        hl = self._hl
        if hl is None:
            self.diagnostics.warn("structure", structure_warning(seg.tag, seg.number), seg.number)
            return
        row = {
            "segment_number": seg.number,
            "__hl": hl,
            "__line": self._line,
            **self._read(seg, _STATUS_FIELDS),
            **self._read(seg, L.STC_FIELDS),
        }
        categories = [row[f"status_category{suffix}"] for suffix in L.STATUS_COMPOSITES.values()]
        row["is_rejection"] = any(c in STATUS_REJECTED for c in categories)
        accepts = any(c in STATUS_ACCEPTED for c in categories)
        row["is_acceptance"] = accepts and not row["is_rejection"]
        if self._line is None:
            hl["__statuses"] += 1
            if row["is_rejection"]:
                hl["__rejects"] = True
        self._stcs.append(row)

    # -- output ----------------------------------------------------------------------------------

    def frames(self, envelope_part: pl.DataFrame) -> ClaimStatusFrames:
        for hl in self._hls:
            above = hl["__above"]
            level = hl["hl_level"]
            hl["rejected_above"] = any(a is not None and a.get("__rejects") for a in above.values())
            receiver = hl if level == L.RECEIVER_LEVEL else above.get(L.RECEIVER_LEVEL)
            provider = hl if level == L.PROVIDER_LEVEL else above.get(L.PROVIDER_LEVEL)
            hl["receiver_trn_reference"] = receiver.get("trn_reference") if receiver else None
            hl["provider_npi"] = provider.get("npi") if provider else None
            claim = level == L.CLAIM_LEVEL
            hl["patient_control_number"] = hl.get("trn_reference") if claim else None

        rows = []
        for stc in self._stcs:
            hl, line = stc.pop("__hl"), stc.pop("__line") or {}
            row = {**hl, **line, **stc}
            row["service_date_from"] = line.get("line_date_from") or hl.get("hl_date_from")
            row["service_date_to"] = line.get("line_date_to") or hl.get("hl_date_to")
            rows.append(row)
        for hl in self._hls:
            if not hl["__statuses"]:
                rows.append(
                    {
                        **hl,
                        "is_rejection": False,
                        "is_acceptance": False,
                        "service_date_from": hl.get("hl_date_from"),
                        "service_date_to": hl.get("hl_date_to"),
                    }
                )
        rows.sort(key=lambda r: r["segment_number"])
        for index, row in enumerate(rows):
            row["status_index"] = index

        counts: dict[int, int] = {}
        for hl in self._hls:
            if hl["hl_level"] == L.CLAIM_LEVEL:
                counts[hl["transaction_index"]] = counts.get(hl["transaction_index"], 0) + 1
        transactions = [
            {
                **env,
                **self._headers.get(env["transaction_index"], {}),
                "claim_count": counts.get(env["transaction_index"], 0),
            }
            for env in envelope_part.iter_rows(named=True)
        ]

        def build(data: list[Row], schema: dict[str, pl.DataType]) -> pl.DataFrame:
            picked = [{k: row.get(k) for k in schema} for row in data]
            return pl.DataFrame(picked, schema=schema) if picked else pl.DataFrame(schema=schema)

        return ClaimStatusFrames(
            transactions=build(transactions, L.TRANSACTION_SCHEMA),
            statuses=build(rows, L.STATUS_SCHEMA),
        )
