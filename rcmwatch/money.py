"""Money is integer cents everywhere inside rcmwatch; ``Decimal`` (or a two-decimal string) only
at the edges. Floats are refused: a binary float cannot hold 0.07.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

CENT = Decimal("0.01")


def to_cents(amount: Decimal | str | int) -> int:
    """Exact conversion of dollars to cents; sub-cent values are an error, never rounded away.

    An ``int`` is taken as whole dollars (``to_cents(5) == 500``), a ``str`` is parsed as a
    decimal. Floats raise ``TypeError``.
    """
    if isinstance(amount, (bool, float)):
        raise TypeError(f"money must be Decimal, str or int dollars, not {type(amount).__name__}")
    if isinstance(amount, int):
        return amount * 100
    try:
        value = Decimal(amount) if isinstance(amount, str) else amount
    except InvalidOperation:
        raise ValueError(f"not an amount: {amount!r}") from None
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValueError(f"not an amount: {amount!r}")
    cents = value * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"amount {amount} has fractions of a cent")
    return int(cents)


def from_cents(cents: int) -> Decimal:
    """Cents to a two-place Decimal (``1234 → Decimal('12.34')``)."""
    return (Decimal(int(cents)) / 100).quantize(CENT, rounding=ROUND_HALF_EVEN)


def format_cents(cents: int | None) -> str | None:
    """Two-decimal string for JSON and CSV (``-5 → '-0.05'``); ``None`` stays ``None``."""
    if cents is None:
        return None
    return f"{from_cents(cents):.2f}"


def format_dollars(cents: int | None) -> str:
    """Human display: ``$1,234.56``, negative as ``-$5.00``, missing as an em dash."""
    if cents is None:
        return "—"
    sign = "-" if cents < 0 else ""
    return f"{sign}${from_cents(abs(cents)):,.2f}"
