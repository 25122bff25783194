"""Column mappings: how a vendor's table (or CSV export) becomes rows of a canonical table.

A mapping file is TOML, one ``[[table]]`` per source table::

    version = 1
    timezone = "UTC"                 # zone of naive source times (default UTC)

    [[table]]
    stream = "work_items"            # our name for this stream (default: source_table)
    source_table = "work_item"       # table name (SQL) or file name (CSV, relative to the folder)
    target = "work_item"             # canonical table (must have source/source_key columns)
    key = "work_item_id"             # the source's primary key
    updated_at = "updated_at"        # last change of the row (SQL: required; CSV: optional)
    batch_size = 5000                # rows per transaction (optional)

    [table.columns]                  # canonical column = source column, or a table:
    type = "type"
    stage = { column = "stage", values = { PREBILL = "pre_bill", DENIAL = "denial" } }
    amount_cents = { column = "amount", money = "dollars" }     # or money = "cents"
    facility_id = { column = "facility_code", lookup = "facility" }
    payer_id = { column = "payer_code", lookup = "payer" }
    decision_id = { column = "decision_id", ref = "automated_decision" }
    exception_type = { const = "scrubber" }
    resolved_by_person = { column = "resolved_by", matches = "^zz[.]" }   # yes/no by pattern

Conversions follow the canonical column's type: money to integer cents, exactly (decimal text is
parsed, never a float; ``dollars`` with fractions of a cent is refused), times to UTC, dates,
booleans (1/0, true/false, y/n), integers, text (length checked). An empty string is null. With
``values`` a value outside the map is refused. ``lookup`` resolves a facility by its code (unknown:
null, counted in the run's notice) or a payer by its code or any identifier (unknown: added with
``needs_mapping``, as ingest does). ``ref`` resolves a row the same source sent to another
canonical table. A row that cannot be converted is quarantined with its reason, never dropped.

Validation happens at load time with one-line errors naming the file and the key.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import JSON, Boolean, Date, Float, Integer, String, Table, Text

from collectors.errors import SourceConfigError
from rcmwatch.store.models import Base
from rcmwatch.store.types import Money, UTCDateTime

LOOKUPS = ("facility", "payer")
_BOOKKEEPING = {"id", "source", "source_key", "removed_at_source"}
_TABLE_KEYS = {"stream", "source_table", "target", "key", "updated_at", "batch_size", "columns"}
_COLUMN_KEYS = {"column", "values", "money", "lookup", "ref", "const", "matches"}


def columns_by_name(table: Table) -> dict:
    """A canonical table's columns by SQL name (money columns are ``*_cents`` in SQL, while
    SQLAlchemy keys them without the suffix)."""
    return {c.name: c for c in table.columns}


class RowRefused(ValueError):
    """A source value that cannot become the canonical value (the row is quarantined)."""


@dataclass(frozen=True)
class ColumnMap:
    target: str
    column: str | None = None
    values: Mapping[str, str] | None = None
    money: str | None = None  # cents | dollars
    lookup: str | None = None  # facility | payer
    ref: str | None = None  # canonical table of the same source
    const: Any = None
    matches: str | None = None  # boolean column: true when the source text matches this regex


@dataclass(frozen=True)
class TableMap:
    stream: str
    source_table: str
    target: str
    key: str
    updated_at: str | None
    batch_size: int
    columns: tuple[ColumnMap, ...]
    timezone: str = "UTC"

    @property
    def table(self) -> Table:
        return Base.metadata.tables[self.target]

    @property
    def source_columns(self) -> list[str]:
        """Every source column this stream reads (key and updated_at first)."""
        seen = [self.key]
        if self.updated_at and self.updated_at not in seen:
            seen.append(self.updated_at)
        for c in self.columns:
            if c.column and c.column not in seen:
                seen.append(c.column)
        return seen


@dataclass(frozen=True)
class SourceMapping:
    path: Path
    tables: tuple[TableMap, ...] = field(default_factory=tuple)

    def stream(self, name: str) -> TableMap:
        for t in self.tables:
            if t.stream == name:
                return t
        raise KeyError(name)


def load_mapping(path: str | Path, *, require_updated_at: bool = True) -> SourceMapping:
    """Read and validate a mapping file; every problem is one :class:`SourceConfigError` line
    naming the file and the key."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourceConfigError(f"mapping file {path} does not exist") from None
    except OSError as exc:
        raise SourceConfigError(f"mapping file {path} cannot be read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SourceConfigError(f"mapping file {path} is not valid TOML: {exc}") from None
    return parse_mapping(raw, path, require_updated_at=require_updated_at)


def parse_mapping(
    raw: Mapping[str, Any], path: Path, *, require_updated_at: bool = True
) -> SourceMapping:
    def fail(where: str, what: str) -> SourceConfigError:
        return SourceConfigError(f"{path}: {where}: {what}")

    unknown = sorted(set(raw) - {"version", "timezone", "table"})
    if unknown:
        raise fail(unknown[0], "unknown key (expected version, timezone, table)")
    if raw.get("version", 1) != 1:
        raise fail("version", f"unsupported mapping version {raw.get('version')!r} (expected 1)")
    tz = raw.get("timezone", "UTC")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise fail("timezone", f"unknown time zone {tz!r}") from None
    tables_raw = raw.get("table")
    if not isinstance(tables_raw, list) or not tables_raw:
        raise fail("table", "no [[table]] entries")
    tables: list[TableMap] = []
    for i, t in enumerate(tables_raw):
        tables.append(_parse_table(t, f"table[{i}]", tz, fail, require_updated_at))
    streams = [t.stream for t in tables]
    for name in streams:
        if streams.count(name) > 1:
            raise fail("table", f"stream {name!r} is declared twice")
    targets = [t.target for t in tables]
    for name in targets:
        if targets.count(name) > 1:
            raise fail("table", f"two streams write canonical table {name!r}")
    for t in tables:
        for c in t.columns:
            if c.ref and c.ref not in targets[: targets.index(t.target)]:
                raise fail(
                    f"{t.stream}.columns.{c.target}",
                    f"ref {c.ref!r} must name a canonical table written by an earlier [[table]]",
                )
    return SourceMapping(path, tuple(tables))


def _parse_table(t, where, tz, fail, require_updated_at) -> TableMap:
    if not isinstance(t, Mapping):
        raise fail(where, "must be a table")
    unknown = sorted(set(t) - _TABLE_KEYS)
    if unknown:
        raise fail(f"{where}.{unknown[0]}", "unknown key")
    for k in ("source_table", "target", "key"):
        if not isinstance(t.get(k), str) or not t[k].strip():
            raise fail(f"{where}.{k}", "is required (a non-empty string)")
    stream = t.get("stream", t["source_table"])
    where = f"table {stream!r}"
    target = t["target"]
    table = Base.metadata.tables.get(target)
    if table is None:
        raise fail(f"{where}.target", f"no canonical table {target!r}")
    if not {"source", "source_key", "removed_at_source"} <= set(columns_by_name(table)):
        raise fail(f"{where}.target", f"canonical table {target!r} does not take source rows")
    updated_at = t.get("updated_at")
    if require_updated_at and not updated_at:
        raise fail(f"{where}.updated_at", "is required for SQL sources (incremental polling)")
    batch = t.get("batch_size", 5000)
    if not isinstance(batch, int) or not 1 <= batch <= 1_000_000:
        raise fail(f"{where}.batch_size", "must be an integer between 1 and 1000000")
    cols_raw = t.get("columns")
    if not isinstance(cols_raw, Mapping) or not cols_raw:
        raise fail(f"{where}.columns", "is required (canonical column = source column)")
    columns = []
    for name, spec in cols_raw.items():
        columns.append(_parse_column(table, name, spec, f"{where}.columns.{name}", fail))
    mapped = {c.target for c in columns}
    for col in table.columns:
        if col.name in _BOOKKEEPING or col.nullable or col.name in mapped:
            continue
        if col.default is None and col.server_default is None:
            raise fail(f"{where}.columns", f"canonical column {target}.{col.name} must be mapped")
    return TableMap(
        stream=stream,
        source_table=t["source_table"],
        target=target,
        key=t["key"],
        updated_at=updated_at,
        batch_size=batch,
        columns=tuple(columns),
        timezone=tz,
    )


def _parse_column(table: Table, name: str, spec, where: str, fail) -> ColumnMap:
    if name in _BOOKKEEPING:
        raise fail(where, "is filled by the collector, not mapped")
    by_name = columns_by_name(table)
    if name not in by_name:
        raise fail(where, f"canonical table {table.name!r} has no column {name!r}")
    col = by_name[name]
    if isinstance(spec, str):
        spec = {"column": spec}
    if not isinstance(spec, Mapping):
        raise fail(where, "must be a source column name or a table")
    unknown = sorted(set(spec) - _COLUMN_KEYS)
    if unknown:
        raise fail(f"{where}.{unknown[0]}", "unknown key")
    has_const = "const" in spec
    if has_const == ("column" in spec):
        raise fail(where, "needs exactly one of column or const")
    if "column" in spec and (not isinstance(spec["column"], str) or not spec["column"]):
        raise fail(f"{where}.column", "must be a non-empty string")
    money = spec.get("money")
    if isinstance(col.type, Money):
        if money not in ("cents", "dollars"):
            raise fail(f"{where}.money", 'a money column must say money = "cents" or "dollars"')
    elif money is not None:
        raise fail(f"{where}.money", f"{table.name}.{name} is not a money column")
    values = spec.get("values")
    if values is not None and (
        not isinstance(values, Mapping) or not all(isinstance(v, str) for v in values.values())
    ):
        raise fail(f"{where}.values", "must map source values to canonical text values")
    lookup = spec.get("lookup")
    if lookup is not None and lookup not in LOOKUPS:
        raise fail(f"{where}.lookup", f"must be one of {', '.join(LOOKUPS)}")
    ref = spec.get("ref")
    if ref is not None and ref not in Base.metadata.tables:
        raise fail(f"{where}.ref", f"no canonical table {ref!r}")
    matches = spec.get("matches")
    if matches is not None:
        if not isinstance(col.type, Boolean):
            raise fail(f"{where}.matches", f"{table.name}.{name} is not a yes/no column")
        try:
            re.compile(matches)
        except (re.error, TypeError) as exc:
            raise fail(f"{where}.matches", f"not a regular expression: {exc}") from None
    if (lookup or ref) and not col.foreign_keys:
        raise fail(where, f"{table.name}.{name} is not a reference column")
    return ColumnMap(
        target=name,
        column=spec.get("column"),
        values=dict(values) if values is not None else None,
        money=money,
        lookup=lookup,
        ref=ref,
        const=spec.get("const"),
        matches=matches,
    )


# --- value conversion --------------------------------------------------------------------


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def to_cents_exact(value, unit: str) -> int:
    """Source money (text, integer, Decimal, or a float read from a REAL column) to cents."""
    if value.__class__ is int:  # an INTEGER column (bool is not int here): nothing to parse
        return value if unit == "cents" else value * 100
    if isinstance(value, bool):
        raise RowRefused(f"not an amount: {value!r}")
    if isinstance(value, float):
        # The shortest text that reads back as this float is what the source wrote.
        text = repr(value)
    elif isinstance(value, (int, Decimal)):
        text = str(value)
    else:
        text = str(value).strip().replace(",", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise RowRefused(f"not an amount: {value!r}") from None
    if not amount.is_finite():
        raise RowRefused(f"not an amount: {value!r}")
    cents = amount if unit == "cents" else amount * 100
    if cents != cents.to_integral_value():
        what = "cents" if unit == "cents" else "dollars"
        raise RowRefused(f"amount {value!r} ({what}) has fractions of a cent")
    return int(cents)


def to_utc(value, zone: ZoneInfo | timezone) -> datetime:
    if isinstance(value, datetime):
        at = value
    elif isinstance(value, date):
        at = datetime(value.year, value.month, value.day)
    else:
        text = str(value).strip()
        try:
            at = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise RowRefused(f"not a date-time: {value!r}") from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=zone)
    # Already UTC (most sources, and every naive value of a UTC source): no conversion.
    return at if at.tzinfo is UTC else at.astimezone(UTC)


def source_zone(name: str) -> ZoneInfo | timezone:
    """The zone a source's naive times are in; UTC as ``datetime.UTC`` itself, so that
    :func:`to_utc` can tell values already in UTC apart without converting them."""
    return UTC if name in ("UTC", "Etc/UTC") else ZoneInfo(name)


def to_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise RowRefused(f"not a date: {value!r}") from None


_TRUE = {"1", "true", "t", "yes", "y"}
_FALSE = {"0", "false", "f", "no", "n"}


def to_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, Decimal)) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise RowRefused(f"not a yes/no value: {value!r}")


