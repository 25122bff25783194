"""The one CSV export every download goes through.

It checks the ``export_data`` permission, masks PHI columns unless the user may see them, turns
cent columns (``*_cents``) into two-decimal amounts, and appends an audit event (who exported
what, how many rows, which columns were masked). Pages never write CSV themselves.
"""

from __future__ import annotations

import polars as pl

from rcmwatch import audit
from rcmwatch.clock import Clock
from rcmwatch.identity import User, require

# Columns that identify a person. Masked unless the user holds `view_phi`.
PHI_COLUMNS: frozenset[str] = frozenset(
    {
        "last_name",
        "first_name",
        "middle_name",
        "patient_name",
        "subscriber_name",
        "birth_date",
        "mrn",
        "member_id",
        "address_line",
        "city",
        "postal_code",
        "phone",
    }
)
MASK = "***"


def mask_phi(frame: pl.DataFrame, user: User) -> tuple[pl.DataFrame, list[str]]:
    if user.can("view_phi"):
        return frame, []
    masked = [c for c in frame.columns if c in PHI_COLUMNS]
    if not masked:
        return frame, []
    return frame.with_columns(
        pl.when(pl.col(c).is_null()).then(None).otherwise(pl.lit(MASK)).alias(c) for c in masked
    ), masked


def money_columns_to_amounts(frame: pl.DataFrame) -> pl.DataFrame:
    """``charge_cents`` (Int64) → ``charge`` as an exact two-decimal string."""
    exprs = []
    for name in frame.columns:
        if name.endswith("_cents"):
            cents = pl.col(name).cast(pl.Int64)
            sign = pl.when(cents < 0).then(pl.lit("-")).otherwise(pl.lit(""))
            whole = (cents.abs() // 100).cast(pl.String)
            frac = (cents.abs() % 100).cast(pl.String).str.zfill(2)
            amount = pl.when(cents.is_null()).then(None).otherwise(sign + whole + "." + frac)
            exprs.append(amount.alias(name.removesuffix("_cents")))
        else:
            exprs.append(pl.col(name))
    return frame.select(exprs)


def export_csv(
    frame: pl.DataFrame,
    *,
    name: str,
    store,
    clock: Clock,
    user: User | None = None,
) -> bytes:
    """CSV bytes of ``frame`` for ``user`` (default: the acting user), audited in ``store``."""
    user = require("export_data", user)
    shown, masked = mask_phi(frame, user)
    data = money_columns_to_amounts(shown).write_csv().encode()
    if store is not None:
        with store.write() as conn:
            audit.append(
                conn,
                actor=user.username,
                action="export_csv",
                at=clock.now(),
                subject_type="export",
                subject_key=name,
                after={"rows": frame.height, "columns": frame.columns, "masked": masked},
            )
    return data


def deferred_export(frame: pl.DataFrame, *, name: str, store, clock: Clock, user: User):
    """A zero-argument callable for ``st.download_button``: exports (and audits) on click."""

    def build() -> bytes:
        return export_csv(frame, name=name, store=store, clock=clock, user=user)

    return build
