"""SQL fragments that differ between SQLite and PostgreSQL, for the check queries."""

from __future__ import annotations

from datetime import UTC, date, datetime

from checks.catalog import SqlContext


def ts(ctx: SqlContext, moment: datetime) -> str:
    """A timestamp literal comparable with a UTCDateTime column (SQLite keeps naive UTC text)."""
    moment = moment.astimezone(UTC)
    if ctx.dialect == "sqlite":
        return f"'{moment.replace(tzinfo=None):%Y-%m-%d %H:%M:%S.%f}'"
    return f"TIMESTAMPTZ '{moment.isoformat()}'"


def day_literal(ctx: SqlContext, day: date) -> str:
    return f"'{day.isoformat()}'" if ctx.dialect == "sqlite" else f"DATE '{day.isoformat()}'"


def day_of(ctx: SqlContext, expr: str) -> str:
    """The UTC calendar day of a UTCDateTime column."""
    if ctx.dialect == "sqlite":
        return f"date({expr})"
    return f"CAST(({expr} AT TIME ZONE 'UTC') AS DATE)"


def text(ctx: SqlContext, expr: str) -> str:
    return f"CAST({expr} AS TEXT)"


def digits(ctx: SqlContext, expr: str, n: int) -> str:
    """``expr`` is exactly ``n`` ASCII digits."""
    if ctx.dialect == "sqlite":
        return f"({expr} GLOB '{'[0-9]' * n}')"
    return f"({expr} ~ '^[0-9]{{{{{n}}}}}$')"


def file_key(alias: str = "f") -> str:
    """The first 16 hex digits of a landed file's SHA-256: stable across stores and backends,
    and what ingest names remits by in its work items."""
    return f"substr({alias}.sha256, 1, 16)"


def not_test(expr: str) -> str:
    return f"NOT {expr}"
