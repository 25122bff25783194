"""The ``claims`` (837) and ``acks`` (999, 277CA) blocks of ``rcmwatch edi inspect``.

Fields (DESIGN.md "Command line"; money as two-decimal strings):

- ``claims``: ``claims`` = CLM loops, ``service_lines`` = SV1 + SV2 lines in claims,
  ``charge_total`` = ΣCLM02 (a claim whose CLM02 is missing or not an amount adds nothing; it
  is in the warnings).
- ``acks``: ``sets_accepted`` / ``sets_rejected`` = 999 set responses (AK2) whose IK5 is A or E /
  R, M, W or X. A group response without any AK2 answers every set of its group with its AK9
  (KPI.md §1); it counts AK902 sets (the sets the acknowledged group included): all accepted
  for AK901 A or E, all rejected for R, M, W or X, and for P (partial, without saying which)
  AK904 accepted and the other AK902 − AK904 rejected. ``claims_accepted`` / ``claims_rejected``
  = 277CA claims (PT HLs): rejected when one of their own (not line-level) statuses is a
  rejection (A3, A4, A6, A7, A8) or an HL above them has one (``rejected_above``); otherwise
  accepted when one of their own statuses is an acceptance (A1, A2, A5); otherwise neither.
  A rejection above claim level reaches only the claims the 277CA lists beneath it.

Both work like the 835's ``era`` block (:class:`collectors.edi.inspect.Summary`): batches are
flattened in threads (``prepare``/``absorb``) into small totals; the per-segment path feeds
whole-file frames to ``add_frames``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

import polars as pl

from collectors.edi.acks import AckFlattener
from collectors.edi.claim_frames import AckFrames, ClaimFrames, ClaimStatusFrames
from collectors.edi.claim_status import ClaimStatusFlattener
from collectors.edi.claim_status_layout import CLAIM_LEVEL
from collectors.edi.claim_totals import ClaimCounts
from collectors.edi.claims import ClaimFlattener
from collectors.edi.diagnostics import Diagnostics
from collectors.edi.envelope import EnvelopeTracker
from collectors.edi.money import format_cents
from collectors.edi.segment_frames import SegmentBatch
from collectors.edi.values import IK5_ACCEPTED, IK5_REJECTED


@dataclass
class ClaimTotals:
    claims: int = 0
    service_lines: int = 0
    charge: int = 0

    @classmethod
    def of_counts(cls, counts: ClaimCounts) -> ClaimTotals:
        return cls(counts.claims, counts.service_lines, counts.charge)

    @classmethod
    def of(cls, frames: ClaimFrames) -> ClaimTotals:
        return cls(
            claims=frames.claims.height,
            service_lines=frames.service_lines.height,
            charge=int(frames.claims.get_column("charge_cents").sum()),
        )

    def add(self, other: ClaimTotals) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


@dataclass
class AckTotals:
    sets_accepted: int = 0
    sets_rejected: int = 0
    claims_accepted: int = 0
    claims_rejected: int = 0

    @classmethod
    def of_acks(cls, frames: AckFrames) -> AckTotals:
        sets = frames.sets
        accepted = int(sets.get_column("is_accepted").sum())
        rejected = int(sets.get_column("is_rejected").sum())
        code, included = pl.col("ak9_code"), pl.col("sets_included").fill_null(0)
        partial_accepted = pl.min_horizontal(pl.col("sets_accepted").fill_null(0), included)
        answered = frames.groups.filter(~pl.col("has_set_responses")).select(
            accepted=pl.when(code.is_in(IK5_ACCEPTED))
            .then(included)
            .when(code == "P")
            .then(partial_accepted)
            .otherwise(0)
            .sum(),
            rejected=pl.when(code.is_in(IK5_REJECTED))
            .then(included)
            .when(code == "P")
            .then(included - partial_accepted)
            .otherwise(0)
            .sum(),
        )
        return cls(
            sets_accepted=accepted + int(answered.item(0, "accepted")),
            sets_rejected=rejected + int(answered.item(0, "rejected")),
        )

    @classmethod
    def of_statuses(cls, frames: ClaimStatusFrames) -> AckTotals:
        claims = (
            frames.statuses.filter(
                (pl.col("hl_level") == CLAIM_LEVEL) & pl.col("line_number").is_null()
            )
            .group_by("hl_index")
            .agg(
                rejected=(pl.col("is_rejection") | pl.col("rejected_above")).any(),
                accepted=pl.col("is_acceptance").any(),
            )
        )
        rejected = claims.get_column("rejected")
        accepted = claims.get_column("accepted") & ~rejected
        return cls(claims_accepted=int(accepted.sum()), claims_rejected=int(rejected.sum()))

    def add(self, other: AckTotals) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


class ClaimSummary:
    """The ``claims`` block: totals over every 837 in the file."""

    key = "claims"

    def __init__(self, diagnostics: Diagnostics, envelope: EnvelopeTracker) -> None:
        self.diagnostics = diagnostics
        self.totals = ClaimTotals()
        self._flattener = ClaimFlattener(diagnostics, envelope, columns="summary")

    def prepare(self, batch: SegmentBatch) -> Callable[[], Any] | None:
        job = self._flattener.prepare_counts(batch)
        if job is None:
            return None

        def run() -> tuple[ClaimTotals, Diagnostics]:
            counts, diagnostics = job()
            return ClaimTotals.of_counts(counts), diagnostics

        return run

    def absorb(self, result: tuple[ClaimTotals, Diagnostics]) -> None:
        totals, diagnostics = result
        self.diagnostics.merge(diagnostics)
        self.totals.add(totals)

    def add_frames(self, frames: ClaimFrames) -> None:
        self.totals.add(ClaimTotals.of(frames))

    def result(self) -> dict[str, Any] | None:
        t = self.totals
        return {
            "claims": t.claims,
            "service_lines": t.service_lines,
            "charge_total": format_cents(t.charge),
        }


class AckSummary:
    """The ``acks`` block: 999 set outcomes and 277CA claim outcomes over the file.

    Only when the file has a 999 or a 277CA: a file whose only 277s are other claim status
    responses (X212) has no ``acks`` block (:meth:`result` returns None).
    """

    key = "acks"

    def __init__(self, diagnostics: Diagnostics, envelope: EnvelopeTracker) -> None:
        self.diagnostics = diagnostics
        self.totals = AckTotals()
        self.seen = False
        self._acks = AckFlattener(diagnostics, envelope)
        self._statuses = ClaimStatusFlattener(diagnostics, envelope)

    def prepare(self, batch: SegmentBatch) -> Callable[[], Any] | None:
        jobs: list[tuple[Callable[[], Any], Callable[[Any], AckTotals]]] = []
        ack_job = self._acks.prepare(batch)
        if ack_job is not None:
            jobs.append((ack_job, AckTotals.of_acks))
        status_job = self._statuses.prepare(batch)
        if status_job is not None:
            jobs.append((status_job, AckTotals.of_statuses))
        if not jobs:
            return None

        def run() -> list[tuple[AckTotals, Diagnostics]]:
            out = []
            for job, total in jobs:
                frames, diagnostics = job()
                out.append((total(frames), diagnostics))
            return out

        return run

    def absorb(self, result: list[tuple[AckTotals, Diagnostics]]) -> None:
        self.seen = True
        for totals, diagnostics in result:
            self.diagnostics.merge(diagnostics)
            self.totals.add(totals)

    def add_frames(self, acks: AckFrames | None, statuses: ClaimStatusFrames | None) -> None:
        if acks is not None:
            self.seen = True
            self.totals.add(AckTotals.of_acks(acks))
        if statuses is not None:
            self.seen = True
            self.totals.add(AckTotals.of_statuses(statuses))

    def result(self) -> dict[str, Any] | None:
        if not self.seen:
            return None
        t = self.totals
        return {
            "sets_accepted": t.sets_accepted,
            "sets_rejected": t.sets_rejected,
            "claims_accepted": t.claims_accepted,
            "claims_rejected": t.claims_rejected,
        }
