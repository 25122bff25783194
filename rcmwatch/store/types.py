"""Column types shared by every model.

- :class:`Money`: integer cents (BIGINT) on every backend — SQLite's NUMERIC is a float — with
  ``Decimal`` on the Python side. Bulk paths that already hold cents write the raw column through
  :func:`rcmwatch.store.bulk.cents_columns` and read it with Polars (Int64), bypassing the
  conversion.
- :class:`UTCDateTime`: aware UTC datetimes in, aware UTC datetimes out, on both backends
  (SQLite keeps naive text; PostgreSQL ``timestamptz``).
- :data:`Id`: 64-bit surrogate key that still autoincrements on SQLite (only ``INTEGER PRIMARY
  KEY`` aliases the rowid there).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import JSON, BigInteger, DateTime, Integer
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator

from rcmwatch.money import from_cents, to_cents

Id = BigInteger().with_variant(Integer(), "sqlite")
Json = JSON().with_variant(JSONB(), "postgresql")


class Money(TypeDecorator):
    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if not isinstance(value, Decimal):
            # An int here is ambiguous (dollars or cents?); refuse rather than guess.
            raise TypeError(f"Money columns take Decimal, not {type(value).__name__}: {value!r}")
        return to_cents(value)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return from_cents(value)


class UTCDateTime(TypeDecorator):
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
