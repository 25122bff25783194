"""``rcmwatch edi inspect``: one file in, one JSON-ready summary out (DESIGN.md "Command line").

Shape (keys in this order)::

    {"file", "ok", "error", "interchanges", "transactions": {"835": n, ...},
     "era": {...}            # only when the file has an 835 (collectors.edi.era)
     "warnings": [...]}

How: this process reads the file as chunks of whole transactions (pure Python, no Polars) and
keeps the envelope; each chunk is tokenised and summarised by
:func:`collectors.edi.chunk_summary.summarise_chunk` — in this process by default, or in
``workers`` worker processes (``--workers``: both cores, no GIL, but each worker holds its own
Polars and chunk, about 150-200 MB, so two of them exceed the 300 MB memory goal) — and the
partial results are folded in in file order, segment numbers shifted into place. Memory follows
one chunk (:data:`~collectors.edi.chunks.DEFAULT_CHUNK_BYTES`), not the file. Files the
vectorised tokenizer declines go through the per-segment path, whose output the tests hold
equal.

``claims`` (837) and ``acks`` (999/277CA) join through :data:`SUMMARIES` (set id → JSON key and
the class adding up partial results) and ``chunk_summary.SET_SUMMARIES`` (set id → partial result
of one chunk).

Nothing escapes :func:`inspect_file`: a file that cannot be tokenised (not X12, truncated,
unreadable) gives ``ok: false`` and a one-line ``error``; an unexpected failure too, worded as an
internal error, so one bad file never hides the others.
"""

from __future__ import annotations

import multiprocessing
import sys
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from collectors.edi.chunks import DEFAULT_CHUNK_BYTES, ChunkReader, opened
from collectors.edi.diagnostics import Diagnostics
from collectors.edi.envelope import EnvelopeTracker
from collectors.edi.era import EraTotals
from collectors.edi.errors import X12Error

Engine = Literal["vectorised", "reference"]
IN_FLIGHT = 1  # chunks queued per worker process: bounds memory

# Transaction set id → (JSON key, class adding up the chunks' partial results).
SUMMARIES: dict[str, tuple[str, Callable[[], Any]]] = {"835": ("era", EraTotals)}


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
    for set_id, (key, _) in SUMMARIES.items():
        if set_id in totals and key not in out:
            out[key] = totals[set_id].result()
    out["warnings"] = diagnostics.rendered()
    return out


class _InProcess(Executor):
    """Runs each job right away in this process (small files, or one worker asked for)."""

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[override]
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)
        return future


@contextmanager
def _executor(workers: int) -> Iterator[tuple[Executor, int]]:
    if workers <= 1:
        yield _InProcess(), 1
        return
    # Forking is only safe before Polars (and its thread pool) is loaded in this process; the
    # CLI's process never loads it on this path. Otherwise start workers afresh.
    method = "fork" if "polars" not in sys.modules else "spawn"
    context = multiprocessing.get_context(method)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield pool, workers


def _inspect_chunks(path: str, chunk_bytes: int, workers: int) -> dict[str, Any]:
    from collectors.edi.chunk_summary import ChunkSummary, summarise_chunk

    diagnostics = Diagnostics()
    envelope = EnvelopeTracker(diagnostics)
    totals: dict[str, Any] = {}
    seen = 0

    def absorb(summary: ChunkSummary) -> None:
        nonlocal seen
        for number, tag, elements in summary.envelope_rows:
            envelope.observe(number + seen, tag, elements)
        if summary.strays:
            count, first, tag = summary.strays
            envelope.observe_strays(count, first + seen, tag)
        diagnostics.merge(summary.diagnostics.rebased(seen))
        for set_id, partial in summary.partials.items():
            totals.setdefault(set_id, SUMMARIES[set_id][1]()).add(partial)
        seen += summary.segments

    with opened(path) as stream, _executor(workers) as (pool, size):
        pending: deque[Future[ChunkSummary]] = deque()
        for chunk in ChunkReader(stream, diagnostics, chunk_bytes=chunk_bytes):
            pending.append(pool.submit(summarise_chunk, chunk.data, chunk.delimiters))
            while len(pending) >= size * IN_FLIGHT:
                absorb(pending.popleft().result())
        while pending:
            absorb(pending.popleft().result())
    envelope.finish()
    return _report(path, envelope, diagnostics, totals)


def _inspect_reference(path: str, chunk_bytes: int) -> dict[str, Any]:
    """The per-segment path end to end (tests compare it with the vectorised one)."""
    from collectors.edi.remittance import read_remittance

    remit = read_remittance(path, engine="reference", chunk_bytes=chunk_bytes)
    totals: dict[str, Any] = {}
    if any(t.set_id == "835" for t in remit.envelope.transactions):
        totals["835"] = EraTotals.of(remit.frames)
    return _report(path, remit.envelope, remit.diagnostics, totals)