def to_int(value) -> int:
    if isinstance(value, bool):
        raise RowRefused(f"not an integer: {value!r}")
    if isinstance(value, int):
        return value
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise RowRefused(f"not an integer: {value!r}") from None
    if not number.is_finite() or number != number.to_integral_value():
        raise RowRefused(f"not an integer: {value!r}")
    return int(number)


def to_float(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise RowRefused(f"not a number: {value!r}") from None


def column_converter(tm: TableMap, cm: ColumnMap) -> Callable[[Any], Any]:
    """The function turning one source value into the canonical value (lookups and refs stay
    text here; the sink resolves them in bulk)."""
    col = columns_by_name(tm.table)[cm.target]
    zone = source_zone(tm.timezone)
    values = cm.values
    if cm.matches is not None:
        pattern = re.compile(cm.matches)
        base = lambda v: bool(pattern.search(str(v)))  # noqa: E731
    elif cm.lookup or cm.ref:
        base: Callable[[Any], Any] = lambda v: str(v).strip()  # noqa: E731
    elif isinstance(col.type, Money):
        unit = cm.money or "cents"
        base = lambda v: to_cents_exact(v, unit)  # noqa: E731
    elif isinstance(col.type, UTCDateTime):
        base = lambda v: to_utc(v, zone)  # noqa: E731
    elif isinstance(col.type, Date):
        base = to_date
    elif isinstance(col.type, Boolean):
        base = to_bool
    elif isinstance(col.type, Float):
        base = to_float
    elif isinstance(col.type, Integer):
        base = to_int
    elif isinstance(col.type, (String, Text)):
        length = getattr(col.type, "length", None)

        def base(v, _length=length, _name=cm.target):
            text = v if isinstance(v, str) else str(v)
            if _length and len(text) > _length:
                raise RowRefused(f"{_name} is longer than {_length} characters")
            return text
    elif isinstance(col.type, JSON):
        base = lambda v: v  # noqa: E731
    else:  # pragma: no cover - every canonical type is listed above
        raise SourceConfigError(f"no conversion for {tm.target}.{cm.target}")

    if values is None:

        def convert(v, _base=base, _str=str):
            # _blank inlined: this runs for every value of every collected row.
            if v is None or (v.__class__ is _str and not v.strip()):
                return None
            return _base(v)

        return convert

    def convert_mapped(v, _base=base, _values=values, _name=cm.target):
        if _blank(v):
            return None
        key = str(v).strip()
        if key not in _values:
            raise RowRefused(f"{_name} value {key!r} is not in the mapping's values")
        return _base(_values[key])

    return convert_mapped
