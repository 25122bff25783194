"""The 835 remittance flattener: segment batches in, Polars frames out (vectorised).

Public API (what ingest and the KPI engine use)::

    remit = read_remittance(path)             # whole file; raises NotX12 / TruncatedX12
    remit.frames.claims, remit.frames.adjustments, ...   # columns: remittance_layout
    remit.envelope, remit.diagnostics.rendered()

    reader = SegmentFrameReader.open(path)    # streaming: memory follows one batch
    flattener = RemittanceFlattener(reader.diagnostics, reader.envelope)
    for batch in reader:
        frames = flattener.flatten(batch)     # balanced frames of this batch's 835s, or None
    # the file's outcome (ok / truncated) is known only once the loop has ended

Each batch holds whole transactions, so balancing, denial classification and summaries can run per
batch. The per-segment flattener (:mod:`collectors.edi.remittance_reference`, ``engine=
"reference"``) yields identical frames and warnings; the tests hold the two together.

How the vectorised path attributes segments: over one batch's 835 segments (only the tags in
``remittance_layout.TAGS``) the latest loop marker is a forward fill, claim and line indices are
cumulative sums of CLP/SVC markers plus the counts of earlier batches, and a "first occurrence"
value is the first row of its key (keys ascend in file order). Values are converted only when
used, so warnings match the per-segment path. Amounts of the common shape are converted in
Polars; any other amount goes through :func:`~collectors.edi.money.parse_cents` one by one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import polars as pl

from collectors.edi.balancing import balance
from collectors.edi.capping import capped
from collectors.edi.chunks import DEFAULT_CHUNK_BYTES
from collectors.edi.composites import alternative_separator_expr, normalised_composite_expr
from collectors.edi.dates import parse_date, simple_date_expr
from collectors.edi.delimiters import Delimiters
from collectors.edi.diagnostics import Diagnostics
from collectors.edi.envelope import EnvelopeTracker
from collectors.edi.fields import (
    Field,
    amount_warning,
    composite_warning,
    date_warning,
    missing_warning,
    part_missing_warning,
    structure_warning,
)
from collectors.edi.money import parse_cents, simple_cents_expr
from collectors.edi.remittance_frames import RemittanceFrames, envelope_columns
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
    REF_VALUE,
    REMARK_ELEMENTS,
    REMARK_SCHEMA,
    REVERSAL_STATUS,
    SVC_FIELDS,
    SVC_REQUIRED,
    TAGS,
    TRN_FIELDS,
    TS3_FIELDS,
    cas_triplet,
    plb_pair,
)
from collectors.edi.segment_frames import SegmentBatch, SegmentFrameReader

Engine = Literal["vectorised", "reference"]
_BLANKS = " \t\r\n"
_H = "__"  # prefix of helper columns (raw values, flags); dropped before frames leave
_STRUCTURE_TAGS = ("SVC", "CAS", "LQ", "MOA", "MIA")


Index = int | pl.Expr


def _get(index: Index) -> pl.Expr:
    return pl.col("el").list.get(index, null_on_oob=True)


def _null_if_empty(value: pl.Expr) -> pl.Expr:
    # Not Expr.replace("", None): that costs ~0.3 ms per expression per query in Polars 2.1.
    return pl.when(value != "").then(value)


def _raw(index: Index) -> pl.Expr:
    """Element ``index`` (of the ``el`` list) as sent, null when absent or empty.

    Amounts and dates are read untrimmed: a padded one is not of the common shape, so it goes to
    the per-value fallback, which trims. Everything else goes through :func:`_text`.
    """
    return _null_if_empty(_get(index))


def _text(index: Index) -> pl.Expr:
    """Element ``index`` trimmed, null when absent or empty (the per-segment ``element()``)."""
    return _null_if_empty(_get(index).str.strip_chars(_BLANKS))


def _present(index: Index) -> pl.Expr:
    return (_get(index).str.strip_chars(_BLANKS) != "").fill_null(False)


def _first_by(frame: pl.LazyFrame, key: str) -> pl.LazyFrame:
    """First row of each ``key`` (keys ascend in file order, so a shift finds group starts)."""
    return frame.filter(pl.col(key).ne_missing(pl.col(key).shift(1)))


def _join(left: pl.LazyFrame, right: pl.LazyFrame, on: str) -> pl.LazyFrame:
    return left.join(right, on=on, how="left", maintain_order="left")


def _without_helpers(frame: pl.DataFrame) -> pl.DataFrame:
    return pl.DataFrame([frame.get_column(c) for c in frame.columns if not c.startswith(_H)])


@dataclass(frozen=True)
class _Spec:
    """A query's converted fields (field, output column), all from one segment tag.

    ``part_column`` names the triplet/pair number column when the same output column holds the
    parts of CAS/PLB, whose element references depend on the part (CAS03 vs CAS06).
    """

    tag: str
    fields: tuple[tuple[Field, str], ...]
    part_column: str | None = None

    @classmethod
    def of(cls, tag: str, fields: Sequence[Field], prefix: str = "") -> _Spec:
        return cls(tag, tuple((f, prefix + f.column) for f in fields))

    def reference(self, field: Field, part: int | None) -> str:
        if part is None or self.part_column is None:
            return field.reference(self.tag)
        layout = cas_triplet if self.tag == "CAS" else plb_pair
        same = [f for f in layout(part) if f.column == field.column]
        return same[0].reference(self.tag)


class _Converter:
    """Builds two-stage field queries, then turns their flags into values and warnings."""

    def __init__(self, element: str, component: str, alternatives: list[str]) -> None:
        self.element = element
        self.component = component
        self.alternatives = alternatives

    def select(
        self,
        frame: pl.LazyFrame,
        keys: Sequence[str | pl.Expr],
        spec: _Spec,
        positions: dict[int, pl.Expr] | None = None,
    ) -> pl.LazyFrame:
        """Stage 1 extracts each element once; stage 2 converts.

        ``positions`` maps a field's element number to the list index to read instead — an
        expression, for the CAS triplets and PLB pairs exploded into one row per part.

        Besides the values, stage 2 keeps helper columns for :func:`finish_frame`: ``__s`` (amount
        of the common shape), ``__v`` (the raw amount/date), ``__d`` (malformed date) and ``__n``
        (the number of the segment the value came from, for warnings).
        """
        plain = [(f.element, f.kind) for f, _ in spec.fields if f.component is None]
        trimmed = sorted({e for e, kind in plain if kind == "text"})
        untrimmed = sorted({e for e, kind in plain if kind != "text"})
        composite = sorted({f.element for f, _ in spec.fields if f.component is not None})
        key_names = [k if isinstance(k, str) else k.meta.output_name() for k in keys]
        at = positions or {}
        stage1 = frame.select(
            *keys,
            pl.col("segment_number").alias(f"{_H}seg"),
            *[_get(at.get(e, e)).str.strip_chars(_BLANKS).alias(f"{_H}t{e}") for e in trimmed],
            *[_get(at.get(e, e)).alias(f"{_H}r{e}") for e in untrimmed],
            *[self._split(at.get(e, e)).alias(f"{_H}c{e}") for e in composite],
        )
        out: list[pl.Expr] = []
        for field, name in spec.fields:
            if field.component is not None:
                part = pl.col(f"{_H}c{field.element}").list.get(
                    field.component - 1, null_on_oob=True
                )
                out.append(_null_if_empty(part.str.strip_chars(_BLANKS)).alias(name))
                continue
            if field.kind == "text":
                out.append(_null_if_empty(pl.col(f"{_H}t{field.element}")).alias(name))
                continue
            value = _null_if_empty(pl.col(f"{_H}r{field.element}"))
            if field.kind == "date":
                parsed, simple = simple_date_expr(value)
                out += [
                    parsed.alias(name),
                    simple.alias(f"{_H}s{name}"),
                    value.alias(f"{_H}v{name}"),
                    pl.col(f"{_H}seg").alias(f"{_H}n{name}"),
                ]
            else:
                cents, simple = simple_cents_expr(value)
                if field.kind == "money_or_zero":
                    cents = pl.when(value.is_null()).then(0).otherwise(cents)
                out += [
                    cents.alias(name),
                    simple.alias(f"{_H}s{name}"),
                    value.alias(f"{_H}v{name}"),
                    pl.col(f"{_H}seg").alias(f"{_H}n{name}"),
                ]
        return stage1.select(*key_names, *out)

    def _split(self, element: Index) -> pl.Expr:
        value = normalised_composite_expr(_text(element), self.component, self.alternatives)
        return value.str.split(self.component)


def finish_frame(
    frame: pl.DataFrame, specs: Sequence[_Spec], diagnostics: Diagnostics
) -> tuple[pl.DataFrame, bool]:
    """Convert the unusual values one by one (warning as the per-segment path does).

    Returns ``(frame, an amount changed?)``; helper columns are left for the caller to drop.
    """
    fixed = False
    for spec in specs:
        for field, name in spec.fields:
            if field.kind == "text" or field.component is not None:
                continue
            # Null flags come from left joins that found no row: nothing to convert there.
            if frame.get_column(f"{_H}s{name}").fill_null(True).all():
                continue
            frame = _convert_unusual(frame, spec, field, name, diagnostics)
            fixed = fixed or field.kind != "date"
    return frame, fixed


def _convert_unusual(
    frame: pl.DataFrame, spec: _Spec, field: Field, name: str, diagnostics: Diagnostics
) -> pl.DataFrame:
    """Values not of the common shape: the per-segment rule, value by value (they are rare)."""
    flag = frame.get_column(f"{_H}s{name}").fill_null(True)
    positions = (~flag).arg_true()
    raws = frame.get_column(f"{_H}v{name}").gather(positions).to_list()
    segments = frame.get_column(f"{_H}n{name}").gather(positions).to_list()
    parts = (
        frame.get_column(spec.part_column).gather(positions).to_list()
        if spec.part_column
        else [None] * len(raws)
    )
    values: list = []
    for raw, seg, part in zip(raws, segments, parts, strict=True):
        ref = spec.reference(field, part)
        if field.kind == "date":
            value, malformed = parse_date(raw)
            if malformed:
                diagnostics.warn("date", date_warning(ref, raw.strip(_BLANKS), seg), seg)
        else:
            value, problem = parse_cents(raw)
            if problem:
                text = amount_warning(ref, raw.strip(_BLANKS), value, problem, seg)
                diagnostics.warn("amount", text, seg)
            elif value is None and field.kind == "money_or_zero":
                value = 0
        values.append(value)
    dtype = pl.Date if field.kind == "date" else pl.Int64
    column = frame.get_column(name).clone()
    column.scatter(positions, pl.Series(values, dtype=dtype))
    return frame.with_columns(column, pl.lit(True).alias(f"{_H}s{name}"))


# What ``columns="summary"`` keeps besides every amount and date: the text the inspect summary,
# the denial classification and the balance warnings read.
SUMMARY_TEXT = frozenset({"patient_control_number", "claim_status_code", "reason_code"})


class RemittanceFlattener:
    """Flattens the 835 transactions of successive batches of one file (vectorised).

    ``columns="summary"`` is for ``inspect``: every amount and date is still converted and
    checked (so the warnings are the same), but text that no summary reads (names, ids, codes
    other than :data:`SUMMARY_TEXT`, remarks) is left null. Frames for storage need ``"all"``.

    :meth:`flatten` does a batch in place. For concurrency, :meth:`prepare` (in file order, it
    reads the envelope) returns a job that may run in another thread, and :meth:`absorb` (in file
    order again) merges its warnings and turns its batch-local claim/line indices into file ones.
    """

    def __init__(
        self,
        diagnostics: Diagnostics,
        envelope: EnvelopeTracker,
        *,
        columns: Literal["all", "summary"] = "all",
    ) -> None:
        self.diagnostics = diagnostics
        self.envelope = envelope
        self.full = columns == "all"
        self._claims = 0
        self._lines = 0

    def prepare(
        self, batch: SegmentBatch
    ) -> Callable[[], tuple[RemittanceFrames, Diagnostics]] | None:
        indices = [t.index for t in batch.transactions if t.set_id == "835"]
        if not indices:
            return None
        envelope_part = envelope_columns(self.envelope, indices)
        full = self.full

        def job() -> tuple[RemittanceFrames, Diagnostics]:
            diagnostics = Diagnostics()
            frames = _BatchFlattener(diagnostics, full).flatten(batch, indices, envelope_part)
            return frames, diagnostics

        return job

    def absorb(self, result: tuple[RemittanceFrames, Diagnostics]) -> RemittanceFrames:
        frames, diagnostics = result
        self.diagnostics.merge(diagnostics)
        frames = frames.offset(self._claims, self._lines)
        self._claims += frames.claims.height
        self._lines += frames.service_lines.height
        return frames

    def flatten(self, batch: SegmentBatch) -> RemittanceFrames | None:
        """Balanced frames of the batch's 835 transactions; None when it has none."""
        job = self.prepare(batch)
        return None if job is None else self.absorb(job())


