"""The 837 claim flattener: segment batches in, Polars frames out (vectorised).

Public API (what ingest and inspect use)::

    claims = read_claims(path)                # whole file; raises NotX12 / TruncatedX12
    claims.frames.claims, claims.frames.service_lines, ...   # columns: claim_layout

    reader = SegmentFrameReader.open(path)    # streaming: memory follows one batch
    flattener = ClaimFlattener(reader.diagnostics, reader.envelope)
    for batch in reader:
        frames = flattener.flatten(batch)     # ClaimFrames of this batch's 837s, or None

The per-segment flattener (:mod:`collectors.edi.claim_reference`, ``engine="reference"``) yields
identical frames and warnings; the tests hold the two together.

How the vectorised path attributes segments (claim_layout's rules): over a batch's 837 segments
the HL levels, the claim, other-payer and line loops are forward fills and cumulative sums of
their marker segments; each value is read by one query over the segments of one tag, filtered to
its loop and reduced to the first row of its key; the queries run together
(:func:`collectors.edi.frame_values.collect`) and are joined to claims by key afterwards, so each
value is converted — and warned about — once, from the segment it came from.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import polars as pl

from collectors.edi import claim_layout as L
from collectors.edi import frame_values as V
from collectors.edi.capping import capped
from collectors.edi.chunks import DEFAULT_CHUNK_BYTES
from collectors.edi.claim_frames import ClaimFrames, transaction_envelope
from collectors.edi.claim_quick import quick_counts
from collectors.edi.diagnostics import Diagnostics
from collectors.edi.envelope import EnvelopeTracker
from collectors.edi.fields import Field, missing_warning, structure_warning
from collectors.edi.guides import claim_type, claim_type_warning
from collectors.edi.hierarchy import check_hls, with_levels
from collectors.edi.inspect_totals import ClaimTotals
from collectors.edi.segment_frames import SegmentBatch

Engine = Literal["vectorised", "reference"]
Columns = Literal["all", "summary"]
_STRUCTURE = "structure"


def claim_types(envelope_part: pl.DataFrame, diagnostics: Diagnostics) -> list[str | None]:
    """Each transaction's claim type (guides.claim_type), warning about unknown ones."""
    kinds = []
    for control, seg, impl in envelope_part.select(
        "transaction_control_number", "segment_number", "implementation"
    ).iter_rows():
        kinds.append(claim_type(impl or ""))
        if kinds[-1] is None:
            diagnostics.warn("envelope", claim_type_warning(control or "", seg, impl or ""), seg)
    return kinds


def orphan_claim_warning(segment: int) -> str:
    return (
        f"CLM at segment {segment} is not under a subscriber or patient HL: its subscriber, "
        "payer and patient are empty"
    )


def no_lx_warning(tag: str, segment: int) -> str:
    return f"{tag} at segment {segment} is not in a service line (LX) loop: line_number left empty"


def diagnosis_warning(element: int, value: str, segment: int) -> str:
    return f"HI{element:02d} {value!r} at segment {segment} is not a qualifier and code: skipped"


