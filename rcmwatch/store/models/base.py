"""Declarative base with a naming convention, so Alembic revisions name constraints the same way
on SQLite (batch mode) and PostgreSQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import MetaData, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from rcmwatch.store.types import Id, Money, UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Text that arrives from files and source systems is stored unbounded (``String`` without a
    length): payers send values longer than the implementation guides allow, and a field width
    must never cost a file (PostgreSQL would refuse the row; SQLite would not even notice)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class IdMixin:
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)


class CreatedMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())


class SourceKeyMixin:
    """Rows copied from a source system keep the source's name and its own key, so collectors
    upsert idempotently and a full key scan can close what the source deleted."""

    source: Mapped[str] = mapped_column(index=False)
    source_key: Mapped[str]
    removed_at_source: Mapped[datetime | None] = mapped_column(UTCDateTime)


def money_column(column_name: str, **kwargs):
    """A money column: BIGINT cents named ``<x>_cents`` in SQL (what Polars and raw SQL read),
    attribute and Core key ``<x>`` carrying ``Decimal`` (what ORM and Core code use)."""
    if not column_name.endswith("_cents"):
        raise ValueError(f"money columns are named *_cents, not {column_name!r}")
    return mapped_column(column_name, Money, key=column_name.removesuffix("_cents"), **kwargs)
