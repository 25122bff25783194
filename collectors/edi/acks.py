"""The 999 acknowledgment flattener: segment batches in, Polars frames out (vectorised).

Same shape as the 837 and 835 flatteners (``AckFlattener(diagnostics, envelope).flatten(batch)``,
``prepare``/``absorb`` for threads, :func:`read_acks` for a whole file); the per-segment path is
:mod:`collectors.edi.ack_reference`; the layout and the loop rules are in
:mod:`collectors.edi.ack_layout`. Group, set, segment-error and element-error responses are
numbered by cumulative sums of their marker segments inside the scope forward fills give them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import polars as pl

from collectors.edi import ack_layout as L
from collectors.edi import frame_values as V
from collectors.edi.capping import capped
from collectors.edi.chunks import DEFAULT_CHUNK_BYTES
from collectors.edi.claim_frames import AckFrames, transaction_envelope
from collectors.edi.diagnostics import Diagnostics
from collectors.edi.envelope import EnvelopeTracker
from collectors.edi.segment_frames import SegmentBatch
from collectors.edi.values import IK5_ACCEPTED, IK5_REJECTED

Engine = Literal["vectorised", "reference"]
_KEYS = ("group", "set", "ik3", "ik4")


def joined_codes(*values: pl.Expr) -> pl.Expr:
    """Non-empty codes joined with ",", null when none (IK502–IK506, AK905–AK909)."""
    joined = pl.concat_str(list(values), separator=",", ignore_nulls=True)
    return V.null_if_empty(joined)


def context_expr(column: str = "text") -> pl.Expr:
    return pl.col(column).str.join(L.CONTEXT_JOIN)


class AckFlattener:
    """Flattens the 999 transactions of successive batches of one file (vectorised)."""

    def __init__(self, diagnostics: Diagnostics, envelope: EnvelopeTracker) -> None:
        self.diagnostics = diagnostics
        self.envelope = envelope
        self._groups = 0
        self._sets = 0

    def prepare(self, batch: SegmentBatch) -> Callable[[], tuple[AckFrames, Diagnostics]] | None:
        indices = [t.index for t in batch.transactions if t.set_id == "999"]
        if not indices:
            return None
        envelope_part = transaction_envelope(self.envelope, indices)

        def job() -> tuple[AckFrames, Diagnostics]:
            diagnostics = Diagnostics()
            return _BatchAcks(diagnostics, batch).flatten(indices, envelope_part), diagnostics

        return job

    def absorb(self, result: tuple[AckFrames, Diagnostics]) -> AckFrames:
        frames, diagnostics = result
        self.diagnostics.merge(diagnostics)
        frames = frames.offset({"group_ack_index": self._groups, "set_ack_index": self._sets})
        self._groups += frames.groups.height
        self._sets += frames.sets.height
        return frames

    def flatten(self, batch: SegmentBatch) -> AckFrames | None:
        job = self.prepare(batch)
        return None if job is None else self.absorb(job())


def flatten_acks(
    batch: SegmentBatch, indices: list[int], envelope_part: pl.DataFrame, diagnostics: Diagnostics
) -> AckFrames:
    """One batch's 999 frames (``indices``: its 999s), batch-local group and set indices."""
    return _BatchAcks(diagnostics, batch).flatten(indices, envelope_part)


def _ordinal(marker: pl.Expr) -> pl.Expr:
    return marker.cast(pl.Int64).cum_sum() - 1


def _open(tag: pl.Expr, tags: tuple[str, ...], opener: str) -> pl.Expr:
    """Whether the latest of ``tags`` up to this row is ``opener``."""
    return pl.when(tag.is_in(tags)).then(tag).forward_fill() == opener