class ClaimFlattener:
    """Flattens the 837 transactions of successive batches of one file (vectorised).

    ``columns="summary"`` is for ``inspect``: amounts, dates and everything that can warn are
    still read (so the warnings are those of a full flattening), names and ids are left null.
    :meth:`prepare` / :meth:`absorb` split :meth:`flatten` for threads, as RemittanceFlattener.
    """

    def __init__(
        self, diagnostics: Diagnostics, envelope: EnvelopeTracker, *, columns: Columns = "all"
    ) -> None:
        self.diagnostics = diagnostics
        self.envelope = envelope
        self.full = columns == "all"
        self._claims = 0
        self._lines = 0
        self._levels = dict.fromkeys(L.HL_LEVELS, 0)

    def prepare(self, batch: SegmentBatch) -> Callable[[], tuple[ClaimFrames, Diagnostics]] | None:
        indices = [t.index for t in batch.transactions if t.set_id == "837"]
        if not indices:
            return None
        envelope_part = transaction_envelope(self.envelope, indices)
        kinds = claim_types(envelope_part, self.diagnostics)
        full = self.full

        def job() -> tuple[ClaimFrames, Diagnostics]:
            diagnostics = Diagnostics()
            batch_claims = _BatchClaims(diagnostics, batch, full)
            return batch_claims.flatten(indices, envelope_part, kinds), diagnostics

        return job

    def absorb(self, result: tuple[ClaimFrames, Diagnostics]) -> ClaimFrames:
        frames, diagnostics = result
        self.diagnostics.merge(diagnostics)
        shifts = {"claim_index": self._claims, "line_index": self._lines}
        for level, (index, _) in L.LEVEL_COLUMNS.items():
            shifts[index] = self._levels[level]
        frames = frames.offset(shifts)
        self._claims += frames.claims.height
        self._lines += frames.service_lines.height
        for level, (_, count) in L.LEVEL_COLUMNS.items():
            self._levels[level] += int(frames.transactions.get_column(count).sum())
        return frames

    def flatten(self, batch: SegmentBatch) -> ClaimFrames | None:
        job = self.prepare(batch)
        return None if job is None else self.absorb(job())


def batch_counts(batch: SegmentBatch, indices: list[int], diagnostics: Diagnostics) -> ClaimTotals:
    """Inspect's totals of a batch's 837s (``indices``) and their warnings, claim types aside.

    Batches that cannot warn take :func:`collectors.edi.claim_quick.quick_counts`; the others
    are flattened in summary mode, which words the warnings.
    """
    counts = quick_counts(batch, indices, diagnostics)
    if counts is not None:
        return counts
    envelope_part = pl.DataFrame(
        {"transaction_index": indices}, schema={"transaction_index": pl.Int64}
    )
    frames = _BatchClaims(diagnostics, batch, False).flatten(indices, envelope_part)
    charge = frames.claims.get_column("charge_cents").sum()
    return ClaimTotals(frames.claims.height, frames.service_lines.height, int(charge or 0))


def _ordinal(marker: pl.Expr) -> pl.Expr:
    """1-based running count of ``marker`` rows."""
    return marker.cast(pl.Int64).cum_sum()


Named = Sequence[tuple[Field, str]]


def _named(fields: tuple[Field, ...], prefix: str = "") -> Named:
    return [(f, prefix + f.column) for f in fields]


class _Queries:
    """The batch's queries by name, built with the reading rules of one delimiters set."""

    def __init__(self, full: bool) -> None:
        self.full = full
        self.items: dict[str, V.Query] = {}
        self.periods: dict[str, tuple[str, str]] = {}

    def add(
        self,
        name: str,
        tag: str,
        source: pl.LazyFrame,
        keys: tuple[str, ...],
        fields: Named = (),
        *,
        composites: tuple[str, ...] = (),
        **extra: pl.Expr,
    ) -> None:
        """Keys, segment_number, the fields (text ones only when full) and ``extra`` columns."""
        exprs: list[pl.Expr] = []
        conversions: list[V.Conversion] = []
        for f, column in fields:
            if f.kind == "text":
                if self.full:
                    exprs.append(V.text(f.element).alias(column))
                continue
            kind: V.Kind = "date" if f.kind == "date" else "money"
            exprs += V.converted(column, kind, f.reference(tag), V.raw(f.element))
            conversions.append(V.Conversion(column, kind, f.reference(tag)))
        extras = [e.alias(n) for n, e in extra.items()]
        frame = source.select(*keys, "segment_number", *exprs, *extras)
        self.items[name] = V.Query(frame, conversions, list(composites))

    def period(
        self, name: str, source: pl.LazyFrame, keys: tuple[str, ...], columns: tuple[str, str]
    ) -> None:
        exprs, conversions = V.period(*columns)
        self.items[name] = V.Query(source.select(*keys, "segment_number", *exprs), conversions)
        self.periods[name] = columns

    def run(self, diagnostics: Diagnostics, declared: str) -> dict[str, pl.DataFrame]:
        names = list(self.items)
        frames = V.collect([self.items[n] for n in names], diagnostics, declared)
        done = dict(zip(names, frames, strict=True))
        for name, (start, end) in self.periods.items():
            done[name] = V.close_period(done[name], start, end)
        return done


