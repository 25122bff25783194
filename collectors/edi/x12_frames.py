"""One tokenizer pass, every kind's frames: 835, 837, 999 and 277CA from one file.

A file may mix transaction sets (an inbound folder's concatenations, a clearinghouse's batch). The
tokenizer reads it once; each batch goes to the flattener of every kind it holds. For ingest::

    reader = SegmentFrameReader(io.BytesIO(data))          # or SegmentFrameReader.open(path)
    flattener = X12Flattener(reader.diagnostics, reader.envelope)
    parts = [flattener.flatten(batch) for batch in reader]   # X12Frames per batch (streaming)
    frames = X12Frames.concat(parts)                         # or write each part as it comes
    frames.remittance, frames.claims, frames.acks, frames.claim_status   # None: none in the file
    reader.envelope, reader.diagnostics.rendered()

or, for a whole file at once, :func:`read_x12` (``engine="reference"`` runs the per-segment
flatteners instead; the tests hold the two to identical frames and warnings).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import BinaryIO, Literal

from collectors.edi.acks import AckFlattener
from collectors.edi.chunks import DEFAULT_CHUNK_BYTES
from collectors.edi.claim_frames import (
    AckFrames,
    ClaimFrames,
    ClaimStatusFrames,
    transaction_envelope,
)
from collectors.edi.claim_status import ClaimStatusFlattener
from collectors.edi.claims import ClaimFlattener
from collectors.edi.diagnostics import Diagnostics
from collectors.edi.envelope import EnvelopeTracker
from collectors.edi.guides import claim_acknowledgment
from collectors.edi.remittance import RemittanceFlattener
from collectors.edi.remittance_frames import RemittanceFrames, envelope_columns
from collectors.edi.segment_frames import (
    SegmentBatch,
    SegmentFrameReader,
    VectorisedPathUnavailable,
)

Engine = Literal["vectorised", "reference"]
Source = str | Path | bytes | BinaryIO
KINDS = ("835", "837", "999", "277")  # ST01 values; a 277 is read only when it is a 277CA
_ATTRIBUTES = {"835": "remittance", "837": "claims", "999": "acks", "277": "claim_status"}


@dataclass
class X12Frames:
    """Each kind's frames, or None when the file (or batch) holds none of that kind."""

    remittance: RemittanceFrames | None = None
    claims: ClaimFrames | None = None
    acks: AckFrames | None = None
    claim_status: ClaimStatusFrames | None = None

    @classmethod
    def concat(cls, parts: Iterable[X12Frames]) -> X12Frames:
        parts = list(parts)
        out = {}
        for f in fields(cls):
            present = [getattr(p, f.name) for p in parts if getattr(p, f.name) is not None]
            out[f.name] = type(present[0]).concat(present) if present else None
        return cls(**out)


class X12Flattener:
    """The flatteners of ``kinds`` over one reader's batches (vectorised; see the module doc)."""

    def __init__(
        self,
        diagnostics: Diagnostics,
        envelope: EnvelopeTracker,
        *,
        kinds: Sequence[str] = KINDS,
    ) -> None:
        makers = {
            "835": lambda: RemittanceFlattener(diagnostics, envelope),
            "837": lambda: ClaimFlattener(diagnostics, envelope),
            "999": lambda: AckFlattener(diagnostics, envelope),
            "277": lambda: ClaimStatusFlattener(diagnostics, envelope),
        }
        self._flatteners = {kind: makers[kind]() for kind in kinds}

    def flatten(self, batch: SegmentBatch) -> X12Frames:
        return X12Frames(
            **{_ATTRIBUTES[kind]: f.flatten(batch) for kind, f in self._flatteners.items()}
        )

    def flatten_all(self, batches: Iterable[SegmentBatch], threads: int) -> list[X12Frames]:
        """Every batch's frames, in order, flattening up to ``threads`` batches side by side
        (Polars releases the GIL; as ``inspect`` does). Each batch's jobs are prepared as soon
        as it is read — they capture the envelope as it stands then — and absorbed in order,
        so indices and diagnostics are those of a sequential read."""
        if threads <= 1:
            return [self.flatten(batch) for batch in batches]
        from collections import deque
        from concurrent.futures import Future, ThreadPoolExecutor

        pending: deque[dict[str, Future | None]] = deque()
        parts: list[X12Frames] = []

        def absorb(jobs: dict[str, Future | None]) -> X12Frames:
            return X12Frames(
                **{
                    _ATTRIBUTES[kind]: None
                    if job is None
                    else self._flatteners[kind].absorb(job.result())
                    for kind, job in jobs.items()
                }
            )

        with ThreadPoolExecutor(threads, thread_name_prefix="rcmwatch-flatten") as pool:
            for batch in batches:
                jobs: dict[str, Future | None] = {}
                for kind, flattener in self._flatteners.items():
                    job = flattener.prepare(batch)
                    jobs[kind] = None if job is None else pool.submit(job)
                pending.append(jobs)
                if len(pending) >= threads:  # at most ``threads`` batches held in flight
                    parts.append(absorb(pending.popleft()))
            while pending:
                parts.append(absorb(pending.popleft()))
        return parts