class _BatchAcks:
    def __init__(self, diagnostics: Diagnostics, batch: SegmentBatch) -> None:
        self.diagnostics = diagnostics
        self.batch = batch
        self.declared = batch.delimiters.component

    def _context(self, indices: list[int]) -> pl.DataFrame:
        tag = pl.col("tag")
        group_open = _open(tag, L.GROUP_TAGS, "AK1")
        set_open = group_open & _open(tag, L.SET_TAGS, "AK2")
        ik3_open = set_open & _open(tag, L.SEGMENT_ERROR_TAGS, "IK3")
        ik4_open = ik3_open & _open(tag, L.ELEMENT_ERROR_TAGS, "IK4")
        return (
            self.batch.frame.lazy()
            .filter(pl.col("transaction_index").is_in(indices) & tag.is_in(L.TAGS))
            .select("segment_number", "tag", "transaction_index", "text")
            .with_columns(
                group=pl.when(group_open).then(_ordinal(tag == "AK1")),
                set=pl.when(set_open).then(_ordinal(group_open & (tag == "AK2"))),
                ik3=pl.when(ik3_open).then(_ordinal(set_open & (tag == "IK3"))),
                ik4=pl.when(ik4_open).then(_ordinal(ik3_open & (tag == "IK4"))),
            )
            .collect()
        )

    def _warn(self, frame: pl.DataFrame, make: Callable[[int, str], str]) -> None:
        if not frame.height:
            return
        rows, more = capped(frame)
        self.diagnostics.count_more("structure", more)
        for seg, tag in rows.select("segment_number", "tag").iter_rows():
            self.diagnostics.warn("structure", make(seg, tag), seg)

    def flatten(self, indices: list[int], envelope_part: pl.DataFrame) -> AckFrames:
        ctx = self._context(indices)
        declared = self.declared
        by_tag = {key[0]: frame for key, frame in ctx.partition_by("tag", as_dict=True).items()}
        empty = ctx.clear()
        split = pl.col("text").str.split(self.batch.delimiters.element).alias("el")

        def rows(tag: str) -> pl.DataFrame:
            """The batch's segments of ``tag``, with their elements (``el``)."""
            return by_tag.get(tag, empty).with_columns(split)

        for tag, key in (("AK2", "group"), ("AK9", "group"), ("IK3", "set"), ("IK5", "set")):
            misplaced = rows(tag).filter(pl.col(key).is_null())
            self._warn(misplaced, lambda seg, t: L.misplaced_warning(t, seg, L.MISPLACED[t]))
        for tag in ("IK4", "CTX"):
            misplaced = rows(tag).filter(pl.col("ik3").is_null())
            self._warn(misplaced, lambda seg, t: L.misplaced_warning(t, seg, L.MISPLACED[t]))

        def counted(column: str, ref: str, value: pl.Expr) -> tuple[list[pl.Expr], V.Conversion]:
            return V.converted(column, "count", ref, value), V.Conversion(column, "count", ref)

        queries: list[V.Query] = []
        groups = (
            rows("AK1")
            .lazy()
            .select(
                "group",
                "transaction_index",
                "segment_number",
                *[V.text(e).alias(c) for c, e in L.AK1_TEXT.items()],
            )
        )
        queries.append(V.Query(groups))
        ak9 = V.first_by(rows("AK9").lazy(), "group")
        exprs, conversions = [V.text(L.AK9_CODE).alias("ak9_code")], []
        for column, element in L.AK9_COUNTS.items():
            more, conversion = counted(column, f"AK9{element:02d}", V.raw(element))
            exprs += more
            conversions.append(conversion)
        exprs.append(joined_codes(*[V.text(e) for e in L.AK9_ERRORS]).alias("ak9_error_codes"))
        queries.append(V.Query(ak9.select("group", "segment_number", *exprs), conversions))
        sets = rows("AK2").lazy().filter(pl.col("group").is_not_null())
        queries.append(
            V.Query(
                sets.select(
                    "set",
                    "group",
                    "transaction_index",
                    "segment_number",
                    *[V.text(e).alias(c) for c, e in L.AK2_TEXT.items()],
                )
            )
        )
        ik5 = V.first_by(rows("IK5").lazy(), "set").select(
            "set",
            "segment_number",
            ik5_code=V.text(L.IK5_CODE),
            ik5_error_codes=joined_codes(*[V.text(e) for e in L.IK5_ERRORS]),
        )
        queries.append(V.Query(ik5))
        exprs, conversion = counted("segment_position", "IK302", V.raw(L.IK3_POSITION))
        ik3 = rows("IK3").lazy().filter(pl.col("ik3").is_not_null())
        queries.append(
            V.Query(
                ik3.select(
                    "ik3",
                    "set",
                    "group",
                    "transaction_index",
                    "segment_number",
                    *[V.text(e).alias(c) for c, e in L.IK3_TEXT.items()],
                    *exprs,
                ),
                [conversion],
            )
        )
        position = V.text(L.IK4_POSITION)
        used = V.alternative_separator(position, declared)
        parts = V.split_components(position, declared, used)
        exprs, conversions = [], []
        for column, k in L.IK4_POSITIONS.items():
            more, conversion = counted(column, f"IK401-{k}", V.component(parts, k))
            exprs += more
            conversions.append(conversion)
        ik4 = rows("IK4").lazy().filter(pl.col("ik3").is_not_null())
        queries.append(
            V.Query(
                ik4.select(
                    "ik4",
                    "ik3",
                    "segment_number",
                    *[V.text(e).alias(c) for c, e in L.IK4_TEXT.items()],
                    *exprs,
                    **{f"{V.H}u": used},
                ),
                conversions,
                [f"{V.H}u"],
            )
        )
        ctx01 = V.text(1)
        used = V.alternative_separator(ctx01, declared)
        parts = V.split_components(ctx01, declared, used)
        contexts = rows("CTX").lazy().filter(pl.col("ik3").is_not_null())
        queries.append(
            V.Query(
                contexts.select(
                    "ik3",
                    "ik4",
                    "segment_number",
                    "text",
                    business_unit=V.component(parts, 1),
                    business_value=V.component(parts, 2),
                    **{f"{V.H}u": used},
                ),
                composites=[f"{V.H}u"],
            )
        )
        names = ("groups", "ak9", "sets", "ik5", "ik3", "ik4", "ctx")
        done = dict(zip(names, V.collect(queries, self.diagnostics, declared), strict=True))
        return self._assemble(done, envelope_part)

    def _assemble(self, done: dict[str, pl.DataFrame], envelope_part: pl.DataFrame) -> AckFrames:
        groups, sets = done["groups"], done["sets"]
        for frame, key, part in ((groups, "group", "AK9"), (sets, "set", "IK5")):
            found = done[part.lower()].get_column(key)
            missing = frame.filter(~pl.col(key).is_in(found.implode()))
            tag = "AK1" if part == "AK9" else "AK2"
            self._warn(
                missing.with_columns(tag=pl.lit(tag)),
                lambda seg, t, p=part: L.missing_part_warning(t, seg, p),
            )
        ctx = done["ctx"]
        segment_context = (
            ctx.filter(pl.col("ik4").is_null()).group_by("ik3", maintain_order=True)
            .agg(segment_context=context_expr())
        )  # fmt: skip
        element_context = (
            ctx.filter(pl.col("ik4").is_not_null()).group_by("ik4", maintain_order=True)
            .agg(element_context=context_expr())
        )  # fmt: skip
        claims = V.first_by(
            ctx.lazy().filter(pl.col("business_unit") == L.CLAIM_CONTEXT), "ik3"
        ).select("ik3", claim_reference="business_value")
        ik3 = V.left_join(done["ik3"], segment_context, "ik3")
        ik3 = V.left_join(ik3, claims.collect(), "ik3")
        ik4 = V.left_join(done["ik4"], element_context, "ik4")
        with_elements = ik4.join(
            V.without(ik3, "segment_number"), on="ik3", how="inner", maintain_order="left"
        )
        alone = ik3.filter(~pl.col("ik3").is_in(ik4.get_column("ik3").implode()))
        errors = (
            pl.concat([with_elements, alone], how="diagonal_relaxed")
            .sort("segment_number")
            .with_columns(
                seq=pl.int_range(1, pl.len() + 1).over("set"),
                context=pl.concat_str(
                    [pl.col("segment_context"), pl.col("element_context")],
                    separator=L.CONTEXT_JOIN,
                    ignore_nulls=True,
                ),
            )
            .with_columns(context=V.null_if_empty(pl.col("context")))
        )
        error_counts = errors.group_by("set").agg(error_count=pl.len())
        code = pl.col("ik5_code")
        sets = V.left_join(sets, V.without(done["ik5"], "segment_number"), "set")
        sets = V.left_join(sets, error_counts, "set").with_columns(
            is_accepted=code.is_in(IK5_ACCEPTED).fill_null(False),
            is_rejected=code.is_in(IK5_REJECTED).fill_null(False),
            error_count=pl.col("error_count").fill_null(0),
        )
        set_counts = sets.group_by("group").agg(set_count=pl.len())
        envelope = V.without(envelope_part, "segment_number").rename(
            {"group_control_number": "ack_group_control_number"}, strict=False
        )
        groups = V.left_join(groups, V.without(done["ak9"], "segment_number"), "group")
        groups = V.left_join(groups, set_counts, "group").with_columns(
            set_count=pl.col("set_count").fill_null(0)
        )
        groups = V.left_join(groups, envelope, "transaction_index").with_columns(
            has_set_responses=pl.col("set_count") > 0
        )
        renames = {"group": "group_ack_index", "set": "set_ack_index"}
        return AckFrames(
            groups=V.with_schema(groups.rename(renames, strict=False), L.GROUP_SCHEMA),
            sets=V.with_schema(sets.rename(renames, strict=False), L.SET_SCHEMA),
            errors=V.with_schema(errors.rename(renames, strict=False), L.ERROR_SCHEMA),
        )


@dataclass
class Acks:
    """One file's 999 frames with its envelope and warnings."""

    frames: AckFrames
    envelope: EnvelopeTracker
    diagnostics: Diagnostics


def read_acks(
    path: str | Path, *, engine: Engine = "vectorised", chunk_bytes: int = DEFAULT_CHUNK_BYTES
) -> Acks:
    """All 999 frames of a file (other transaction sets are skipped)."""
    from collectors.edi.x12_frames import read_x12

    parsed = read_x12(path, engine=engine, chunk_bytes=chunk_bytes, kinds=("999",))
    frames = parsed.frames.acks if parsed.frames.acks is not None else AckFrames.empty()
    return Acks(frames, parsed.envelope, parsed.diagnostics)
