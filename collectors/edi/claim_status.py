"""The 277CA claim acknowledgment flattener: segment batches in, Polars frames out (vectorised).

Same shape as the other flatteners (``ClaimStatusFlattener(diagnostics, envelope)``,
``flatten``/``prepare``/``absorb``, :func:`read_claim_status`); the per-segment path is
:mod:`collectors.edi.claim_status_reference`; the layout and rules are in
:mod:`collectors.edi.claim_status_layout`. Which 277s are read is decided from the envelope
(:func:`collectors.edi.guides.claim_acknowledgment`), in file order, by both paths.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import polars as pl

from collectors.edi import claim_status_layout as L
from collectors.edi import frame_values as V
from collectors.edi.capping import capped
from collectors.edi.chunks import DEFAULT_CHUNK_BYTES
from collectors.edi.claim_frames import ClaimStatusFrames, transaction_envelope
from collectors.edi.diagnostics import Diagnostics
from collectors.edi.envelope import EnvelopeTracker
from collectors.edi.fields import Field, structure_warning
from collectors.edi.guides import claim_acknowledgment
from collectors.edi.hierarchy import check_hls, with_levels
from collectors.edi.segment_frames import SegmentBatch
from collectors.edi.values import STATUS_ACCEPTED, STATUS_REJECTED

Engine = Literal["vectorised", "reference"]
LEVELS = L.HIERARCHY.levels
STRAY_TAGS = ("STC", "SVC")  # meaningless outside an HL: warned about and ignored


def ancestors(level: str) -> tuple[str, ...]:
    """The levels whose latest HL is above an HL of ``level`` (every level but PT for an HL of
    an unknown level)."""
    return LEVELS[: LEVELS.index(level)] if level in LEVELS else LEVELS[:-1]


class ClaimStatusFlattener:
    """Flattens the 277CA transactions of successive batches of one file (vectorised)."""

    def __init__(self, diagnostics: Diagnostics, envelope: EnvelopeTracker) -> None:
        self.diagnostics = diagnostics
        self.envelope = envelope
        self._statuses = 0
        self._hls = 0

    def prepare(
        self, batch: SegmentBatch
    ) -> Callable[[], tuple[ClaimStatusFrames, Diagnostics]] | None:
        indices = [
            t.index
            for t in batch.transactions
            if t.set_id == "277" and claim_acknowledgment(self.envelope, t, self.diagnostics)
        ]
        if not indices:
            return None
        envelope_part = transaction_envelope(self.envelope, indices)

        def job() -> tuple[ClaimStatusFrames, Diagnostics]:
            diagnostics = Diagnostics()
            frames = _BatchStatuses(diagnostics, batch).flatten(indices, envelope_part)
            return frames, diagnostics

        return job

    def absorb(self, result: tuple[ClaimStatusFrames, Diagnostics]) -> ClaimStatusFrames:
        frames, diagnostics = result
        self.diagnostics.merge(diagnostics)
        frames = frames.offset({"status_index": self._statuses, "hl_index": self._hls})
        self._statuses += frames.statuses.height
        self._hls += frames.statuses.get_column("hl_index").n_unique()  # every HL has a row
        return frames

    def flatten(self, batch: SegmentBatch) -> ClaimStatusFrames | None:
        job = self.prepare(batch)
        return None if job is None else self.absorb(job())


def flatten_statuses(
    batch: SegmentBatch, indices: list[int], envelope_part: pl.DataFrame, diagnostics: Diagnostics
) -> ClaimStatusFrames:
    """One batch's 277CA frames (``indices``: the 277s to read), batch-local indices."""
    return _BatchStatuses(diagnostics, batch).flatten(indices, envelope_part)


def _status_columns(fields: tuple[Field, ...]) -> list[pl.Expr]:
    return [V.text(f.element).alias(f.column) for f in fields if f.kind == "text"]


