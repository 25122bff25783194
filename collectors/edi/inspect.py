"""``rcmwatch edi inspect``: one file in, one JSON-ready summary out (DESIGN.md "Command line").

Shape (keys in this order)::

    {"file", "ok", "error", "interchanges", "transactions": {"835": n, ...},
     "era": {...}            # only when the file has an 835 (collectors.edi.era)
     "claims": {...}         # only when it has an 837 (collectors.edi.inspect_totals)
     "acks": {...}           # only when it has a 999 or a 277CA (the same)
     "warnings": [...]}

How: this process reads the file as chunks of whole transactions (pure Python, no Polars) and
keeps the envelope; each chunk is tokenised and summarised by
:func:`collectors.edi.chunk_summary.summarise_chunk` — by default in three threads of this process
(Polars releases the GIL, so several chunks are summarised at once while this thread reads the
next), or in ``workers`` worker processes (``--workers``: each holds its own Polars and chunk,
about 200 MB, and on two cores it is slower) — and the partial results are folded in in file
order, segment numbers shifted into place. Memory follows at most three chunks
(:data:`~collectors.edi.chunks.DEFAULT_CHUNK_BYTES`), not the file. An 835 chunk that cannot warn
is answered by :mod:`collectors.edi.remit_quick` without flattening; the others, and files the
vectorised tokenizer declines, go through the flatteners and the per-segment path, whose output
the tests hold equal.

The blocks join through :data:`SUMMARIES` (set id → JSON key and the class adding up partial
results; 999 and 277 share ``acks``) and ``chunk_summary.SET_SUMMARIES`` (set id → partial result
of one chunk). A partial that depends on the envelope before its chunk (an 837's claim type, a
277 without ST03) has a ``settle`` method, called once the chunk's envelope rows are in.

Nothing escapes :func:`inspect_file`: a file that cannot be tokenised (not X12, truncated,
unreadable) gives ``ok: false`` and a one-line ``error``; an unexpected failure too, worded as an
internal error, so one bad file never hides the others.
"""

from __future__ import annotations

import multiprocessing
import sys
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from collectors.edi.chunks import DEFAULT_CHUNK_BYTES, Chunk, ChunkReader, opened
from collectors.edi.diagnostics import Diagnostics
from collectors.edi.envelope import EnvelopeTracker
from collectors.edi.era import EraTotals
from collectors.edi.errors import X12Error
from collectors.edi.inspect_totals import AckTotals, ClaimTotals

Engine = Literal["vectorised", "reference"]
IN_FLIGHT = 1  # chunks queued per worker process: bounds memory
# Summarising threads of the inspect process itself (``--workers 1``); at most this many chunks
# in flight (~11x the chunk of Polars working set for an 835, ~25x for a fully flattened 277CA).
# Three beat two on two cores (2.9 s against 3.2 s, medians, for the 85.6 MB bench 835): each
# thread's Python parts and hand-offs leave gaps that a third chunk fills.
THREADS = 3
# Chunks flattened in full (999, 277CA) hold ~2.5x an 835's memory: at most two of them at once.
HEAVY_IN_FLIGHT = 2
_ENVELOPE_HEAD = 4096  # a chunk's first ST lies within its ISA/GS header, if any

# Transaction set id → (JSON key, class adding up the chunks' partial results); the JSON lists
# the blocks in this order, each once, only when its ``result()`` is not None.
SUMMARIES: dict[str, tuple[str, Callable[[], Any]]] = {
    "835": ("era", EraTotals),
    "837": ("claims", ClaimTotals),
    "999": ("acks", AckTotals),
    "277": ("acks", AckTotals),
}


def _failure(path: str, error: str) -> dict[str, Any]:
    return {
        "file": path,
        "ok": False,
        "error": " ".join(error.split()),
        "interchanges": None,
        "transactions": None,
        "warnings": [],
    }


def inspect_file(
    path: str | Path,
    *,
    engine: Engine = "vectorised",
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    workers: int = 1,
) -> dict[str, Any]:
    """The inspect JSON object of one file; never raises.

    ``workers``: processes summarising chunks for the vectorised path (1: this process).
    """
    shown = str(path)
    try:
        if engine == "reference":
            return _inspect_reference(shown, chunk_bytes)
        from collectors.edi.segment_frames import VectorisedPathUnavailable

        try:
            return _inspect_chunks(shown, chunk_bytes, workers)
        except VectorisedPathUnavailable:
            return _inspect_reference(shown, chunk_bytes)
    except X12Error as exc:
        return _failure(shown, str(exc))
    except OSError as exc:
        return _failure(shown, f"cannot read the file: {exc.strerror or exc}")
    except Exception as exc:  # the funnel: one bad file must not hide the others
        return _failure(shown, f"internal error: {type(exc).__name__}: {exc}")


