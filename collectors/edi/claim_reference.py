"""The per-segment 837 flattener: a plain state machine over segments (``SegmentReader``).

The reference the vectorised flattener (:mod:`collectors.edi.claims`) is tested against: same
layout (:mod:`collectors.edi.claim_layout`), same value rules, same warnings. Billing provider,
subscriber and patient are dicts shared by the claims beneath them and read into each claim's
row at the end, which is what the vectorised path's joins by key do.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from collectors.edi import claim_layout as L
from collectors.edi.claim_frames import ClaimFrames
from collectors.edi.claims import diagnosis_warning, no_lx_warning, orphan_claim_warning
from collectors.edi.diagnostics import Diagnostics
from collectors.edi.fields import (
    Field,
    composite_warning,
    missing_warning,
    read_field,
    structure_warning,
)
from collectors.edi.guides import claim_type, claim_type_warning
from collectors.edi.hierarchy import HierarchyTracker
from collectors.edi.segments import Segment
from collectors.edi.values import read_count, read_period, split_code

_TAGS = frozenset(L.TAGS)
_LOOP_TAGS = frozenset(L.LOOP_TAGS)
_CLAIM_BOUNDARY = frozenset(L.CLAIM_BOUNDARY_TAGS)
_PART_TAGS = frozenset(L.PART_TAGS)
_DIAGNOSES = frozenset(L.DIAGNOSIS_QUALIFIERS)
Row = dict[str, Any]


class ClaimRowBuilder:
    """Feed it the segments of 837 transactions in file order; ``frames()`` gives the frames."""

    def __init__(self, diagnostics: Diagnostics) -> None:
        self.diagnostics = diagnostics
        self._headers: list[Row] = []
        self._claims: list[Row] = []
        self._lines: list[Row] = []
        self._diagnoses: list[Row] = []
        self._others: list[Row] = []
        self._txn_index: int | None = None
        self._hierarchy = HierarchyTracker(L.HIERARCHY, diagnostics)
        self._level_counts = dict.fromkeys(L.HL_LEVELS, 0)

    # -- helpers ---------------------------------------------------------------------------------

    def _read(self, seg: Segment, fields: tuple[Field, ...], prefix: str = "") -> Row:
        comp = seg.delimiters.component
        return {
            prefix + f.column: read_field(
                f, seg.tag, seg.elements, comp, seg.number, self.diagnostics
            )
            for f in fields
        }

    @staticmethod
    def _first(row: Row | None, key: str) -> Row | None:
        """``row`` the first time ``key`` is claimed in it, else None (first occurrence wins)."""
        if row is None or key in row:
            return None
        row[key] = None
        return row

    @staticmethod
    def _npi(seg: Segment) -> str | None:
        return (seg.element(9) or None) if seg.element(8) == "XX" else None

    def _start_transaction(self, index: int) -> None:
        self._txn_index = index
        self._txn: Row = {"transaction_index": index}
        self._headers.append(self._txn)
        self._scope = ""
        self._in_claim = False
        self._part = ""
        self._loop = ""
        self._bp: Row | None = None
        self._sub: Row | None = None
        self._pat: Row | None = None
        self._claim: Row | None = None
        self._lx: Row | None = None
        self._other: Row | None = None
        self._hierarchy.reset()

    # -- feeding ---------------------------------------------------------------------------------

    def add(self, seg: Segment) -> None:
        tag = seg.tag
        if tag not in _TAGS or seg.transaction_index is None:
            return
        if seg.transaction_index != self._txn_index:
            self._start_transaction(seg.transaction_index)
        if tag in _CLAIM_BOUNDARY:
            self._in_claim = tag == "CLM"
        if tag in _PART_TAGS:
            self._part = tag
        elif tag in ("ST", "HL", "SE"):
            self._part = ""
        if tag == "NM1":
            self._loop = "NM1" + seg.element(1)
        elif tag in _LOOP_TAGS:
            self._loop = tag
        handler = getattr(self, f"_on_{tag.lower()}", None)
        if handler is not None:
            handler(seg)

    def _on_hl(self, seg: Segment) -> None:
        hl_id, level = seg.element(1), seg.element(3)
        self._hierarchy.see(hl_id, seg.element(2), level, seg.number)
        self._scope = level
        if level not in L.LEVEL_COLUMNS:
            return
        index, count = L.LEVEL_COLUMNS[level]
        self._txn[count] = self._txn.get(count, 0) + 1
        row = {index: self._level_counts[level]}
        self._level_counts[level] += 1
        if level == L.BILLING_LEVEL:
            self._bp = {**row, "billing_provider_hl": hl_id or None}
            self._sub = self._pat = None
        elif level == L.SUBSCRIBER_LEVEL:
            self._sub = {**row, "subscriber_hl": hl_id or None}
            self._pat = None
        else:
            self._pat = {**row, "patient_hl": hl_id or None}

    def _on_bht(self, seg: Segment) -> None:
        if txn := self._first(self._txn, "__bht"):
            txn.update(self._read(seg, L.BHT_FIELDS))

    def _on_nm1(self, seg: Segment) -> None:
        entity, scope = seg.element(1), self._scope
        if scope == "" and entity in ("41", "40") and (txn := self._first(self._txn, entity)):
            txn.update(self._read(seg, L.PARTY_FIELDS, L.PARTIES[entity]))
        if self._in_claim:
            self._claim_nm1(seg, entity)
        elif scope == L.BILLING_LEVEL and entity == "85" and (bp := self._first(self._bp, "__85")):
            bp.update(billing_name=seg.element(3) or None, billing_npi=self._npi(seg))
        elif scope == L.BILLING_LEVEL and entity == "87" and (bp := self._first(self._bp, "__87")):
            bp["pay_to_npi"] = self._npi(seg)
        elif scope == L.SUBSCRIBER_LEVEL and entity in L.SUBSCRIBER_PARTIES:
            fields, prefix = L.SUBSCRIBER_PARTIES[entity]
            if sub := self._first(self._sub, f"__{entity}"):
                sub.update(self._read(seg, fields, prefix))
        elif (
            scope == L.PATIENT_LEVEL and entity == "QC" and (pat := self._first(self._pat, "__QC"))
        ):
            pat.update(self._read(seg, L.PATIENT_FIELDS, "patient_"))

    def _claim_nm1(self, seg: Segment, entity: str) -> None:
        """An NM1 in a claim: a 2310 provider (part CLM) or a 2330A/B party (part SBR)."""
        if self._part == "CLM" and entity in L.CLAIM_PROVIDERS:
            npi_column, name_column = L.CLAIM_PROVIDERS[entity]
            if claim := self._first(self._claim, f"__nm1{entity}"):
                claim[npi_column] = self._npi(seg)
                if name_column:
                    claim[name_column] = seg.element(3) or None
        elif self._part == "SBR" and entity in L.OTHER_PAYER_PARTIES:
            fields, prefix = L.OTHER_PAYER_PARTIES[entity]
            if other := self._first(self._other, f"__{entity}"):
                other.update(self._read(seg, fields, prefix))

    def _on_ref(self, seg: Segment) -> None:
        qualifier = seg.element(1)
        target: tuple[Row | None, str, str] | None = None
        if self._in_claim and self._loop == "CLM" and qualifier in L.CLAIM_REFS:
            target = (self._claim, f"__ref{qualifier}", L.CLAIM_REFS[qualifier])
        elif self._line_level() and qualifier == L.LINE_CONTROL_REF:
            target = (self._lx, "__6r", "line_control_number")
        elif qualifier == "EI" and self._loop == "NM185" and not self._in_claim:
            billing = self._scope == L.BILLING_LEVEL
            target = (self._bp, "__ei", "billing_tax_id") if billing else None
        if target is not None and (row := self._first(target[0], target[1])):
            row[target[2]] = seg.element(2) or None

    def _on_sbr(self, seg: Segment) -> None:
        if self._in_claim:
            claim = self._claim
            assert claim is not None
            self._other = {
                "claim_index": claim["claim_index"],
                "transaction_index": self._txn_index,
                "segment_number": seg.number,
                **self._read(seg, L.OTHER_PAYER_SBR_FIELDS),
            }
            self._others.append(self._other)
        elif self._scope == L.SUBSCRIBER_LEVEL and (sub := self._first(self._sub, "__sbr")):
            sub.update(self._read(seg, L.SBR_FIELDS))

    def _on_dmg(self, seg: Segment) -> None:
        people = {
            (L.SUBSCRIBER_LEVEL, "NM1IL"): (self._sub, "subscriber_"),
            (L.PATIENT_LEVEL, "NM1QC"): (self._pat, "patient_"),
        }
        target = None if self._in_claim else people.get((self._scope, self._loop))
        if target is not None and (row := self._first(target[0], "__dmg")):
            row.update(self._read(seg, L.DMG_FIELDS, target[1]))

    def _on_pat(self, seg: Segment) -> None:
        patient = not self._in_claim and self._scope == L.PATIENT_LEVEL
        if patient and (pat := self._first(self._pat, "__pat")):
            pat["patient_relationship"] = seg.element(1) or None

    def _line_level(self) -> bool:
        return self._in_claim and self._part == "LX" and self._loop == "LX"

    def _on_clm(self, seg: Segment) -> None:
        for element in L.CLM_REQUIRED:
            if not seg.element(element):
                self.diagnostics.warn(
                    "missing", missing_warning(f"CLM{element:02d}", seg.number), seg.number
                )
        if self._sub is None:
            self.diagnostics.warn("structure", orphan_claim_warning(seg.number), seg.number)
        self._claim = {
            "claim_index": len(self._claims),
            "transaction_index": self._txn_index,
            "segment_number": seg.number,
            **self._read(seg, L.CLM_FIELDS),
            "__levels": (self._bp, self._sub, self._pat),
            "__lines": [],
        }
        self._lx = None
        self._other = None
        self._claims.append(self._claim)

    def _on_dtp(self, seg: Segment) -> None:
        qualifier = seg.element(1)
        claim_level = self._in_claim and self._loop == "CLM"
        if claim_level and qualifier in L.CLAIM_PERIODS:
            start, end = L.CLAIM_PERIODS[qualifier]
            if claim := self._first(self._claim, f"__dtp{qualifier}"):
                claim[start], claim[end] = self._period(seg)
        elif (
            self._line_level()
            and qualifier == L.LINE_DATE
            and (lx := self._first(self._lx, "__dtp"))
        ):
            lx["service_date_from"], lx["service_date_to"] = self._period(seg)

    def _period(self, seg: Segment) -> tuple[Any, Any]:
        return read_period(seg.element(2), seg.element(3), seg.number, self.diagnostics)

    def _on_hi(self, seg: Segment) -> None:
        if not (self._in_claim and self._part == "CLM"):
            return
        claim = self._claim
        assert claim is not None
        declared = seg.delimiters.component
        for position in range(1, min(len(seg.elements) - 1, L.HI_ELEMENTS) + 1):
            value = seg.element(position)
            if not value:
                continue
            parts, used = split_code(value, declared)
            if used is not None:
                key, text = composite_warning(used, declared, seg.number)
                self.diagnostics.warn_once(key, "composite", text, seg.number)
            parts = [p.strip(" \t\r\n") for p in parts]
            code = parts[1] if len(parts) > 1 else ""
            if not code:
                text = diagnosis_warning(position, value, seg.number)
                self.diagnostics.warn("diagnosis", text, seg.number)
            elif parts[0] in _DIAGNOSES:
                self._diagnoses.append(
                    {
                        "claim_index": claim["claim_index"],
                        "transaction_index": self._txn_index,
                        "segment_number": seg.number,
                        "element": f"HI{position:02d}",
                        "qualifier": parts[0],
                        "code": code,
                        "present_on_admission": (parts[8] or None) if len(parts) > 8 else None,
                    }
                )

    def _on_lx(self, seg: Segment) -> None:
        if self._in_claim:
            number = read_count("LX01", seg.element(1), seg.number, self.diagnostics)
            self._lx = {"line_number": number}

    def _on_sv1(self, seg: Segment) -> None:
        if not self._in_claim:
            self.diagnostics.warn("structure", structure_warning(seg.tag, seg.number), seg.number)
            return
        claim = self._claim
        assert claim is not None
        lx = self._lx if self._part == "LX" else None
        if lx is None:
            self.diagnostics.warn("structure", no_lx_warning(seg.tag, seg.number), seg.number)
        professional = seg.tag == "SV1"
        procedure = L.SV1_PROCEDURE if professional else L.SV2_PROCEDURE
        components = tuple(
            Field(name, procedure, component=k) for name, k in L.PROCEDURE_COMPONENTS
        )
        line = {
            "line_index": len(self._lines),
            "claim_index": claim["claim_index"],
            "transaction_index": self._txn_index,
            "segment_number": seg.number,
            "kind": L.LINE_KINDS[seg.tag],
            **self._read(seg, L.SV1_FIELDS if professional else L.SV2_FIELDS),
            **self._read(seg, components),
            "__lx": lx,
        }
        if professional:
            pointers = seg.element(L.SV1_POINTERS)
            line["diagnosis_pointers"] = pointers.replace(seg.delimiters.component, ":") or None
        claim["__lines"].append(line)
        self._lines.append(line)

    _on_sv2 = _on_sv1

    def _on_amt(self, seg: Segment) -> None:
        in_other = self._in_claim and self._part == "SBR" and self._loop == "SBR"
        if in_other and seg.element(1) == "D" and (other := self._first(self._other, "__amt")):
            other.update(self._read(seg, (L.PAID_AMOUNT,)))

    # -- output ----------------------------------------------------------------------------------

    def frames(self, envelope_part: pl.DataFrame) -> ClaimFrames:
        """The frames; ``envelope_part`` holds the envelope columns of the 837s seen."""
        for line in self._lines:
            lx = line.pop("__lx") or {}
            for column in (
                "line_number",
                "service_date_from",
                "service_date_to",
                "line_control_number",
            ):
                line[column] = lx.get(column)
        claims = []
        for claim in self._claims:
            bp, sub, pat = claim.pop("__levels")
            lines = claim.pop("__lines")
            row = {**(bp or {}), **(sub or {}), **(pat or {}), **claim}
            alone = pat is None
            row["patient_is_subscriber"] = alone
            if alone:
                for c in ("last_name", "first_name", "birth_date", "sex"):
                    row[f"patient_{c}"] = row.get(f"subscriber_{c}")
            starts = [x["service_date_from"] for x in lines if x["service_date_from"] is not None]
            ends = [x["service_date_to"] for x in lines if x["service_date_to"] is not None]
            for column, own in (
                ("service_date_from", ("statement_date_from", "claim_date_from")),
                ("service_date_to", ("statement_date_to", "claim_date_to")),
            ):
                values = [row.get(c) for c in own]
                values.append(
                    (min(starts) if starts else None)
                    if column.endswith("from")
                    else (max(ends) if ends else None)
                )
                row[column] = next((v for v in values if v is not None), None)
            row["line_count"] = len(lines)
            claims.append(row)
        seqs: dict[int, int] = {}
        for row in self._diagnoses:
            seqs[row["claim_index"]] = row["seq"] = seqs.get(row["claim_index"], 0) + 1
        seqs = {}
        for row in self._others:
            seqs[row["claim_index"]] = row["seq"] = seqs.get(row["claim_index"], 0) + 1

        counts: dict[int, int] = {}
        for claim in claims:
            counts[claim["transaction_index"]] = counts.get(claim["transaction_index"], 0) + 1
        headers = {row["transaction_index"]: row for row in self._headers}
        transactions = []
        for env in envelope_part.iter_rows(named=True):
            index = env["transaction_index"]
            kind = claim_type(env["implementation"] or "")
            if kind is None:
                text = claim_type_warning(
                    env["transaction_control_number"] or "",
                    env["segment_number"],
                    env["implementation"] or "",
                )
                self.diagnostics.warn("envelope", text, env["segment_number"])
            header = headers.get(index, {})
            levels = {count: header.get(count, 0) for _, count in L.LEVEL_COLUMNS.values()}
            row = {**header, **env, **levels, "claim_type": kind}
            transactions.append({**row, "claim_count": counts.get(index, 0)})

        def build(rows: list[Row], schema: dict[str, pl.DataType]) -> pl.DataFrame:
            data = [{k: row.get(k) for k in schema} for row in rows]
            return pl.DataFrame(data, schema=schema) if data else pl.DataFrame(schema=schema)

        return ClaimFrames(
            transactions=build(transactions, L.TRANSACTION_SCHEMA),
            claims=build(claims, L.CLAIM_SCHEMA),
            service_lines=build(self._lines, L.LINE_SCHEMA),
            diagnoses=build(self._diagnoses, L.DIAGNOSIS_SCHEMA),
            other_payers=build(self._others, L.OTHER_PAYER_SCHEMA),
        )
