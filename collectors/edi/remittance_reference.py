"""The per-segment 835 flattener: a plain state machine over segments (``SegmentReader``).

It is the reference the vectorised flattener (:mod:`collectors.edi.remittance`) is tested against,
segment for segment: same layout (:mod:`collectors.edi.remittance_layout`), same value rules, same
warnings. It is also the path for files the vectorised tokenizer declines (see
``segment_frames.VectorisedPathUnavailable``).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from collectors.edi.diagnostics import Diagnostics
from collectors.edi.fields import (
    Field,
    missing_warning,
    part_missing_warning,
    read_field,
    structure_warning,
)
from collectors.edi.remittance_frames import (
    HEADER_SCHEMA,
    RemittanceFrames,
    assemble_transactions,
)
from collectors.edi.remittance_layout import (
    ALLOWED_AMOUNT,
    BPR_FIELDS,
    CAS_TRIPLETS,
    CLAIM_BOUNDARY_TAGS,
    CLAIM_DATES,
    CLP_FIELDS,
    CLP_REQUIRED,
    DATE_VALUE,
    LINE_END_DATES,
    LINE_START_DATES,
    LOOP_TAGS,
    N1_FIELDS,
    PATIENT_FIELDS,
    PLB_FIELDS,
    PLB_PAIRS,
    PREDETERMINATION_STATUS,
    PRODUCTION_DATE,
    RAW_SCHEMAS,
    REF_VALUE,
    REMARK_ELEMENTS,
    REVERSAL_STATUS,
    SVC_FIELDS,
    SVC_REQUIRED,
    TAGS,
    TRN_FIELDS,
    TS3_FIELDS,
    cas_triplet,
    plb_pair,
)
from collectors.edi.segments import Segment

_TAGS = frozenset(TAGS)
_LOOP_TAGS = frozenset(LOOP_TAGS)
_CLAIM_BOUNDARY = frozenset(CLAIM_BOUNDARY_TAGS)


class RemittanceRowBuilder:
    """Feed it the segments of 835 transactions in file order; ``frames()`` gives raw frames."""

    def __init__(self, diagnostics: Diagnostics) -> None:
        self.diagnostics = diagnostics
        self._rows: dict[str, list[dict[str, Any]]] = {
            "header": [],
            "claims": [],
            "service_lines": [],
            "adjustments": [],
            "provider_adjustments": [],
            "remarks": [],
            "provider_summaries": [],
        }
        self._claims = 0
        self._lines = 0
        self._txn_index: int | None = None

    # -- helpers ---------------------------------------------------------------------------------

    def _read(self, seg: Segment, fields: tuple[Field, ...]) -> dict[str, Any]:
        comp = seg.delimiters.component
        return {
            f.column: read_field(f, seg.tag, seg.elements, comp, seg.number, self.diagnostics)
            for f in fields
        }

    def _read_one(self, seg: Segment, field: Field) -> Any:
        return self._read(seg, (field,))[field.column]

    def _start_transaction(self, index: int) -> None:
        self._txn_index = index
        self._loop: str | None = None
        self._claim_scope: str | None = None
        self._n1: str | None = None
        self._header_number: str | None = None
        self._claim: dict[str, Any] | None = None
        self._line: dict[str, Any] | None = None
        self._txn: dict[str, Any] = {"transaction_index": index}
        self._rows["header"].append(self._txn)

    def _first(self, row: dict[str, Any], key: str) -> bool:
        """True the first time ``key`` is claimed in ``row`` (first occurrence wins)."""
        if key in row:
            return False
        row[key] = None
        return True

    # -- feeding ---------------------------------------------------------------------------------

    def add(self, seg: Segment) -> None:
        tag = seg.tag
        if tag not in _TAGS or seg.transaction_index is None:
            return
        if seg.transaction_index != self._txn_index:
            self._start_transaction(seg.transaction_index)
        if tag in _LOOP_TAGS:
            self._loop = tag
            if tag in _CLAIM_BOUNDARY:
                self._claim_scope = tag
        in_claim = self._claim_scope == "CLP"
        in_line = in_claim and self._loop == "SVC"
        handler = getattr(self, f"_on_{tag.lower()}", None)
        if handler is not None:
            handler(seg, in_claim, in_line)

    def _on_st(self, seg: Segment, in_claim: bool, in_line: bool) -> None:
        self._header_number = None

    def _on_bpr(self, seg: Segment, in_claim: bool, in_line: bool) -> None:
        if self._first(self._txn, "__bpr"):
            self._txn.update(self._read(seg, BPR_FIELDS))

    def _on_trn(self, seg: Segment, in_claim: bool, in_line: bool) -> None:
        if self._first(self._txn, "__trn"):
            self._txn.update(self._read(seg, TRN_FIELDS))

    def _on_dtm(self, seg: Segment, in_claim: bool, in_line: bool) -> None:
        qualifier = seg.element(1)
        if qualifier == "405":
            if self._first(self._txn, "__405"):
                self._txn["production_date"] = self._read_one(seg, PRODUCTION_DATE)
        elif in_line:
            line = self._line
            assert line is not None
            start = qualifier in LINE_START_DATES and self._first(line, "__start")
            end = qualifier in LINE_END_DATES and self._first(line, "__end")
            if start or end:
                value = self._read_one(seg, DATE_VALUE)
                if start:
                    line["service_date_start"] = value
                if end:
                    line["service_date_end"] = value
        elif in_claim and self._loop == "CLP" and qualifier in CLAIM_DATES:
            claim = self._claim
            assert claim is not None
            column = CLAIM_DATES[qualifier]
            if self._first(claim, f"__{column}"):
                claim[column] = self._read_one(seg, DATE_VALUE)

    def _on_n1(self, seg: Segment, in_claim: bool, in_line: bool) -> None:
        qualifier = seg.element(1)
        self._n1 = qualifier
        party = {"PR": "payer", "PE": "payee"}.get(qualifier)
        if party and self._first(self._txn, f"__{party}"):
            values = self._read(seg, N1_FIELDS)
            for key, value in values.items():
                self._txn[f"{party}_{key}"] = value
            if party == "payee":
                qual, ident = values["id_qualifier"], values["id"]
                self._txn["payee_npi"] = ident if qual == "XX" else None
                if qual == "FI":
                    self._txn["payee_tax_id"] = ident
                    self._txn["__tj"] = None

    def _on_ref(self, seg: Segment, in_claim: bool, in_line: bool) -> None:
        qualifier = seg.element(1)
        if self._loop == "N1":
            if self._n1 == "PR" and qualifier == "2U" and self._first(self._txn, "__2u"):
                self._txn["payer_ref_2u"] = self._read_one(seg, REF_VALUE)
            elif self._n1 == "PE" and qualifier == "TJ" and self._first(self._txn, "__tj"):
                self._txn["payee_tax_id"] = self._read_one(seg, REF_VALUE)
        elif in_line and qualifier == "6R":
            line = self._line
            assert line is not None
            if self._first(line, "__6r"):
                line["line_control_number"] = self._read_one(seg, REF_VALUE)

    def _on_lx(self, seg: Segment, in_claim: bool, in_line: bool) -> None:
        self._header_number = seg.element(1) or None

    def _on_ts3(self, seg: Segment, in_claim: bool, in_line: bool) -> None:
        row = {
            "transaction_index": self._txn_index,
            "segment_number": seg.number,
            "header_number": self._header_number,
            **self._read(seg, TS3_FIELDS),
        }
        self._rows["provider_summaries"].append(row)

    def _on_clp(self, seg: Segment, in_claim: bool, in_line: bool) -> None:
        values = self._read(seg, CLP_FIELDS)
        for element in CLP_REQUIRED:
            if not seg.element(element):
                self.diagnostics.warn(
                    "missing", missing_warning(f"CLP{element:02d}", seg.number), seg.number
                )
        status = values["claim_status_code"]
        self._claim = {
            "claim_index": self._claims,
            "transaction_index": self._txn_index,
            "segment_number": seg.number,
            "header_number": self._header_number,
            **values,
            "is_reversal": status == REVERSAL_STATUS,
            "is_predetermination": status == PREDETERMINATION_STATUS,
            "__lines": 0,
        }
        self._claims += 1
        self._rows["claims"].append(self._claim)

    def _on_nm1(self, seg: Segment, in_claim: bool, in_line: bool) -> None:
        if in_claim and self._loop == "CLP" and seg.element(1) == "QC":
            claim = self._claim
            assert claim is not None
            if self._first(claim, "__qc"):
                claim.update(self._read(seg, PATIENT_FIELDS))

    def _on_svc(self, seg: Segment, in_claim: bool, in_line: bool) -> None:
        if not in_claim:
            self.diagnostics.warn("structure", structure_warning("SVC", seg.number), seg.number)
            return
        claim = self._claim
        assert claim is not None
        values = self._read(seg, SVC_FIELDS)
        for element in SVC_REQUIRED:
            if not seg.element(element):
                self.diagnostics.warn(
                    "missing", missing_warning(f"SVC{element:02d}", seg.number), seg.number
                )
        claim["__lines"] += 1
        self._line = {
            "line_index": self._lines,
            "claim_index": claim["claim_index"],
            "transaction_index": self._txn_index,
            "segment_number": seg.number,
            "line_number": claim["__lines"],
            **values,
        }
        self._lines += 1
        self._rows["service_lines"].append(self._line)

    def _on_cas(self, seg: Segment, in_claim: bool, in_line: bool) -> None:
        if not in_claim:
            self.diagnostics.warn("structure", structure_warning("CAS", seg.number), seg.number)
            return
        claim = self._claim
        assert claim is not None
        line_index = self._line["line_index"] if in_line and self._line else None
        group = seg.element(1) or None
        for n in range(1, CAS_TRIPLETS + 1):
            reason, amount, quantity = cas_triplet(n)
            if not any(seg.element(f.element) for f in (reason, amount, quantity)):
                continue
            for f, what in ((reason, "no reason code"), (amount, "no amount")):
                if not seg.element(f.element):
                    text = part_missing_warning("CAS", seg.number, "triplet", n, what)
                    self.diagnostics.warn("missing", text, seg.number)
            row = {
                "transaction_index": self._txn_index,
                "claim_index": claim["claim_index"],
                "line_index": line_index,
                "level": "line" if in_line else "claim",
                "segment_number": seg.number,
                "triplet_number": n,
                "group_code": group,
                **self._read(seg, (reason, amount, quantity)),
            }
            self._rows["adjustments"].append(row)

    def _on_amt(self, seg: Segment, in_claim: bool, in_line: bool) -> None:
        if in_line and seg.element(1) == "B6":
            line = self._line
            assert line is not None
            if self._first(line, "__b6"):
                line["allowed_cents"] = self._read_one(seg, ALLOWED_AMOUNT)

    def _remark(self, seg: Segment, element: int, qualifier: str, line_index: int | None) -> None:
        code = seg.element(element)
        if not code:
            return
        claim = self._claim
        assert claim is not None
        self._rows["remarks"].append(
            {
                "transaction_index": self._txn_index,
                "claim_index": claim["claim_index"],
                "line_index": line_index,
                "segment_number": seg.number,
                "element": f"{seg.tag}{element:02d}",
                "code_list_qualifier": qualifier or None,
                "remark_code": code,
            }
        )

    def _on_lq(self, seg: Segment, in_claim: bool, in_line: bool) -> None:
        if not in_claim:
            self.diagnostics.warn("structure", structure_warning("LQ", seg.number), seg.number)
            return
        line_index = self._line["line_index"] if in_line and self._line else None
        self._remark(seg, 2, seg.element(1), line_index)

    def _on_moa(self, seg: Segment, in_claim: bool, in_line: bool) -> None:
        if not in_claim:
            self.diagnostics.warn("structure", structure_warning(seg.tag, seg.number), seg.number)
            return
        for element in REMARK_ELEMENTS[seg.tag]:
            self._remark(seg, element, "HE", None)

    _on_mia = _on_moa

    def _on_plb(self, seg: Segment, in_claim: bool, in_line: bool) -> None:
        common = self._read(seg, PLB_FIELDS)
        for n in range(1, PLB_PAIRS + 1):
            reason, reference, amount = plb_pair(n)
            has_reason = bool(seg.element(reason.element))
            has_amount = bool(seg.element(amount.element))
            if not (has_reason or has_amount):
                continue
            if not has_reason or not has_amount:
                what = "no reason code" if not has_reason else "no amount"
                text = part_missing_warning("PLB", seg.number, "pair", n, what)
                self.diagnostics.warn("missing", text, seg.number)
            row = {
                "transaction_index": self._txn_index,
                "segment_number": seg.number,
                "pair_number": n,
                **common,
                **self._read(seg, (reason, reference, amount)),
            }
            self._rows["provider_adjustments"].append(row)

    # -- output ----------------------------------------------------------------------------------

    def frames(self, transactions: pl.DataFrame) -> RemittanceFrames:
        """Raw frames; ``transactions`` holds the envelope columns of the 835s seen."""

        def build(name: str, schema: dict[str, pl.DataType]) -> pl.DataFrame:
            rows = [{k: row.get(k) for k in schema} for row in self._rows[name]]
            return pl.DataFrame(rows, schema=schema) if rows else pl.DataFrame(schema=schema)

        header = build("header", HEADER_SCHEMA)
        out = {
            name: build(name, schema)
            for name, schema in RAW_SCHEMAS.items()
            if name != "transactions"
        }
        return RemittanceFrames(transactions=assemble_transactions(transactions, header), **out)