def _report(
    path: str, envelope: EnvelopeTracker, diagnostics: Diagnostics, totals: dict[str, Any]
) -> dict[str, Any]:
    counts = Counter(t.set_id for t in envelope.transactions)
    out: dict[str, Any] = {
        "file": path,
        "ok": True,
        "error": None,
        "interchanges": len(envelope.interchanges),
        "transactions": dict(sorted(counts.items())),
    }
    for key, _ in dict.fromkeys(SUMMARIES.values()):
        result = totals[key].result() if key in totals else None
        if result is not None:
            out[key] = result
    out["warnings"] = diagnostics.rendered()
    return out


@contextmanager
def _executor(workers: int) -> Iterator[tuple[Executor, int]]:
    """The pool summarising chunks, and how many chunks may be in flight.

    One worker is :data:`THREADS` threads of this process: Polars releases the GIL while it
    works, so the threads summarise chunks side by side while this thread reads and cuts the
    next one (pure Python), with one copy of Polars in memory. Results are still absorbed in
    file order.
    """
    if workers <= 1:
        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            yield pool, THREADS
        return
    # Forking is only safe before Polars (and its thread pool) is loaded in this process; the
    # CLI's process never loads it on this path. Otherwise start workers afresh.
    method = "fork" if "polars" not in sys.modules else "spawn"
    context = multiprocessing.get_context(method)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield pool, workers * IN_FLIGHT


def _fully_flattened(chunk: Chunk) -> bool:
    """The chunk starts with a 999 or 277 (no fast path: flattened in full, ~25x its size)."""
    st = b"ST" + chunk.delimiters.element.encode()
    at = chunk.data.find(st, 0, _ENVELOPE_HEAD)
    return at >= 0 and chunk.data[at + len(st) : at + len(st) + 3] in (b"999", b"277")


def _inspect_chunks(path: str, chunk_bytes: int, workers: int) -> dict[str, Any]:
    from collectors.edi.chunk_summary import ChunkSummary, summarise_chunk

    diagnostics = Diagnostics()
    envelope = EnvelopeTracker(diagnostics)
    totals: dict[str, Any] = {}
    seen = 0

    def absorb(summary: ChunkSummary) -> None:
        nonlocal seen
        first = len(envelope.transactions)
        for number, tag, elements in summary.envelope_rows:
            envelope.observe(number + seen, tag, elements)
        if summary.strays:
            count, first_stray, tag = summary.strays
            envelope.observe_strays(count, first_stray + seen, tag)
        diagnostics.merge(summary.diagnostics.rebased(seen))
        chunk = envelope.transactions[first:]
        for set_id, partial in summary.partials.items():
            key, make = SUMMARIES[set_id]
            if hasattr(partial, "settle"):
                partial = partial.settle(chunk, envelope, diagnostics, seen)
            totals.setdefault(key, make()).add(partial)
        seen += summary.segments

    with opened(path) as stream, _executor(workers) as (pool, size):
        pending: deque[tuple[Future[ChunkSummary], bool]] = deque()
        for chunk in ChunkReader(stream, diagnostics, chunk_bytes=chunk_bytes):
            heavy = _fully_flattened(chunk)
            pending.append((pool.submit(summarise_chunk, chunk.data, chunk.delimiters), heavy))
            while len(pending) >= size or sum(h for _, h in pending) >= HEAVY_IN_FLIGHT:
                absorb(pending.popleft()[0].result())
        while pending:
            absorb(pending.popleft()[0].result())
    envelope.finish()
    return _report(path, envelope, diagnostics, totals)


def _inspect_reference(path: str, chunk_bytes: int) -> dict[str, Any]:
    """The per-segment path end to end (tests compare it with the vectorised one)."""
    from collectors.edi.claim_summaries import ack_totals, claim_totals, status_totals
    from collectors.edi.x12_frames import read_x12

    parsed = read_x12(path, engine="reference", chunk_bytes=chunk_bytes)
    frames = parsed.frames
    totals: dict[str, Any] = {}
    if frames.remittance is not None:
        totals["era"] = EraTotals.of(frames.remittance)
    if frames.claims is not None:
        totals["claims"] = claim_totals(frames.claims)
    acks = AckTotals()
    if frames.acks is not None:
        acks.add(ack_totals(frames.acks))
    if frames.claim_status is not None:
        acks.add(status_totals(frames.claim_status))
    totals["acks"] = acks
    return _report(path, parsed.envelope, parsed.diagnostics, totals)