class _BatchFlattener:
    """One batch's 835 frames with batch-local claim and line indices (from 0)."""

    def __init__(self, diagnostics: Diagnostics, full: bool) -> None:
        self.diagnostics = diagnostics
        self.full = full
        self._claims = 0
        self._lines = 0

    def flatten(
        self, batch: SegmentBatch, indices: list[int], envelope_part: pl.DataFrame
    ) -> RemittanceFrames:
        self._envelope_part = envelope_part
        return self._flatten(batch, indices)

    def _context(self, batch: SegmentBatch, indices: list[int]) -> pl.DataFrame:
        """The batch's 835 segments with their loop context (see the module docstring)."""
        tag = pl.col("tag")
        loop = pl.when(tag.is_in(LOOP_TAGS)).then(tag).forward_fill()
        claim_scope = pl.when(tag.is_in(CLAIM_BOUNDARY_TAGS)).then(tag).forward_fill()
        return (
            batch.frame.lazy()
            .filter(pl.col("transaction_index").is_in(indices) & tag.is_in(TAGS))
            .select(
                "segment_number",
                "tag",
                "transaction_index",
                "text",
                q1="element1",
                loop=loop,
                in_claim=claim_scope == "CLP",
                header_number=pl.when(tag == "LX")
                .then(pl.col("element1").fill_null(""))
                .when(tag == "ST")
                .then(pl.lit(""))
                .forward_fill(),
                n1=pl.when(tag == "N1").then(pl.col("element1").fill_null("")).forward_fill(),
            )
            .with_columns(
                in_line=pl.col("in_claim") & (pl.col("loop") == "SVC"),
                header_number=_null_if_empty(pl.col("header_number")),
                claim_index=pl.when("in_claim").then(
                    (tag == "CLP").cast(pl.Int64).cum_sum() + (self._claims - 1)
                ),
            )
            .with_columns(
                line_index=pl.when("in_line").then(
                    ((tag == "SVC") & pl.col("in_claim")).cast(pl.Int64).cum_sum()
                    + (self._lines - 1)
                ),
            )
            .collect()
        )

    def _alternatives(self, ctx: pl.DataFrame, delimiters: Delimiters) -> list[str]:
        """Component separators used instead of the declared one (composites rule 2)."""
        component, element = delimiters.component, delimiters.element
        tag, text = pl.col("tag"), pl.col("text")
        svc = ctx.lazy().filter((tag == "SVC") & pl.col("in_claim"))
        split = text.str.split(element).alias("el")
        # SVC01 is the qualifier column already; SVC06 exists only on the rare long SVCs.
        values = [
            svc.select("segment_number", v="q1"),
            svc.filter(text.str.count_matches(element, literal=True) >= 6)
            .with_columns(split)
            .select("segment_number", v=_text(6)),
        ]
        plb = ctx.lazy().filter(tag == "PLB").with_columns(split)
        values += [
            plb.select("segment_number", v=_text(plb_pair(n)[0].element))
            for n in range(1, PLB_PAIRS + 1)
        ]
        used = (
            pl.concat(values, how="vertical")
            .with_columns(alt=alternative_separator_expr(pl.col("v"), component))
            .filter(pl.col("alt").is_not_null())
            .group_by("alt")
            .agg(pl.col("segment_number").min())
            .sort("alt")
            .collect()
        )
        for alt, segment in used.iter_rows():
            key, message = composite_warning(alt, component, segment)
            self.diagnostics.warn_once(key, "composite", message, segment)
        return list(used.get_column("alt"))

    # -- the batch's queries ---------------------------------------------------------------------

    def _flatten(self, batch: SegmentBatch, indices: list[int]) -> RemittanceFrames:
        ctx = self._context(batch, indices)
        self._structure_warnings(ctx)
        delimiters = batch.delimiters
        split = pl.col("text").str.split(delimiters.element).alias("el")
        present_tags = set(ctx.get_column("tag").unique().to_list())
        empty = ctx.clear().lazy().with_columns(split)

        def rows(seg_tag: str) -> pl.LazyFrame:
            # Lazy, so each query projects only what it reads (an eager split per tag costs more).
            if seg_tag not in present_tags:
                return empty
            return ctx.lazy().filter(pl.col("tag") == seg_tag).with_columns(split)

        conv = _Converter(
            delimiters.element, delimiters.component, self._alternatives(ctx, delimiters)
        )
        q1 = pl.col("q1")
        in_claim, in_line = pl.col("in_claim"), pl.col("in_line")
        claim_level = in_claim & (pl.col("loop") == "CLP")
        specs: dict[str, list[_Spec]] = {}

        def query(frame: str, source: pl.LazyFrame, keys, spec: _Spec, **kw) -> pl.LazyFrame:
            if not self.full:
                kept = [(f, c) for f, c in spec.fields if f.kind != "text" or c in SUMMARY_TEXT]
                spec = _Spec(spec.tag, tuple(kept), spec.part_column)
            specs.setdefault(frame, []).append(spec)
            return conv.select(source, keys, spec, **kw)

        # -- transactions: envelope columns, then the first of each header item --
        transactions = self._envelope_part.lazy()
        in_n1 = pl.col("loop") == "N1"
        header_items = (
            (rows("BPR"), _Spec.of("BPR", BPR_FIELDS)),
            (rows("TRN"), _Spec.of("TRN", TRN_FIELDS)),
            (rows("DTM").filter(q1 == "405"), _Spec.of("DTM", (PRODUCTION_DATE,))),
            (rows("N1").filter(q1 == "PR"), _Spec.of("N1", N1_FIELDS, "payer_")),
            (rows("N1").filter(q1 == "PE"), _Spec.of("N1", N1_FIELDS, "payee_")),
            (
                rows("REF").filter(in_n1 & (pl.col("n1") == "PR") & (q1 == "2U")),
                _Spec.of("REF", (REF_VALUE,), "payer_ref_2u_"),
            ),
            (
                rows("REF").filter(in_n1 & (pl.col("n1") == "PE") & (q1 == "TJ")),
                _Spec.of("REF", (REF_VALUE,), "payee_ref_tj_"),
            ),
        )
        if not self.full:
            header_items = (header_items[0], header_items[2])  # BPR, DTM*405: the rest is text
        for source, spec in header_items:
            first = _first_by(source, "transaction_index")
            part = query("transactions", first, ("transaction_index",), spec)
            transactions = _join(transactions, part, "transaction_index")
        if self.full:
            transactions = transactions.with_columns(
                payer_ref_2u=pl.col("payer_ref_2u_value"),
                payee_npi=pl.when(pl.col("payee_id_qualifier") == "XX").then(pl.col("payee_id")),
                payee_tax_id=pl.when(pl.col("payee_id_qualifier") == "FI")
                .then(pl.col("payee_id"))
                .otherwise(pl.col("payee_ref_tj_value")),
            )

        # -- claims, with their first NM1*QC and claim-level dates --
        missing_clp = [(~_present(e)).alias(f"{_H}m{e}") for e in CLP_REQUIRED]
        claims = query(
            "claims",
            rows("CLP"),
            ("claim_index", "transaction_index", "segment_number", "header_number", *missing_clp),
            _Spec.of("CLP", CLP_FIELDS),
        ).with_columns(
            is_reversal=(pl.col("claim_status_code") == REVERSAL_STATUS).fill_null(False),
            is_predetermination=(pl.col("claim_status_code") == PREDETERMINATION_STATUS).fill_null(
                False
            ),
        )
        if self.full:
            patient = _first_by(rows("NM1").filter(claim_level & (q1 == "QC")), "claim_index")
            patient = query("claims", patient, ("claim_index",), _Spec.of("NM1", PATIENT_FIELDS))
            claims = _join(claims, patient, "claim_index")
        claim_dtm = rows("DTM").filter(claim_level & q1.is_in(list(CLAIM_DATES)))
        checks: dict[str, pl.LazyFrame] = {}  # summary mode: values checked (warnings), not kept
        if self.full:
            for qualifier, column in CLAIM_DATES.items():
                first = _first_by(claim_dtm.filter(q1 == qualifier), "claim_index")
                spec = _Spec("DTM", ((DATE_VALUE, column),))
                part = query("claims", first, ("claim_index",), spec)
                claims = _join(claims, part, "claim_index")
        else:
            # One check for the three qualifiers: the first of each per claim, as above.
            first = claim_dtm.filter(pl.struct("claim_index", "q1").is_first_distinct())
            checks["claim_dates"] = query("claim_dates", first, (), _Spec.of("DTM", (DATE_VALUE,)))

        # -- service lines, with their first REF*6R and AMT*B6 (dates are joined after) --
        missing_svc = [(~_present(e)).alias(f"{_H}m{e}") for e in SVC_REQUIRED]
        lines = query(
            "service_lines",
            rows("SVC").filter(in_claim),
            ("line_index", "claim_index", "transaction_index", "segment_number", *missing_svc),
            _Spec.of("SVC", SVC_FIELDS),
        ).with_columns(
            line_number=pl.col("line_index") - pl.col("line_index").min().over("claim_index") + 1
        )
        line_items = [("B6", "AMT", _Spec("AMT", ((ALLOWED_AMOUNT, "allowed_cents"),)))]
        if self.full:
            line_items.append(("6R", "REF", _Spec("REF", ((REF_VALUE, "line_control_number"),))))
        for qualifier, seg_tag, spec in line_items:
            first = _first_by(rows(seg_tag).filter(in_line & (q1 == qualifier)), "line_index")
            if self.full:
                part = query("service_lines", first, ("line_index",), spec)
                lines = _join(lines, part, "line_index")
            else:
                checks["allowed"] = query("allowed", first, (), spec)
        # The first start-date and the first end-date DTM of each line, found in one pass:
        # cumulative counts of candidates, restarted at each line (lines ascend in file order).
        line_dtm = rows("DTM").filter(in_line & q1.is_in((*LINE_START_DATES, *LINE_END_DATES)))
        new_line = pl.col("line_index").ne_missing(pl.col("line_index").shift(1))

        def first_in_line(candidate: pl.Expr) -> pl.Expr:
            seen = candidate.cast(pl.Int64).cum_sum()
            before = pl.when(new_line).then(seen - candidate.cast(pl.Int64)).forward_fill()
            return candidate & (seen - before == 1)

        line_dtm = line_dtm.with_columns(
            is_start=first_in_line(q1.is_in(LINE_START_DATES)),
            is_end=first_in_line(q1.is_in(LINE_END_DATES)),
        ).filter(pl.col("is_start") | pl.col("is_end"))
        # A DTM*472 is both start and end: converted (and warned about) once.
        line_dates = query(
            "line_dates",
            line_dtm,
            ("line_index", "segment_number", "is_start", "is_end"),
            _Spec.of("DTM", (DATE_VALUE,), "line_"),
        )

        # -- CAS triplets and PLB pairs: exploded to one row per part --
        # The first triplet straight from its elements; the rare further ones exploded, one row
        # per triplet, reading elements at computed positions.
        triplet = pl.col("triplet_number")
        cas = rows("CAS").filter(in_claim)
        more = (
            cas.filter(pl.col("el").list.len() > 5)
            .with_columns(
                triplet_number=pl.int_ranges(
                    2, pl.min_horizontal(pl.col("el").list.len() // 3, CAS_TRIPLETS) + 1
                )
            )
            .explode("triplet_number")
            .filter(triplet.is_not_null())
        )
        cas_spec = _Spec("CAS", _Spec.of("CAS", cas_triplet(1)).fields, "triplet_number")
        reason, amount, _ = cas_triplet(1)
        cas_parts = []
        for source, at in (
            (cas.with_columns(triplet_number=pl.lit(1, pl.Int64)), None),
            (more, {f.element: f.element + 3 * (triplet - 1) for f in cas_triplet(1)}),
        ):
            pos = at or {f.element: f.element for f in cas_triplet(1)}
            source = source.filter(pl.any_horizontal(_present(i) for i in pos.values()))
            cas_parts.append(
                query(
                    "adjustments",
                    source,
                    (
                        "transaction_index",
                        "claim_index",
                        "line_index",
                        pl.when(in_line)
                        .then(pl.lit("line"))
                        .otherwise(pl.lit("claim"))
                        .alias("level"),
                        "segment_number",
                        "triplet_number",
                        _text(1).alias("group_code"),
                        (~_present(pos[reason.element])).alias(f"{_H}m_reason"),
                        (~_present(pos[amount.element])).alias(f"{_H}m_amount"),
                    ),
                    cas_spec,
                    positions=at,
                )
            )
        specs["adjustments"] = specs["adjustments"][:1]  # both parts share one spec
        adjustments = pl.concat(cas_parts, how="vertical")
        pair = pl.col("pair_number")
        plb = rows("PLB")
        pairs = (
            plb.with_columns(
                pair_number=pl.int_ranges(
                    1, pl.min_horizontal((pl.col("el").list.len() - 2) // 2, PLB_PAIRS) + 1
                )
            )
            .explode("pair_number")
            .filter(pair.is_not_null())
        )
        at = {f.element: f.element + 2 * (pair - 1) for f in plb_pair(1)}
        reason, _, amount = plb_pair(1)
        pairs = pairs.filter(_present(at[reason.element]) | _present(at[amount.element]))
        pairs = query(
            "provider_adjustments",
            pairs,
            (
                "transaction_index",
                "segment_number",
                "pair_number",
                (~_present(at[reason.element])).alias(f"{_H}m_reason"),
                (~_present(at[amount.element])).alias(f"{_H}m_amount"),
            ),
            _Spec("PLB", _Spec.of("PLB", plb_pair(1)).fields, "pair_number"),
            positions=at,
        )
        common = query("plb_common", plb, ("segment_number",), _Spec.of("PLB", PLB_FIELDS))

        # -- remarks and provider summaries --
        lq = (
            rows("LQ")
            .filter(in_claim & _present(2))
            .select(
                "transaction_index",
                "claim_index",
                "line_index",
                "segment_number",
                element=pl.lit("LQ02"),
                code_list_qualifier=q1,
                remark_code=_text(2),
            )
        )
        coded = [
            rows(remark_tag)
            .filter(in_claim)
            .with_columns(position=pl.lit(list(positions), pl.List(pl.Int64)))
            .explode("position")
            .filter(_present(pl.col("position")))
            .select(
                "transaction_index",
                "claim_index",
                pl.lit(None, pl.Int64).alias("line_index"),
                "segment_number",
                element=pl.format(
                    "{}{}", pl.col("tag"), pl.col("position").cast(pl.String).str.zfill(2)
                ),
                code_list_qualifier=pl.lit("HE"),
                remark_code=_text(pl.col("position")),
            )
            for remark_tag, positions in REMARK_ELEMENTS.items()
        ]
        remarks = pl.concat([lq, *coded], how="vertical").sort("segment_number", "element")
        if not self.full:
            remarks = pl.LazyFrame(schema=REMARK_SCHEMA)
        summaries = query(
            "provider_summaries",
            rows("TS3"),
            ("transaction_index", "segment_number", "header_number"),
            _Spec.of("TS3", TS3_FIELDS),
        )

        outputs = {
            "transactions": transactions,
            "claims": claims,
            "service_lines": lines,
            "adjustments": adjustments.sort("segment_number", "triplet_number"),
            "provider_adjustments": pairs.sort("segment_number", "pair_number"),
            "plb_common": common,
            "remarks": remarks,
            "provider_summaries": summaries,
            "line_dates": line_dates,
            **checks,
        }
        collected = {name: q.collect() for name, q in outputs.items()}
        return self._finish(collected, specs)

    def _finish(
        self, collected: dict[str, pl.DataFrame], specs: dict[str, list[_Spec]]
    ) -> RemittanceFrames:
        """Warnings and rare per-value conversions on the collected frames, then balancing."""
        self._missing(collected["claims"], "CLP", CLP_REQUIRED)
        self._missing(collected["service_lines"], "SVC", SVC_REQUIRED)
        for name, tag, part in (
            ("adjustments", "CAS", "triplet"),
            ("provider_adjustments", "PLB", "pair"),
        ):
            self._part_missing(collected[name], tag, part)
        for name, frame_specs in specs.items():
            collected[name], _ = finish_frame(collected[name], frame_specs, self.diagnostics)
        dates = collected["line_dates"]
        lines = collected["service_lines"]
        for flag, column in (("is_start", "service_date_start"), ("is_end", "service_date_end")):
            if not self.full:
                break  # the summary reads no line dates (they were checked all the same)
            dated = dates.filter(flag).select("line_index", pl.col("line_date").alias(column))
            lines = lines.join(dated, on="line_index", how="left", maintain_order="left")
        common = _without_helpers(collected["plb_common"])
        pairs = _without_helpers(collected["provider_adjustments"]).join(
            common, on="segment_number", how="left", maintain_order="left"
        )
        raw = RemittanceFrames(
            transactions=_without_helpers(collected["transactions"]),
            claims=_without_helpers(collected["claims"]),
            service_lines=_without_helpers(lines),
            adjustments=_without_helpers(collected["adjustments"]),
            provider_adjustments=pairs,
            remarks=collected["remarks"],
            provider_summaries=_without_helpers(collected["provider_summaries"]),
        )
        return balance(raw, self.diagnostics, conform_columns=self.full)

    # -- warnings --------------------------------------------------------------------------------

    def _structure_warnings(self, ctx: pl.DataFrame) -> None:
        outside = ctx.get_column("tag").is_in(_STRUCTURE_TAGS) & ~ctx.get_column("in_claim")
        if not outside.any():
            return
        stray, more = capped(ctx.filter(outside).select("segment_number", "tag"))
        self.diagnostics.count_more("structure", more)
        for seg, seg_tag in stray.iter_rows():
            self.diagnostics.warn("structure", structure_warning(seg_tag, seg), seg)

    def _missing(self, frame: pl.DataFrame, tag: str, required: tuple[int, ...]) -> None:
        for e in required:
            flag = frame.get_column(f"{_H}m{e}")
            if not flag.any():
                continue
            rows, more = capped(frame.filter(flag).select("segment_number"))
            self.diagnostics.count_more("missing", more)
            for (seg,) in rows.iter_rows():
                self.diagnostics.warn("missing", missing_warning(f"{tag}{e:02d}", seg), seg)

    def _part_missing(self, frame: pl.DataFrame, tag: str, part: str) -> None:
        for what, column in (("no reason code", "m_reason"), ("no amount", "m_amount")):
            flag = frame.get_column(f"{_H}{column}")
            if not flag.any():
                continue
            rows, more = capped(frame.filter(flag).select("segment_number", f"{part}_number"))
            self.diagnostics.count_more("missing", more)
            for seg, n in rows.iter_rows():
                self.diagnostics.warn("missing", part_missing_warning(tag, seg, part, n, what), seg)


@dataclass
class Remittance:
    """One file's 835 frames with its envelope and warnings."""

    frames: RemittanceFrames
    envelope: EnvelopeTracker
    diagnostics: Diagnostics


def read_remittance(
    path: str | Path, *, engine: Engine = "vectorised", chunk_bytes: int = DEFAULT_CHUNK_BYTES
) -> Remittance:
    """All 835 frames of a file (other transaction sets are skipped)."""
    if engine == "reference":
        return _read_reference(path, chunk_bytes)
    reader = SegmentFrameReader.open(path, chunk_bytes=chunk_bytes)
    flattener = RemittanceFlattener(reader.diagnostics, reader.envelope)
    parts = [frames for batch in reader if (frames := flattener.flatten(batch)) is not None]
    return Remittance(RemittanceFrames.concat(parts), reader.envelope, reader.diagnostics)


def _read_reference(path: str | Path, chunk_bytes: int) -> Remittance:
    from collectors.edi.remittance_reference import RemittanceRowBuilder
    from collectors.edi.segments import SegmentReader

    reader = SegmentReader.open(path, chunk_bytes=chunk_bytes)
    builder = RemittanceRowBuilder(reader.diagnostics)
    env = reader.envelope
    for seg in reader:
        index = seg.transaction_index
        if index is not None and env.transactions[index].set_id == "835":
            builder.add(seg)
    indices = [t.index for t in env.transactions if t.set_id == "835"]
    raw = builder.frames(envelope_columns(env, indices))
    frames = balance(raw, reader.diagnostics) if indices else RemittanceFrames.empty()
    return Remittance(frames, env, reader.diagnostics)
