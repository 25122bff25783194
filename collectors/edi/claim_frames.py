"""The containers of one batch's (or one file's) 837, 999 and 277CA frames, and their envelope.

Columns: :mod:`collectors.edi.claim_layout`, :mod:`collectors.edi.ack_layout`,
:mod:`collectors.edi.claim_status_layout`.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from collectors.edi import ack_layout, claim_layout, claim_status_layout
from collectors.edi.envelope import EnvelopeTracker
from collectors.edi.frame_sets import FrameSet
from collectors.edi.guides import implementation_of
from collectors.edi.remittance_frames import envelope_columns


@dataclass
class ClaimFrames(FrameSet):
    """837 frames: transactions, claims, service_lines, diagnoses, other_payers."""

    SCHEMAS = claim_layout.SCHEMAS

    transactions: pl.DataFrame
    claims: pl.DataFrame
    service_lines: pl.DataFrame
    diagnoses: pl.DataFrame
    other_payers: pl.DataFrame


@dataclass
class AckFrames(FrameSet):
    """999 frames: groups (AK1/AK9), sets (AK2/IK5), errors (IK3/IK4/CTX)."""

    SCHEMAS = ack_layout.SCHEMAS

    groups: pl.DataFrame
    sets: pl.DataFrame
    errors: pl.DataFrame


@dataclass
class ClaimStatusFrames(FrameSet):
    """277CA frames: transactions, statuses (one row per STC, or per HL without one)."""

    SCHEMAS = claim_status_layout.SCHEMAS

    transactions: pl.DataFrame
    statuses: pl.DataFrame


def transaction_envelope(envelope: EnvelopeTracker, indices: list[int]) -> pl.DataFrame:
    """The envelope columns of these transactions plus ``implementation`` (ST03, else GS08)."""
    frame = envelope_columns(envelope, indices)
    implementation = [implementation_of(envelope, i) or None for i in indices]
    return frame.with_columns(pl.Series("implementation", implementation, dtype=pl.String))
