"""The ``claims`` (837) and ``acks`` (999, 277CA) blocks of ``edi inspect``, added up by chunk.

Polars-free (it travels between processes, and inspect's main process never loads Polars), like
:mod:`collectors.edi.era`. Fields (DESIGN.md "Command line"; money as two-decimal strings):

- ``claims``: ``claims`` = CLM loops, ``service_lines`` = SV1 + SV2 lines in claims,
  ``charge_total`` = ΣCLM02 (a CLM02 that is missing or not an amount adds nothing; it is in
  the warnings).
- ``acks``: ``sets_accepted`` / ``sets_rejected`` = 999 set responses (AK2) whose IK5 is A or E /
  R, M, W or X. A group response without any AK2 answers every set of its group with its AK9
  (KPI.md §1); it counts AK902 sets (those the acknowledged group included): all accepted for
  AK901 A or E, all rejected for R, M, W or X, and for P (partial, without saying which) AK904
  accepted and the other AK902 − AK904 rejected. ``claims_accepted`` / ``claims_rejected`` =
  277CA claims (PT HLs): rejected when one of their own (not line-level) statuses is a rejection
  (A3, A4, A6, A7, A8) or an HL above them has one (``rejected_above``); otherwise accepted when
  one of their own statuses is an acceptance (A1, A2, A5); otherwise neither. A rejection above
  claim level reaches the claims the 277CA lists beneath it.

A chunk's worker (:mod:`collectors.edi.claim_summaries`) cannot see the envelope before it, so
what depends on a set's implementation guide when its ST03 does not name one (GS08 then decides:
the claim type of an 837, whether a 277 is a 277CA) is settled here, in the main process, once the
chunk's envelope is known (:meth:`ClaimChunk.settle`, :meth:`StatusChunk.settle`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from collectors.edi.diagnostics import Diagnostics
from collectors.edi.envelope import EnvelopeTracker, Transaction
from collectors.edi.guides import claim_acknowledgment, claim_types
from collectors.edi.money import format_cents


@dataclass
class ClaimTotals:
    claims: int = 0
    service_lines: int = 0
    charge: int = 0  # cents

    def add(self, other: ClaimTotals) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def result(self) -> dict[str, Any]:
        return {
            "claims": self.claims,
            "service_lines": self.service_lines,
            "charge_total": format_cents(self.charge),
        }


@dataclass
class AckTotals:
    sets_accepted: int = 0
    sets_rejected: int = 0
    claims_accepted: int = 0
    claims_rejected: int = 0
    seen: bool = False  # a 999 or a 277CA was read: only then is there an ``acks`` block

    def add(self, other: AckTotals) -> None:
        for f in fields(self):
            if f.name != "seen":
                setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        self.seen = self.seen or other.seen

    def result(self) -> dict[str, Any] | None:
        if not self.seen:
            return None
        return {
            "sets_accepted": self.sets_accepted,
            "sets_rejected": self.sets_rejected,
            "claims_accepted": self.claims_accepted,
            "claims_rejected": self.claims_rejected,
        }


@dataclass
class ClaimChunk:
    """A chunk's 837 totals; its 837s' claim types are warned about in the main process."""

    totals: ClaimTotals
    transactions: list[int]  # chunk-local indices of its 837s

    def settle(
        self, chunk: list[Transaction], envelope: EnvelopeTracker, diagnostics: Diagnostics, _: int
    ) -> ClaimTotals:
        claim_types(envelope, [chunk[i] for i in self.transactions], diagnostics)
        return self.totals


@dataclass
class StatusChunk:
    """A chunk's 277CA totals. 277s whose ST03 names a guide were decided in the worker (those
    naming X214 are ``named``); the others (``unnamed``: local index, totals, warnings numbered
    within the chunk) wait for their GS08."""

    named: AckTotals
    transactions: list[int]  # chunk-local indices of every 277
    unnamed: list[tuple[int, AckTotals, Diagnostics]] = field(default_factory=list)

    def settle(
        self,
        chunk: list[Transaction],
        envelope: EnvelopeTracker,
        diagnostics: Diagnostics,
        offset: int,
    ) -> AckTotals:
        totals = AckTotals()
        totals.add(self.named)
        waiting = {index: (part, warnings) for index, part, warnings in self.unnamed}
        for index in self.transactions:
            read = claim_acknowledgment(envelope, chunk[index], diagnostics)
            if read and index in waiting:
                part, warnings = waiting[index]
                diagnostics.merge(warnings.rebased(offset))
                totals.add(part)
        return totals