@dataclass
class X12File:
    frames: X12Frames
    envelope: EnvelopeTracker
    diagnostics: Diagnostics


def _stream(source: Source) -> tuple[BinaryIO, bool]:
    """A binary stream of ``source`` and whether it is ours to close."""
    if isinstance(source, bytes):
        return io.BytesIO(source), True
    if isinstance(source, str | Path):
        return open(source, "rb"), True
    return source, False


def read_x12(
    source: Source,
    *,
    engine: Engine = "vectorised",
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    kinds: Sequence[str] = KINDS,
    threads: int = 1,
) -> X12File:
    """Every frame of ``kinds`` in a file (path, bytes or binary stream); raises NotX12 /
    TruncatedX12 like the tokenizer.

    ``threads``: batches flattened side by side (vectorised engine; frames identical).

    A chunk the vectorised tokenizer cannot read (``VectorisedPathUnavailable``: it holds every
    byte it could use as a field separator) sends the whole file through the per-segment path, as
    inspect does — for a stream, only when it can seek back to where it started.
    """
    stream, owned = _stream(source)
    start = stream.tell() if stream.seekable() else None
    try:
        if engine == "reference":
            return _read_reference(stream, chunk_bytes, kinds)
        try:
            reader = SegmentFrameReader(stream, chunk_bytes=chunk_bytes)
            flattener = X12Flattener(reader.diagnostics, reader.envelope, kinds=kinds)
            parts = flattener.flatten_all(reader, threads)
        except VectorisedPathUnavailable:
            if start is None:
                raise
            stream.seek(start)
            return _read_reference(stream, chunk_bytes, kinds)
        return X12File(X12Frames.concat(parts), reader.envelope, reader.diagnostics)
    finally:
        if owned:
            stream.close()


def _read_reference(stream: BinaryIO, chunk_bytes: int, kinds: Sequence[str]) -> X12File:
    from collectors.edi.ack_reference import AckRowBuilder
    from collectors.edi.balancing import balance
    from collectors.edi.claim_reference import ClaimRowBuilder
    from collectors.edi.claim_status_reference import ClaimStatusRowBuilder
    from collectors.edi.remittance_reference import RemittanceRowBuilder
    from collectors.edi.segments import SegmentReader

    reader = SegmentReader(stream, chunk_bytes=chunk_bytes)
    diagnostics, env = reader.diagnostics, reader.envelope
    builders = {
        "835": RemittanceRowBuilder(diagnostics),
        "837": ClaimRowBuilder(diagnostics),
        "999": AckRowBuilder(diagnostics),
        "277": ClaimStatusRowBuilder(diagnostics),
    }
    builders = {kind: builders[kind] for kind in kinds}
    read: dict[int, bool] = {}  # transaction index → read by its kind's builder?
    for seg in reader:
        index = seg.transaction_index
        if index is None:
            continue
        if index not in read:
            st = env.transactions[index]
            read[index] = st.set_id in builders and (
                st.set_id != "277" or claim_acknowledgment(env, st, diagnostics)
            )
        if read[index]:
            builders[env.transactions[index].set_id].add(seg)
    out = X12Frames()
    for kind, builder in builders.items():
        indices = [t.index for t in env.transactions if t.set_id == kind and read.get(t.index)]
        if not indices:
            continue
        if kind == "835":
            out.remittance = balance(builder.frames(envelope_columns(env, indices)), diagnostics)
        else:
            setattr(out, _ATTRIBUTES[kind], builder.frames(transaction_envelope(env, indices)))
    return X12File(out, env, diagnostics)
