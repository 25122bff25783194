"""``rcmwatch edi inspect``: one file in, one JSON-ready summary out (DESIGN.md "Command line").

Shape (keys in this order)::

    {"file", "ok", "error", "interchanges", "transactions": {"835": n, ...},
     "era": {...}            # only when the file has an 835 (this module's RemittanceSummary)
     "warnings": [...]}

``claims`` (837) and ``acks`` (999/277CA) join through :data:`SUMMARIES`: a transaction set id
maps to a summary class with a JSON key; each gets every batch that holds its sets and reports
one JSON object at the end. Money leaves as two-decimal strings.

Nothing escapes :func:`inspect_file`: a file that cannot be tokenised (not X12, truncated,
unreadable) gives ``ok: false`` and a one-line ``error``; an unexpected failure too, worded as an
internal error, so one bad file never hides the others.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from collectors.edi.chunks import DEFAULT_CHUNK_BYTES
from collectors.edi.diagnostics import Diagnostics
from collectors.edi.envelope import EnvelopeTracker
from collectors.edi.errors import X12Error
from collectors.edi.money import format_cents
from collectors.edi.remittance import RemittanceFlattener
from collectors.edi.remittance_frames import RemittanceFrames
from collectors.edi.segment_frames import (
    SegmentBatch,
    SegmentFrameReader,
    VectorisedPathUnavailable,
)
from metrics.denial import classify_denials

Engine = Literal["vectorised", "reference"]
WORKERS = 2  # the machine's cores; Polars' own pool interleaves with them
IN_FLIGHT = 1


class Summary(Protocol):
    """What a transaction set contributes to the inspect JSON.

    ``prepare`` runs in file order (it may read the envelope) and returns the batch's work, or
    None; that work may run in another thread; ``absorb`` takes its result, again in file order.
    """

    key: str  # the JSON key ("era", "claims", "acks")

    def prepare(self, batch: SegmentBatch) -> Callable[[], Any] | None: ...

    def absorb(self, result: Any) -> None: ...

    def result(self) -> dict[str, Any]: ...


@dataclass
class EraTotals:
    """The era sums of some whole transactions (cents and counts)."""

    claims: int = 0
    charge: int = 0
    paid: int = 0
    patient_responsibility: int = 0
    provider_adjustments: int = 0
    payment: int = 0
    denied: int = 0
    partially_denied: int = 0
    reversals: int = 0
    balanced: bool = True

    @classmethod
    def of(cls, frames: RemittanceFrames) -> EraTotals:
        claims, txns = frames.claims, frames.transactions
        denials = classify_denials(claims, frames.adjustments).get_column("denial_status")
        return cls(
            claims=claims.height,
            charge=claims.get_column("charge_cents").sum(),
            paid=claims.get_column("paid_cents").sum(),
            patient_responsibility=claims.get_column("patient_responsibility_cents").sum(),
            provider_adjustments=frames.provider_adjustments.get_column("amount_cents").sum(),
            payment=txns.get_column("payment_cents").sum(),
            denied=int((denials == "full").sum()),
            partially_denied=int((denials == "partial").sum()),
            reversals=int(claims.get_column("is_reversal").sum()),
            balanced=bool(
                claims.get_column("is_balanced").all() and txns.get_column("is_balanced").all()
            ),
        )

    def add(self, other: EraTotals) -> None:
        for name in ("claims", "charge", "paid", "patient_responsibility"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("provider_adjustments", "payment", "denied", "partially_denied"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.reversals += other.reversals
        self.balanced = self.balanced and other.balanced


class RemittanceSummary:
    """The ``era`` block: totals over every 835 in the file (DESIGN.md field table)."""

    key = "era"

    def __init__(self, diagnostics: Diagnostics, envelope: EnvelopeTracker) -> None:
        self.diagnostics = diagnostics
        self.totals = EraTotals()
        self._flattener = RemittanceFlattener(diagnostics, envelope, columns="summary")

    def prepare(self, batch: SegmentBatch) -> Callable[[], Any] | None:
        job = self._flattener.prepare(batch)
        if job is None:
            return None

        def run() -> tuple[EraTotals, Diagnostics]:
            frames, diagnostics = job()
            return EraTotals.of(frames), diagnostics

        return run

    def absorb(self, result: tuple[EraTotals, Diagnostics]) -> None:
        totals, diagnostics = result
        self.diagnostics.merge(diagnostics)
        self.totals.add(totals)

    def add_frames(self, frames: RemittanceFrames) -> None:
        """Fold in balanced frames of whole transactions directly (the per-segment path)."""
        self.totals.add(EraTotals.of(frames))

    def result(self) -> dict[str, Any]:
        t = self.totals
        return {
            "claims": t.claims,
            "charge_total": format_cents(t.charge),
            "paid_total": format_cents(t.paid),
            "patient_responsibility_total": format_cents(t.patient_responsibility),
            "provider_adjustment_total": format_cents(t.provider_adjustments),
            "payment_total": format_cents(t.payment),
            "denied_claims": t.denied,
            "partially_denied_claims": t.partially_denied,
            "reversals": t.reversals,
            "balanced": t.balanced,
        }


# Transaction set id → summary factory. Issue 4 adds "837" (key "claims") and "999"/"277"
# (key "acks"); the JSON lists summaries in this order after "transactions".
SummaryFactory = Callable[[Diagnostics, EnvelopeTracker], Summary]
SUMMARIES: dict[str, SummaryFactory] = {"835": RemittanceSummary}


def _failure(path: str, error: str, warnings: list[str]) -> dict[str, Any]:
    return {
        "file": path,
        "ok": False,
        "error": " ".join(error.split()),
        "interchanges": None,
        "transactions": None,
        "warnings": warnings,
    }


def inspect_file(
    path: str | Path,
    *,
    engine: Engine = "vectorised",
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
) -> dict[str, Any]:
    """The inspect JSON object of one file; never raises."""
    shown = str(path)
    try:
        if engine == "reference":
            return _inspect_reference(shown, chunk_bytes)
        try:
            return _inspect_vectorised(shown, chunk_bytes)
        except VectorisedPathUnavailable:
            return _inspect_reference(shown, chunk_bytes)
    except X12Error as exc:
        return _failure(shown, str(exc), [])
    except OSError as exc:
        return _failure(shown, f"cannot read the file: {exc.strerror or exc}", [])
    except Exception as exc:  # the funnel: one bad file must not hide the others
        return _failure(shown, f"internal error: {type(exc).__name__}: {exc}", [])


def _report(
    path: str, envelope: EnvelopeTracker, diagnostics: Diagnostics, summaries: dict[str, Summary]
) -> dict[str, Any]:
    counts = Counter(t.set_id for t in envelope.transactions)
    out: dict[str, Any] = {
        "file": path,
        "ok": True,
        "error": None,
        "interchanges": len(envelope.interchanges),
        "transactions": dict(sorted(counts.items())),
    }
    # Summaries appear in SUMMARIES order, once each, only for sets the file has.
    seen: set[str] = set()
    for set_id in SUMMARIES:
        summary = summaries.get(set_id)
        if summary is not None and summary.key not in seen:
            seen.add(summary.key)
            out[summary.key] = summary.result()
    out["warnings"] = diagnostics.rendered()
    return out


def _inspect_vectorised(path: str, chunk_bytes: int) -> dict[str, Any]:
    """Tokenise batches in file order while up to :data:`WORKERS` threads summarise earlier ones.

    Polars releases the GIL while it computes, so the threads really overlap; at most
    :data:`IN_FLIGHT` batches wait, which bounds memory.
    """
    reader = SegmentFrameReader.open(path, chunk_bytes=chunk_bytes)
    summaries: dict[str, Summary] = {}
    pending: deque[tuple[Summary, Future[Any]]] = deque()
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        for batch in reader:
            for set_id in sorted({t.set_id for t in batch.transactions} & SUMMARIES.keys()):
                summary = summaries.get(set_id)
                if summary is None:
                    summary = SUMMARIES[set_id](reader.diagnostics, reader.envelope)
                    summaries[set_id] = summary
                job = summary.prepare(batch)
                if job is not None:
                    pending.append((summary, pool.submit(job)))
            while len(pending) > IN_FLIGHT:
                summary, future = pending.popleft()
                summary.absorb(future.result())
        while pending:
            summary, future = pending.popleft()
            summary.absorb(future.result())
    return _report(path, reader.envelope, reader.diagnostics, summaries)


def _inspect_reference(path: str, chunk_bytes: int) -> dict[str, Any]:
    """The per-segment path end to end (tests compare it with the vectorised one)."""
    from collectors.edi.remittance import read_remittance

    remit = read_remittance(path, engine="reference", chunk_bytes=chunk_bytes)
    summaries: dict[str, Summary] = {}
    if any(t.set_id == "835" for t in remit.envelope.transactions):
        summary = RemittanceSummary(remit.diagnostics, remit.envelope)
        summary.add_frames(remit.frames)
        summaries["835"] = summary
    return _report(path, remit.envelope, remit.diagnostics, summaries)