class _BatchStatuses:
    def __init__(self, diagnostics: Diagnostics, batch: SegmentBatch) -> None:
        self.diagnostics = diagnostics
        self.batch = batch
        self.declared = batch.delimiters.component

    def _context(self, indices: list[int]) -> pl.DataFrame:
        tag = pl.col("tag")
        hl, st = tag == "HL", tag == "ST"
        in_line = pl.when(tag.is_in(L.LINE_BOUNDARY_TAGS)).then(tag).forward_fill() == "SVC"
        hl_key = pl.when(hl).then(hl.cast(pl.Int64).cum_sum()).when(st).then(0).forward_fill()
        segments = (
            self.batch.frame.lazy()
            .filter(pl.col("transaction_index").is_in(indices) & tag.is_in(L.TAGS))
            .select("segment_number", "tag", "transaction_index", "text", q1="element1")
            .with_columns(hl=hl_key)
        )
        names = {code: f"h{code}" for code in LEVELS}
        element = self.batch.delimiters.element
        return (
            with_levels(segments, L.HIERARCHY, names, element=element, key="hl")
            .with_columns(
                hl=pl.when(pl.col("hl") > 0).then("hl"),
                line=pl.when(in_line).then((tag == "SVC").cast(pl.Int64).cum_sum() - 1),
            )
            .collect()
        )

    def flatten(self, indices: list[int], envelope_part: pl.DataFrame) -> ClaimStatusFrames:
        ctx = self._context(indices)
        declared = self.declared
        by_tag = {key[0]: frame for key, frame in ctx.partition_by("tag", as_dict=True).items()}
        empty = ctx.clear()

        split = pl.col("text").str.split(self.batch.delimiters.element).alias("el")

        def rows(tag: str) -> pl.LazyFrame:
            """The batch's segments of ``tag``, with their elements (``el``)."""
            return by_tag.get(tag, empty).lazy().with_columns(split)

        check_hls(L.HIERARCHY, rows("HL").collect(), self.diagnostics)
        strays = ctx.filter(pl.col("tag").is_in(STRAY_TAGS) & pl.col("hl").is_null())
        if strays.height:
            kept, more = capped(strays)
            self.diagnostics.count_more("structure", more)
            for seg, tag in kept.select("segment_number", "tag").iter_rows():
                self.diagnostics.warn("structure", structure_warning(tag, seg), seg)

        q1, level = pl.col("q1"), pl.col("level")
        line, in_hl = pl.col("line"), pl.col("hl").is_not_null()
        hl_level = in_hl & line.is_null()
        queries: dict[str, V.Query] = {}
        keys = ("transaction_index",)
        bht = V.first_by(rows("BHT"), *keys)
        exprs = _status_columns(L.BHT_FIELDS)
        exprs += V.converted("bht_date", "date", "BHT04", V.raw(4))
        queries["bht"] = V.Query(
            bht.select(*keys, "segment_number", *exprs), [V.Conversion("bht_date", "date", "BHT04")]
        )
        up = {
            f"up{code}": pl.when(~level.is_in(LEVELS) | level.is_in(LEVELS[i + 1 :])).then(
                f"h{code}"
            )
            for i, code in enumerate(LEVELS[:-1])
        }
        queries["hl"] = V.Query(
            rows("HL").select(
                "hl",
                "transaction_index",
                "segment_number",
                hl_id=V.text(1),
                hl_parent_id=V.text(2),
                hl_level=V.null_if_empty(level),
                **up,
            )
        )
        nm1 = V.first_by(rows("NM1").filter(hl_level), "hl")
        queries["nm1"] = V.Query(
            nm1.select(
                "hl",
                "segment_number",
                *[V.text(e).alias(c) for c, e in L.NM1_TEXT.items()],
                npi=V.npi(8, 9),
            )
        )
        trn = V.first_by(rows("TRN").filter(hl_level), "hl")
        queries["trn"] = V.Query(trn.select("hl", "segment_number", trn_reference=V.text(2)))
        for qualifier, column in L.HL_REFS.items():
            ref = V.first_by(rows("REF").filter(hl_level & (q1 == qualifier)), "hl")
            queries[column] = V.Query(ref.select("hl", "segment_number", V.text(2).alias(column)))
        for name, key, where in (("hl_dates", "hl", hl_level), ("line_dates", "line", in_hl)):
            dtp = V.first_by(rows("DTP").filter(where & (q1 == L.SERVICE_DATE)), key)
            prefix = "hl_" if key == "hl" else "line_"
            exprs, conversions = V.period(f"{prefix}date_from", f"{prefix}date_to")
            queries[name] = V.Query(dtp.select(key, "segment_number", *exprs), conversions)
        svc = rows("SVC").filter(in_hl)
        used = V.alternative_separator(V.text(1), declared)
        parts = V.split_components(V.text(1), declared, used)
        charge = L.SVC_FIELDS[2]
        queries["svc"] = V.Query(
            svc.select(
                "line",
                "hl",
                "segment_number",
                *[V.component(parts, f.component).alias(f.column) for f in L.SVC_FIELDS[:2]],
                *V.converted(
                    charge.column, "money", charge.reference("SVC"), V.raw(charge.element)
                ),
                **{f"{V.H}u": used},
            ),
            [V.Conversion(charge.column, "money", charge.reference("SVC"))],
            [f"{V.H}u"],
        )
        stc_exprs: list[pl.Expr] = []
        conversions: list[V.Conversion] = []
        composites: list[str] = []
        categories = []
        for element, suffix in L.STATUS_COMPOSITES.items():
            used = V.alternative_separator(V.text(element), declared)
            parts = V.split_components(V.text(element), declared, used)
            stc_exprs.append(used.alias(f"{V.H}u{element}"))
            composites.append(f"{V.H}u{element}")
            for name, k in L.STATUS_PARTS:
                stc_exprs.append(V.component(parts, k).alias(f"{name}{suffix}"))
            categories.append(pl.col(f"status_category{suffix}"))
        for f in L.STC_FIELDS:
            if f.kind == "text":
                stc_exprs.append(V.text(f.element).alias(f.column))
            else:
                kind = "date" if f.kind == "date" else "money"
                stc_exprs += V.converted(f.column, kind, f.reference("STC"), V.raw(f.element))
                conversions.append(V.Conversion(f.column, kind, f.reference("STC")))
        stc = rows("STC").filter(in_hl)
        queries["stc"] = V.Query(
            stc.select("hl", "line", "transaction_index", "segment_number", *stc_exprs)
            .with_columns(
                is_rejection=pl.any_horizontal(
                    c.is_in(STATUS_REJECTED) for c in categories
                ).fill_null(False),
                accepts=pl.any_horizontal(c.is_in(STATUS_ACCEPTED) for c in categories).fill_null(
                    False
                ),
            )
            .with_columns(is_acceptance=pl.col("accepts") & ~pl.col("is_rejection"))
            .drop("accepts"),
            conversions,
            composites,
        )
        names = list(queries)
        frames = V.collect([queries[n] for n in names], self.diagnostics, declared)
        done = dict(zip(names, frames, strict=True))
        for name, prefix in (("hl_dates", "hl_"), ("line_dates", "line_")):
            done[name] = V.close_period(done[name], f"{prefix}date_from", f"{prefix}date_to")
        return self._assemble(done, envelope_part)

    def _assemble(
        self, done: dict[str, pl.DataFrame], envelope_part: pl.DataFrame
    ) -> ClaimStatusFrames:
        def part(name: str) -> pl.DataFrame:
            return V.without(done[name], "segment_number")

        hls = done["hl"]
        for name in ("nm1", "trn", *L.HL_REFS.values(), "hl_dates"):
            hls = V.left_join(hls, part(name), "hl")
        stc = done["stc"]
        rejecting = (
            stc.filter(pl.col("line").is_null() & pl.col("is_rejection"))
            .select("hl")
            .unique()
            .with_columns(rejects=pl.lit(True))
        )
        hls = V.left_join(hls, rejecting, "hl").with_columns(pl.col("rejects").fill_null(False))
        lookup = hls.select("hl", "rejects", "trn_reference", "npi")
        rejected_above = pl.lit(False)
        for code in LEVELS[:-1]:
            above = lookup.select(
                pl.col("hl").alias(f"up{code}"), pl.col("rejects").alias(f"rejects{code}")
            )
            hls = V.left_join(hls, above, f"up{code}")
            rejected_above = rejected_above | pl.col(f"rejects{code}").fill_null(False)
        level = pl.col("hl_level")
        hls = hls.with_columns(
            rejected_above=rejected_above,
            receiver=pl.when(level == L.RECEIVER_LEVEL).then("hl").otherwise("up21"),
            provider=pl.when(level == L.PROVIDER_LEVEL).then("hl").otherwise("up19"),
            patient_control_number=pl.when(level == L.CLAIM_LEVEL).then("trn_reference"),
        )
        hls = V.left_join(
            hls,
            lookup.select(pl.col("hl").alias("receiver"), receiver_trn_reference="trn_reference"),
            "receiver",
        )
        hls = V.left_join(
            hls, lookup.select(pl.col("hl").alias("provider"), provider_npi="npi"), "provider"
        )

        with_status = stc.filter(pl.col("line").is_null()).get_column("hl")
        silent = hls.filter(~pl.col("hl").is_in(with_status.implode())).select(
            "hl", "transaction_index", "segment_number"
        )
        lines = V.left_join(done["svc"], part("line_dates"), "line").with_columns(
            line_number=pl.int_range(1, pl.len() + 1).over("hl")
        )
        statuses = pl.concat([stc, silent], how="diagonal_relaxed").sort("segment_number")
        statuses = V.left_join(
            statuses, V.without(hls, "segment_number", "transaction_index"), "hl"
        )
        statuses = V.left_join(statuses, V.without(lines, "hl", "segment_number"), "line")
        statuses = statuses.with_columns(
            pl.col("is_rejection").fill_null(False),
            pl.col("is_acceptance").fill_null(False),
            service_date_from=pl.coalesce("line_date_from", "hl_date_from"),
            service_date_to=pl.coalesce("line_date_to", "hl_date_to"),
            status_index=pl.int_range(pl.len()),
            hl_index=pl.col("hl") - 1,
        )
        claims = (
            hls.filter(level == L.CLAIM_LEVEL)
            .group_by("transaction_index")
            .agg(claim_count=pl.len())
        )
        transactions = V.left_join(envelope_part, part("bht"), "transaction_index")
        transactions = V.left_join(transactions, claims, "transaction_index").with_columns(
            pl.col("claim_count").fill_null(0)
        )
        return ClaimStatusFrames(
            transactions=V.with_schema(transactions, L.TRANSACTION_SCHEMA),
            statuses=V.with_schema(statuses, L.STATUS_SCHEMA),
        )


@dataclass
class ClaimStatus:
    """One file's 277CA frames with its envelope and warnings."""

    frames: ClaimStatusFrames
    envelope: EnvelopeTracker
    diagnostics: Diagnostics


def read_claim_status(
    path: str | Path, *, engine: Engine = "vectorised", chunk_bytes: int = DEFAULT_CHUNK_BYTES
) -> ClaimStatus:
    """All 277CA frames of a file (other transaction sets, other 277s included, are skipped)."""
    from collectors.edi.x12_frames import read_x12

    parsed = read_x12(path, engine=engine, chunk_bytes=chunk_bytes, kinds=("277",))
    frames = parsed.frames.claim_status
    return ClaimStatus(
        frames if frames is not None else ClaimStatusFrames.empty(),
        parsed.envelope,
        parsed.diagnostics,
    )
