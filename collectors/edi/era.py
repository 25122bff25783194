"""The ``era`` block of ``edi inspect``: totals over a file's 835s, added up chunk by chunk.

Polars-free at import (it travels between processes and the inspect main process never loads
Polars): only :meth:`EraTotals.of` needs frames.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from collectors.edi.money import format_cents

if TYPE_CHECKING:
    from collectors.edi.remittance_frames import RemittanceFrames

_SUMS = ("claims", "charge", "paid", "patient_responsibility", "provider_adjustments", "payment",
         "denied", "partially_denied", "reversals")  # fmt: skip


@dataclass
class EraTotals:
    """Sums in cents and counts over whole 835 transactions (DESIGN.md's era fields)."""

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
        """Totals of balanced frames (denials per KPI.md §2, reversals/predeterminations out)."""
        from metrics.denial import classify_denials

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
        for f in fields(self):
            if f.name in _SUMS:
                setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        self.balanced = self.balanced and other.balanced

    def result(self) -> dict[str, Any]:
        """The JSON block: money as two-decimal strings."""
        return {
            "claims": self.claims,
            "charge_total": format_cents(self.charge),
            "paid_total": format_cents(self.paid),
            "patient_responsibility_total": format_cents(self.patient_responsibility),
            "provider_adjustment_total": format_cents(self.provider_adjustments),
            "payment_total": format_cents(self.payment),
            "denied_claims": self.denied,
            "partially_denied_claims": self.partially_denied,
            "reversals": self.reversals,
            "balanced": self.balanced,
        }