class _BatchClaims:
    """One batch's 837 frames with batch-local claim and line indices (from 0)."""

    def __init__(self, diagnostics: Diagnostics, batch: SegmentBatch, full: bool) -> None:
        self.diagnostics = diagnostics
        self.batch = batch
        self.full = full
        self.declared = batch.delimiters.component

    def _context(self, indices: list[int]) -> pl.DataFrame:
        """The batch's 837 segments, split, with their loop context (claim_layout)."""
        tag, q1 = pl.col("tag"), pl.col("q1")
        hl, st = tag == "HL", tag == "ST"
        in_claim, part = pl.col("in_claim"), pl.col("part")
        lines = in_claim & tag.is_in(L.LINE_TAGS)
        segments = (
            self.batch.frame.lazy()
            .filter(pl.col("transaction_index").is_in(indices) & tag.is_in(L.TAGS))
            .select("segment_number", "tag", "transaction_index", "text", q1="element1")
        )
        names = {L.BILLING_LEVEL: "bp", L.SUBSCRIBER_LEVEL: "sub", L.PATIENT_LEVEL: "pat"}
        element = self.batch.delimiters.element
        return (
            with_levels(segments, L.HIERARCHY, names, element=element)
            .with_columns(
                scope=pl.when(hl).then("level").when(st).then(pl.lit("")).forward_fill(),
                in_claim=(
                    pl.when(tag.is_in(L.CLAIM_BOUNDARY_TAGS)).then(tag).forward_fill() == "CLM"
                ),
                part=pl.when(tag.is_in(L.PART_TAGS))
                .then(tag)
                .when(tag.is_in(("ST", "HL", "SE")))
                .then(pl.lit(""))
                .forward_fill(),
                loop_tag=pl.when(tag.is_in((*L.LOOP_TAGS, "NM1"))).then(tag).forward_fill(),
                loop_entity=pl.when(tag == "NM1")
                .then(q1.fill_null(""))
                .when(tag.is_in(L.LOOP_TAGS))
                .then(pl.lit(""))
                .forward_fill(),
            )
            .with_columns(
                claim=pl.when(in_claim).then(_ordinal(tag == "CLM") - 1),
                op=pl.when(in_claim & (part == "SBR")).then(
                    _ordinal(in_claim & (tag == "SBR")) - 1
                ),
                lx=pl.when(in_claim & (part == "LX")).then(_ordinal(in_claim & (tag == "LX")) - 1),
                line=pl.when(lines).then(_ordinal(lines) - 1),
            )
            .collect()
        )

    def _split(self) -> pl.Expr:
        """A segment's elements as a list (index 0 is the tag)."""
        return pl.col("text").str.split(self.batch.delimiters.element)

    def flatten(
        self,
        indices: list[int],
        envelope_part: pl.DataFrame,
        kinds: list[str | None] | None = None,
    ) -> ClaimFrames:
        """``envelope_part``: the transactions' envelope columns; ``kinds``: their claim types
        (:func:`claim_types`; None leaves the column empty)."""
        ctx = self._context(indices)
        by_tag = {key[0]: frame for key, frame in ctx.partition_by("tag", as_dict=True).items()}
        empty = ctx.clear()
        split = self._split().alias("el")

        def rows(tag: str) -> pl.LazyFrame:
            """The batch's segments of ``tag``, with their elements (``el``)."""
            return by_tag.get(tag, empty).lazy().with_columns(split)

        def nm1(entity: str) -> pl.LazyFrame:
            return rows("NM1").filter(q1 == entity)

        def loop_is(marker: str) -> pl.Expr:
            """In the loop of ``marker``: a loop tag, or NM1 + entity code (``NM185``)."""
            if marker.startswith("NM1"):
                return (pl.col("loop_tag") == "NM1") & (pl.col("loop_entity") == marker[3:])
            return pl.col("loop_tag") == marker

        check_hls(L.HIERARCHY, rows("HL").collect(), self.diagnostics)
        q1 = pl.col("q1")
        scope, part = pl.col("scope"), pl.col("part")
        in_claim, outside = pl.col("in_claim"), ~pl.col("in_claim")
        full, declared = self.full, self.declared
        q = _Queries(full)
        tx = ("transaction_index",)

        # -- transactions: BHT, submitter (1000A), receiver (1000B) --
        q.add("bht", "BHT", V.first_by(rows("BHT"), *tx), tx, _named(L.BHT_FIELDS))
        if full:
            for entity, prefix in L.PARTIES.items():
                source = V.first_by(nm1(entity).filter(scope == ""), *tx)
                q.add(prefix, "NM1", source, tx, _named(L.PARTY_FIELDS, prefix))

        # -- billing providers (2000A), subscribers (2000B), patients (2000C) --
        q.items["hl_counts"] = V.Query(
            rows("HL").select("transaction_index", "segment_number", "level")
        )
        if full:
            for key, level, column in (
                ("bp", L.BILLING_LEVEL, "billing_provider_hl"),
                ("sub", L.SUBSCRIBER_LEVEL, "subscriber_hl"),
                ("pat", L.PATIENT_LEVEL, "patient_hl"),
            ):
                source = rows("HL").filter(pl.col("level") == level)
                q.add(f"{key}_hl", "HL", source, (key,), **{column: V.text(1)})
            in_billing = (scope == L.BILLING_LEVEL) & outside
            source = V.first_by(nm1("85").filter(in_billing), "bp")
            q.add(
                "billing", "NM1", source, ("bp",), billing_name=V.text(3), billing_npi=V.npi(8, 9)
            )
            source = rows("REF").filter(in_billing & loop_is("NM185") & (q1 == "EI"))
            q.add("tax", "REF", V.first_by(source, "bp"), ("bp",), billing_tax_id=V.text(2))
            source = V.first_by(nm1("87").filter(in_billing), "bp")
            q.add("pay_to", "NM1", source, ("bp",), pay_to_npi=V.npi(8, 9))
            in_subscriber = (scope == L.SUBSCRIBER_LEVEL) & outside
            source = V.first_by(rows("SBR").filter(in_subscriber), "sub")
            q.add("sbr", "SBR", source, ("sub",), _named(L.SBR_FIELDS))
            for entity, (fields, prefix) in L.SUBSCRIBER_PARTIES.items():
                source = V.first_by(nm1(entity).filter(in_subscriber), "sub")
                q.add(f"subscriber_{entity}", "NM1", source, ("sub",), _named(fields, prefix))
            in_patient = (scope == L.PATIENT_LEVEL) & outside
            source = V.first_by(nm1("QC").filter(in_patient), "pat")
            q.add("patient", "NM1", source, ("pat",), _named(L.PATIENT_FIELDS, "patient_"))
            source = V.first_by(rows("PAT").filter(in_patient), "pat")
            q.add("relationship", "PAT", source, ("pat",), patient_relationship=V.text(1))
        for key, level, entity, prefix in (
            ("sub", L.SUBSCRIBER_LEVEL, "IL", "subscriber_"),
            ("pat", L.PATIENT_LEVEL, "QC", "patient_"),
        ):
            source = rows("DMG").filter((scope == level) & outside & loop_is(f"NM1{entity}"))
            q.add(
                f"dmg_{key}", "DMG", V.first_by(source, key), (key,), _named(L.DMG_FIELDS, prefix)
            )

        # -- claims (2300) and their claim-level REF, DTP, 2310 NM1 --
        used = V.alternative_separator(V.text(5), declared)
        parts = V.split_components(V.text(5), declared, used)
        components = {
            f.column: V.component(parts, f.component) for f in L.CLM_FIELDS if f.component
        }
        q.add(
            "claims",
            "CLM",
            rows("CLM"),
            ("claim", "transaction_index", "bp", "sub", "pat"),
            [(f, f.column) for f in L.CLM_FIELDS if f.component is None],
            composites=(f"{V.H}u",),
            **{f"{V.H}u": used},
            **{f"missing_{e}": ~V.present(e) for e in L.CLM_REQUIRED},
            **(components if full else {}),
        )
        claim_level = in_claim & loop_is("CLM")
        if full:
            for qualifier, column in L.CLAIM_REFS.items():
                source = V.first_by(rows("REF").filter(claim_level & (q1 == qualifier)), "claim")
                q.add(f"ref_{qualifier}", "REF", source, ("claim",), **{column: V.text(2)})
            for entity, (npi_column, name_column) in L.CLAIM_PROVIDERS.items():
                source = V.first_by(nm1(entity).filter(in_claim & (part == "CLM")), "claim")
                names = {name_column: V.text(3)} if name_column else {}
                q.add(
                    f"nm1_{entity}", "NM1", source, ("claim",), **{npi_column: V.npi(8, 9)}, **names
                )
        for qualifier, columns in L.CLAIM_PERIODS.items():
            source = V.first_by(rows("DTP").filter(claim_level & (q1 == qualifier)), "claim")
            q.period(f"dtp_{qualifier}", source, ("claim",), columns)

        # -- service lines (2400) --
        for line_tag, fields, procedure in (
            ("SV1", L.SV1_FIELDS, L.SV1_PROCEDURE),
            ("SV2", L.SV2_FIELDS, L.SV2_PROCEDURE),
        ):
            used = V.alternative_separator(V.text(procedure), declared)
            parts = V.split_components(V.text(procedure), declared, used)
            extra = {f"{V.H}u": used, "kind": pl.lit(L.LINE_KINDS[line_tag])}
            if full:
                extra |= {name: V.component(parts, k) for name, k in L.PROCEDURE_COMPONENTS}
                if line_tag == "SV1":
                    extra["diagnosis_pointers"] = V.normalised(V.text(L.SV1_POINTERS), declared)
            source = rows(line_tag).filter(in_claim)
            keys = ("line", "claim", "transaction_index", "lx")
            q.add(
                line_tag, line_tag, source, keys, _named(fields), composites=(f"{V.H}u",), **extra
            )
        lx = V.converted("line_number", "count", "LX01", V.raw(1))
        q.items["lx"] = V.Query(
            rows("LX").filter(in_claim).select("lx", "segment_number", *lx),
            [V.Conversion("line_number", "count", "LX01")],
        )
        line_level = in_claim & (part == "LX") & loop_is("LX")
        source = V.first_by(rows("DTP").filter(line_level & (q1 == L.LINE_DATE)), "lx")
        q.period("line_dates", source, ("lx",), ("service_date_from", "service_date_to"))
        if full:
            source = rows("REF").filter(line_level & (q1 == L.LINE_CONTROL_REF))
            q.add(
                "line_ref", "REF", V.first_by(source, "lx"), ("lx",), line_control_number=V.text(2)
            )

        # -- diagnoses: every HI element at claim level, one row each --
        position, value = pl.col("position"), pl.col("value")
        elements = pl.min_horizontal(pl.col("el").list.len(), L.HI_ELEMENTS + 1)
        hi = (
            rows("HI")
            .filter(in_claim & (part == "CLM"))
            .with_columns(position=pl.int_ranges(1, elements))
            .explode("position")
            .filter(position.is_not_null())
            .with_columns(value=V.text(position))
            .filter(value.is_not_null())
        )
        used = V.alternative_separator(value, declared, three=True)
        parts = V.split_components(value, declared, used)
        q.add(
            "hi",
            "HI",
            hi,
            ("claim", "transaction_index", "position", "value"),
            composites=(f"{V.H}u",),
            qualifier=V.component(parts, 1),
            code=V.component(parts, 2),
            present_on_admission=V.component(parts, 9),
            **{f"{V.H}u": used},
        )

        # -- other payers (2320 and its 2330A/B) --
        keys = ("op", "claim", "transaction_index")
        q.add("other", "SBR", rows("SBR").filter(in_claim), keys, _named(L.OTHER_PAYER_SBR_FIELDS))
        source = rows("AMT").filter(in_claim & (part == "SBR") & loop_is("SBR") & (q1 == "D"))
        q.add("paid", "AMT", V.first_by(source, "op"), ("op",), [(L.PAID_AMOUNT, "paid_cents")])
        if full:
            in_other = in_claim & (part == "SBR")
            for entity, (fields, prefix) in L.OTHER_PAYER_PARTIES.items():
                source = V.first_by(nm1(entity).filter(in_other), "op")
                q.add(f"other_{entity}", "NM1", source, ("op",), _named(fields, prefix))

        done = q.run(self.diagnostics, declared)
        self._structure_warnings(ctx, done)
        return self._assemble(done, envelope_part, kinds)

    # -- warnings --------------------------------------------------------------------------------

    def _warn(
        self, frame: pl.DataFrame, kind: str, make: Callable[..., str], *columns: str
    ) -> None:
        """One warning per row, ``make(segment_number, *columns)``; capped (see diagnostics)."""
        if not frame.height:
            return
        rows, more = capped(frame)
        self.diagnostics.count_more(kind, more)
        for values in rows.select("segment_number", *columns).iter_rows():
            self.diagnostics.warn(kind, make(*values), values[0])

    def _structure_warnings(self, ctx: pl.DataFrame, done: dict[str, pl.DataFrame]) -> None:
        tag, in_claim = pl.col("tag"), pl.col("in_claim")
        lines = ctx.filter(tag.is_in(L.LINE_TAGS))
        self._warn(
            lines.filter(~in_claim), _STRUCTURE, lambda seg, t: structure_warning(t, seg), "tag"
        )
        self._warn(
            lines.filter(in_claim & pl.col("lx").is_null()),
            _STRUCTURE,
            lambda seg, t: no_lx_warning(t, seg),
            "tag",
        )
        claims = done["claims"]
        self._warn(claims.filter(pl.col("sub").is_null()), _STRUCTURE, orphan_claim_warning)
        for element in L.CLM_REQUIRED:
            flagged = claims.filter(pl.col(f"missing_{element}"))
            self._warn(
                flagged, "missing", lambda seg, e=element: missing_warning(f"CLM{e:02d}", seg)
            )
        self._warn(
            done["hi"].filter(pl.col("code").is_null()),
            "diagnosis",
            lambda seg, position, value: diagnosis_warning(position, value, seg),
            "position",
            "value",
        )

    # -- assembling the frames -------------------------------------------------------------------

    def _assemble(
        self,
        done: dict[str, pl.DataFrame],
        envelope_part: pl.DataFrame,
        kinds: list[str | None] | None,
    ) -> ClaimFrames:
        def part(name: str, key: str) -> pl.DataFrame | None:
            frame = done.get(name)
            return None if frame is None else V.without(frame, "segment_number")

        def joined(frame: pl.DataFrame, key: str, *names: str) -> pl.DataFrame:
            for name in names:
                right = part(name, key)
                if right is not None:
                    frame = V.left_join(frame, right, key)
            return frame

        # Lines, with their LX number, dates and control number.
        lines = pl.concat([done["SV1"], done["SV2"]], how="diagonal_relaxed").sort("segment_number")
        lines = joined(lines, "lx", "lx", "line_dates", "line_ref")
        per_claim = lines.group_by("claim").agg(
            line_count=pl.len(),
            lines_from=pl.col("service_date_from").min(),
            lines_to=pl.col("service_date_to").max(),
        )

        claims = joined(done["claims"], "bp", "bp_hl", "billing", "tax", "pay_to")
        claims = joined(claims, "sub", "sub_hl", "sbr", "subscriber_IL", "subscriber_PR", "dmg_sub")
        claims = joined(claims, "pat", "pat_hl", "patient", "relationship", "dmg_pat")
        claim_parts = [f"ref_{q}" for q in L.CLAIM_REFS] + [f"nm1_{e}" for e in L.CLAIM_PROVIDERS]
        claim_parts += [f"dtp_{q}" for q in L.CLAIM_PERIODS]
        claims = joined(claims, "claim", *claim_parts)
        claims = V.left_join(claims, per_claim, "claim")
        alone = pl.col("pat").is_null()
        claims = claims.with_columns(
            patient_is_subscriber=alone,
            **{
                f"patient_{c}": pl.when(alone)
                .then(pl.col(f"subscriber_{c}"))
                .otherwise(pl.col(f"patient_{c}"))
                for c in ("last_name", "first_name", "birth_date", "sex")
                if f"subscriber_{c}" in claims.columns
            },
            service_date_from=pl.coalesce("statement_date_from", "claim_date_from", "lines_from"),
            service_date_to=pl.coalesce("statement_date_to", "claim_date_to", "lines_to"),
            line_count=pl.col("line_count").fill_null(0),
            billing_provider_index=pl.col("bp") - 1,
            subscriber_index=pl.col("sub") - 1,
            patient_index=pl.col("pat") - 1,
        ).rename({"claim": "claim_index"})

        diagnoses = (
            done["hi"]
            .filter(
                pl.col("code").is_not_null() & pl.col("qualifier").is_in(L.DIAGNOSIS_QUALIFIERS)
            )
            .with_columns(
                element=pl.format("HI{}", pl.col("position").cast(pl.String).str.zfill(2)),
                seq=pl.int_range(1, pl.len() + 1).over("claim"),
            )
            .rename({"claim": "claim_index"})
        )
        others = joined(done["other"], "op", "paid", "other_IL", "other_PR")
        others = others.with_columns(seq=pl.int_range(1, pl.len() + 1).over("claim")).rename(
            {"claim": "claim_index"}
        )

        counts = claims.group_by("transaction_index").agg(claim_count=pl.len())
        level = pl.col("level")
        hl_counts = (
            done["hl_counts"]
            .group_by("transaction_index")
            .agg(**{count: (level == code).sum() for code, (_, count) in L.LEVEL_COLUMNS.items()})
        )
        transactions = joined(envelope_part, "transaction_index", "bht", "submitter_", "receiver_")
        kinds = kinds if kinds is not None else [None] * transactions.height
        transactions = V.left_join(transactions, counts, "transaction_index")
        transactions = V.left_join(transactions, hl_counts, "transaction_index").with_columns(
            pl.col("claim_count", *[c for _, c in L.LEVEL_COLUMNS.values()]).fill_null(0),
            pl.Series("claim_type", kinds, dtype=pl.String),
        )

        return ClaimFrames(
            transactions=V.with_schema(transactions, L.TRANSACTION_SCHEMA),
            claims=V.with_schema(claims, L.CLAIM_SCHEMA),
            service_lines=V.with_schema(
                lines.rename({"line": "line_index", "claim": "claim_index"}), L.LINE_SCHEMA
            ),
            diagnoses=V.with_schema(diagnoses, L.DIAGNOSIS_SCHEMA),
            other_payers=V.with_schema(others, L.OTHER_PAYER_SCHEMA),
        )


@dataclass
class Claims:
    """One file's 837 frames with its envelope and warnings."""

    frames: ClaimFrames
    envelope: EnvelopeTracker
    diagnostics: Diagnostics


def read_claims(
    path: str | Path, *, engine: Engine = "vectorised", chunk_bytes: int = DEFAULT_CHUNK_BYTES
) -> Claims:
    """All 837 frames of a file (other transaction sets are skipped)."""
    from collectors.edi.x12_frames import read_x12  # it imports this module

    parsed = read_x12(path, engine=engine, chunk_bytes=chunk_bytes, kinds=("837",))
    frames = parsed.frames.claims if parsed.frames.claims is not None else ClaimFrames.empty()
    return Claims(frames, parsed.envelope, parsed.diagnostics)
