"""The bulk write path: Polars frames into canonical tables, inside the caller's transaction.

Frames name SQL columns (``amount_cents``, not ``amount``) and carry raw values: cents as Int64,
times as aware UTC datetimes, dates, booleans, strings. PostgreSQL gets ``COPY ... FROM STDIN``
(through a temporary table when rows may already exist); SQLite gets ``executemany`` on the raw
driver cursor. ORM row-by-row inserts are ~10× slower and are not used here.

Surrogate ids are allocated before writing (:func:`allocate_ids`) so that child frames can carry
their parents' ids without a round trip per row. On SQLite the write transaction holds the
database lock (``BEGIN IMMEDIATE``), so ``MAX(id)`` is safe; on PostgreSQL ids come from the
table's sequence.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from datetime import UTC

import polars as pl
from sqlalchemy import Connection, Table, text

# SQLAlchemy's SQLite DateTime storage format; the ORM reads these back unchanged.
_SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S%.6f"
_COPY_NULL = r"\N"


_SEQUENCES: dict[tuple[str, str], str] = {}


def _pg_sequence(conn: Connection, table: Table) -> str:
    """The table's id sequence (looked up once per database: a round trip per allocation)."""
    key = (conn.engine.url.render_as_string(hide_password=True), table.name)
    if key not in _SEQUENCES:
        _SEQUENCES[key] = _lookup_sequence(conn, table)
    return _SEQUENCES[key]


def _lookup_sequence(conn: Connection, table: Table) -> str:
    name = conn.execute(
        text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table.name}
    ).scalar_one()
    if name is None:
        raise RuntimeError(f"table {table.name} has no id sequence")
    return name


def allocate_ids(conn: Connection, table: Table, n: int) -> list[int]:
    """``n`` fresh ids for ``table`` (ascending)."""
    if n <= 0:
        return []
    if conn.dialect.name == "postgresql":
        seq = _pg_sequence(conn, table)
        # One row holding every id (an array): fetching n rows of one id each cost ~2.5 µs a
        # row through the driver and SQLAlchemy (1.8 s for a 100,000-claim 837's ids).
        ids = conn.execute(
            text(
                "SELECT array_agg(v ORDER BY v) FROM "
                "(SELECT nextval(CAST(:s AS regclass)) AS v FROM generate_series(1, :n)) AS ids"
            ),
            {"s": seq, "n": n},
        ).scalar_one()
        return [int(v) for v in ids]
    start = conn.execute(text(f'SELECT COALESCE(MAX(id), 0) FROM "{table.name}"')).scalar_one()
    return list(range(int(start) + 1, int(start) + 1 + n))


def with_ids(conn: Connection, table: Table, frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with a fresh ``id`` column as its first column."""
    ids = allocate_ids(conn, table, frame.height)
    return frame.select(pl.Series("id", ids, dtype=pl.Int64), pl.all())


def _check_columns(table: Table, frame: pl.DataFrame) -> None:
    known = {c.name for c in table.columns}
    unknown = [c for c in frame.columns if c not in known]
    if unknown:
        raise ValueError(f"{table.name} has no columns {unknown}")


# Below this many rows SQLite values are converted in Python: a Polars query has a fixed cost
# (~0.5 ms) that a daily file's few hundred rows do not repay, and a clearinghouse delivers
# thousands of such files. Both conversions give the same text (tests/store/test_bulk.py).
SMALL_FRAME_ROWS = 2_000


def _sqlite_text(dtype):
    """Python conversion of one column's values to what SQLite stores (as SQLAlchemy does)."""
    if isinstance(dtype, pl.Datetime):

        def stamp(v):
            if v is None:
                return None
            if v.tzinfo is not None:
                v = v.astimezone(UTC).replace(tzinfo=None)
            return v.strftime("%Y-%m-%d %H:%M:%S.%f")

        return stamp
    if dtype == pl.Date:
        return lambda v: None if v is None else v.isoformat()
    if dtype == pl.Boolean:
        return lambda v: None if v is None else int(v)
    return None


def sqlite_rows(frame: pl.DataFrame):
    """The frame's rows as SQLite parameters: times as SQLAlchemy's text, dates ISO, booleans
    0/1."""
    if frame.height >= SMALL_FRAME_ROWS:
        return value_rows(_sqlite_values(frame))
    columns = []
    for name, dtype in frame.schema.items():
        values = frame.get_column(name).to_list()
        convert = _sqlite_text(dtype)
        columns.append(values if convert is None else [convert(v) for v in values])
    return zip(*columns, strict=True)


def _sqlite_values(frame: pl.DataFrame) -> pl.DataFrame:
    exprs = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if isinstance(dtype, pl.Datetime):
            if dtype.time_zone is not None:
                col = col.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
            exprs.append(col.dt.strftime(_SQLITE_DATETIME).alias(name))
        elif dtype == pl.Date:
            exprs.append(col.dt.strftime("%Y-%m-%d").alias(name))
        elif dtype == pl.Boolean:
            exprs.append(col.cast(pl.Int8).alias(name))
        else:
            exprs.append(col)
    return frame.select(exprs)


def query_frame(conn: Connection, sql: str, types: dict | None = None) -> pl.DataFrame:
    """A query's rows as a frame, read on the driver's own cursor (no bound parameters: the
    callers restrict through temporary tables). Values come as the driver gives them — SQLite
    times and dates as text, PostgreSQL's as datetimes and dates. Row mappings through
    SQLAlchemy cost ~4 µs a row more (0.8 s for a 100,000-claim file's versions).

    ``types``: dtypes of columns that may come all null (which would otherwise be ``Null``)."""
    cur = conn.connection.driver_connection.cursor()
    try:
        cur.execute(sql)
        names = [d[0] for d in cur.description]
        rows = cur.fetchall()
    finally:
        cur.close()
    return pl.DataFrame(
        rows, schema=names, orient="row", infer_schema_length=None, schema_overrides=types
    )


def value_rows(frame: pl.DataFrame):
    """The frame's rows as tuples for ``executemany``: a column at a time into Python values,
    then zipped (about twice as fast as ``iter_rows``, which builds each row in Polars)."""
    return zip(*(frame.get_column(c).to_list() for c in frame.columns), strict=True)


def _pg_copy(conn: Connection, target: str, frame: pl.DataFrame) -> None:
    exprs = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.Datetime) and dtype.time_zone is None:
            exprs.append(pl.col(name).dt.replace_time_zone("UTC"))
        else:
            exprs.append(pl.col(name))
    buf = io.BytesIO()
    frame.select(exprs).write_csv(buf, include_header=False, null_value=_COPY_NULL)
    columns = ", ".join(f'"{c}"' for c in frame.columns)
    raw = conn.connection.driver_connection
    with (
        raw.cursor() as cur,
        cur.copy(
            f"COPY {target} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '{_COPY_NULL}')"
        ) as copy,
    ):
        copy.write(buf.getvalue())


def insert_frame(conn: Connection, table: Table, frame: pl.DataFrame) -> int:
    """Insert every row of ``frame``; returns the row count. All or nothing with the caller's
    transaction."""
    if frame.height == 0:
        return 0
    _check_columns(table, frame)
    if conn.dialect.name == "postgresql":
        _pg_copy(conn, f'"{table.name}"', frame)
    else:
        columns = ", ".join(f'"{c}"' for c in frame.columns)
        marks = ", ".join("?" for _ in frame.columns)
        raw = conn.connection.driver_connection
        raw.executemany(
            f'INSERT INTO "{table.name}" ({columns}) VALUES ({marks})', sqlite_rows(frame)
        )
    return frame.height


# Single-column key lookups up to this many keys bind one list instead of filling a temporary
# table.
SMALL_LOOKUP_KEYS = 5_000


def ids_for_keys(
    conn: Connection, table: Table, keys: pl.DataFrame, key_columns: Sequence[str]
) -> pl.DataFrame:
    """Existing ``id`` of each distinct key row (left join: ``id`` null where missing)."""
    distinct = keys.select(key_columns).unique(maintain_order=True)
    if distinct.height == 0:
        return distinct.with_columns(pl.lit(None, dtype=pl.Int64).alias("id"))
    found = _lookup(conn, table, distinct, key_columns)
    return distinct.join(found, on=list(key_columns), how="left", nulls_equal=True)


def _lookup(conn, table: Table, distinct: pl.DataFrame, key_columns: Sequence[str]) -> pl.DataFrame:
    cols = ", ".join(f'"{c}"' for c in key_columns)
    schema = {"id": pl.Int64} | {c: distinct.schema[c] for c in key_columns}
    rows: list[tuple] = []
    key = key_columns[0]
    if (
        len(key_columns) == 1
        and distinct.height <= SMALL_LOOKUP_KEYS
        and distinct.schema[key] in (pl.String, pl.Int64)
    ):
        # One statement, one bound list, on the driver's cursor: a daily file's few hundred
        # keys cost ~3 ms through a temporary table or a compiled OR of parameters.
        values = distinct.get_column(key).to_list()
        cur = conn.connection.driver_connection.cursor()
        try:
            if conn.dialect.name == "postgresql":
                sql = f'SELECT id, "{key}" FROM "{table.name}" WHERE "{key}" = ANY(%s)'
                cur.execute(sql, (values,))
            else:
                sql = (
                    f'SELECT id, "{key}" FROM "{table.name}" '
                    f'WHERE "{key}" IN (SELECT value FROM json_each(?))'
                )
                cur.execute(sql, (json.dumps(values),))
            rows = cur.fetchall()
        finally:
            cur.close()
    elif conn.dialect.name == "postgresql" or distinct.height > 500:
        # A temporary table joins any number of keys in one statement.
        tmp = f"_rcmw_keys_{table.name}"
        types = {c: table.c[c].type.compile(dialect=conn.dialect) for c in key_columns}
        defs = ", ".join(f'"{c}" {types[c]}' for c in key_columns)
        conn.execute(text(f'DROP TABLE IF EXISTS "{tmp}"'))
        conn.execute(text(f'CREATE TEMPORARY TABLE "{tmp}" ({defs})'))
        insert_temp(conn, tmp, distinct)
        on = " AND ".join(f't."{c}" = k."{c}"' for c in key_columns)
        select_cols = ", ".join(f't."{c}"' for c in key_columns)
        rows = conn.execute(
            text(f'SELECT t.id, {select_cols} FROM "{table.name}" t JOIN "{tmp}" k ON {on}')
        ).all()
        conn.execute(text(f'DROP TABLE "{tmp}"'))
    else:
        where = " OR ".join(
            "(" + " AND ".join(f'"{c}" = :{c}_{i}' for c in key_columns) + ")"
            for i in range(distinct.height)
        )
        params = {
            f"{c}_{i}": row[c]
            for i, row in enumerate(distinct.iter_rows(named=True))
            for c in key_columns
        }
        rows = conn.execute(
            text(f'SELECT id, {cols} FROM "{table.name}" WHERE {where}'), params
        ).all()
    return pl.DataFrame([tuple(r) for r in rows], schema=schema, orient="row")


def insert_temp(conn: Connection, tmp: str, frame: pl.DataFrame) -> None:
    """All rows of ``frame`` into the temporary table ``tmp`` (its columns, in order)."""
    if conn.dialect.name == "postgresql":
        _pg_copy(conn, f'"{tmp}"', frame)
        return
    marks = ", ".join("?" for _ in frame.columns)
    conn.connection.driver_connection.executemany(
        f'INSERT INTO "{tmp}" VALUES ({marks})', sqlite_rows(frame)
    )


def insert_missing(
    conn: Connection, table: Table, frame: pl.DataFrame, key_columns: Sequence[str]
) -> pl.DataFrame:
    """Insert the rows of ``frame`` whose key is not in ``table`` yet (first row per key wins)
    and return ``key columns + id`` for every distinct key in ``frame``.

    Rows already present are left untouched: a later file never rewrites what an earlier one
    established (links and corrections are separate, explicit updates)."""
    return store_missing(conn, table, frame, key_columns)[0]


def store_missing(
    conn: Connection, table: Table, frame: pl.DataFrame, key_columns: Sequence[str]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """:func:`insert_missing`, also returning ``key columns + id`` of the rows this call wrote
    (not those another transaction stored meanwhile, on PostgreSQL)."""
    keys = list(key_columns)
    frame = frame.unique(subset=keys, keep="first", maintain_order=True)
    known = ids_for_keys(conn, table, frame, keys)
    found = known.filter(pl.col("id").is_not_null())
    missing = frame.join(found.select(keys), on=keys, how="anti", nulls_equal=True)
    written = insert_new(conn, table, missing, keys)
    if missing.height == 0:
        return known, written
    # Another transaction may have stored some keys meanwhile: ON CONFLICT left them out.
    lost = missing.join(written, on=keys, how="anti", nulls_equal=True).select(keys)
    ids = pl.concat([found, written, ids_for_keys(conn, table, lost, keys)])
    return known.select(keys).join(ids, on=keys, how="left", nulls_equal=True), written


def insert_new(
    conn: Connection, table: Table, frame: pl.DataFrame, key_columns: Sequence[str]
) -> pl.DataFrame:
    """Insert rows the caller found missing (one per key; with or without ``id``) and return
    key columns + ``id`` of the rows *this call* wrote. On PostgreSQL another transaction may
    store a key meanwhile: that row is left out (``ON CONFLICT DO NOTHING``) and is missing from
    the answer. On SQLite the write transaction holds the database lock, so every row is written.
    """
    schema = {c: frame.schema[c] for c in key_columns} | {"id": pl.Int64}
    if frame.height == 0:
        return pl.DataFrame(schema=schema)
    _check_columns(table, frame)
    if conn.dialect.name != "postgresql":
        written = frame if "id" in frame.columns else with_ids(conn, table, frame)
        insert_frame(conn, table, written)
        return written.select(*key_columns, "id")
    tmp = f"_rcmw_new_{table.name}"
    cols = ", ".join(f'"{c}"' for c in frame.columns)
    keys = ", ".join(f'"{c}"' for c in key_columns)
    conn.execute(text(f'DROP TABLE IF EXISTS "{tmp}"'))
    conn.execute(
        text(f'CREATE TEMPORARY TABLE "{tmp}" AS SELECT {cols} FROM "{table.name}" WITH NO DATA')
    )
    _pg_copy(conn, f'"{tmp}"', frame)
    written = query_frame(
        conn,
        f'INSERT INTO "{table.name}" ({cols}) SELECT {cols} FROM "{tmp}" '
        f"ON CONFLICT ({keys}) DO NOTHING RETURNING {keys}, id",
        schema,
    )
    conn.execute(text(f'DROP TABLE "{tmp}"'))
    return written


def update_from_frame(
    conn: Connection, table: Table, frame: pl.DataFrame, *, key: str = "id"
) -> int:
    """Set the frame's columns on the rows whose ``key`` matches (one statement through a
    temporary table: ``UPDATE ... FROM``, on PostgreSQL and on SQLite ≥ 3.33)."""
    if frame.height == 0:
        return 0
    _check_columns(table, frame)
    tmp = f"_rcmw_upd_{table.name}"
    cols = ", ".join(f'"{c}"' for c in frame.columns)
    conn.execute(text(f'DROP TABLE IF EXISTS "{tmp}"'))
    conn.execute(
        text(f'CREATE TEMPORARY TABLE "{tmp}" AS SELECT {cols} FROM "{table.name}" WHERE 1 = 0')
    )
    _insert_temp_columns(conn, tmp, frame)
    changing = [c for c in frame.columns if c != key]
    sets = ", ".join(f'"{c}" = s."{c}"' for c in changing)
    where = f'"{table.name}"."{key}" = s."{key}"'
    # Rows already holding these values are not rewritten: on PostgreSQL every updated row is a
    # new row version and index entries (1.6 s for 100,000 claim statuses that stayed unlinked).
    mine = [f'"{table.name}"."{c}"' for c in changing]
    theirs = [f's."{c}"' for c in changing]
    if conn.dialect.name == "postgresql":
        differs = f"ROW({', '.join(mine)}) IS DISTINCT FROM ROW({', '.join(theirs)})"
    else:
        differs = " OR ".join(f"{m} IS NOT {t}" for m, t in zip(mine, theirs, strict=True))
    if changing:
        where += f" AND ({differs})"
    result = conn.execute(text(f'UPDATE "{table.name}" SET {sets} FROM "{tmp}" s WHERE {where}'))
    conn.execute(text(f'DROP TABLE "{tmp}"'))
    return result.rowcount or 0


def _insert_temp_columns(conn: Connection, tmp: str, frame: pl.DataFrame) -> None:
    if conn.dialect.name == "postgresql":
        _pg_copy(conn, f'"{tmp}"', frame)
        return
    cols = ", ".join(f'"{c}"' for c in frame.columns)
    marks = ", ".join("?" for _ in frame.columns)
    conn.connection.driver_connection.executemany(
        f'INSERT INTO "{tmp}" ({cols}) VALUES ({marks})', sqlite_rows(frame)
    )


def upsert_frame(
    conn: Connection, table: Table, frame: pl.DataFrame, key_columns: Sequence[str]
) -> int:
    """Insert the rows of ``frame`` whose key is new and update the existing rows whose values
    differ; rows already holding exactly these values are not touched. Returns the rows inserted
    or changed. The last row per key wins; the target's own id sequence fills ``id``.

    Idempotent: the same frame twice writes nothing the second time (what lets collectors re-read
    an overlap window, or a whole batch after a crash, without double counting)."""
    if frame.height == 0:
        return 0
    _check_columns(table, frame)
    frame = frame.unique(subset=list(key_columns), keep="last", maintain_order=True)
    cols = list(frame.columns)
    changing = [c for c in cols if c not in key_columns]
    quoted = ", ".join(f'"{c}"' for c in cols)
    conflict = ", ".join(f'"{c}"' for c in key_columns)
    if changing:
        sets = ", ".join(f'"{c}" = excluded."{c}"' for c in changing)
        if conn.dialect.name == "postgresql":
            mine = ", ".join(f't."{c}"' for c in changing)
            theirs = ", ".join(f'excluded."{c}"' for c in changing)
            differs = f"ROW({mine}) IS DISTINCT FROM ROW({theirs})"
        else:
            differs = " OR ".join(f't."{c}" IS NOT excluded."{c}"' for c in changing)
        action = f"DO UPDATE SET {sets} WHERE {differs}"
    else:
        action = "DO NOTHING"
    if conn.dialect.name == "postgresql":
        tmp = f"_rcmw_upsert_{table.name}"
        conn.execute(text(f'DROP TABLE IF EXISTS "{tmp}"'))
        conn.execute(
            text(
                f'CREATE TEMPORARY TABLE "{tmp}" AS SELECT {quoted} FROM "{table.name}" '
                "WITH NO DATA"
            )
        )
        _pg_copy(conn, f'"{tmp}"', frame)
        result = conn.execute(
            text(
                f'INSERT INTO "{table.name}" AS t ({quoted}) SELECT {quoted} FROM "{tmp}" '
                f"ON CONFLICT ({conflict}) {action}"
            )
        )
        conn.execute(text(f'DROP TABLE "{tmp}"'))
        return int(result.rowcount)
    marks = ", ".join("?" for _ in cols)
    cur = conn.connection.driver_connection.cursor()
    try:
        cur.executemany(
            f'INSERT INTO "{table.name}" AS t ({quoted}) VALUES ({marks}) '
            f"ON CONFLICT ({conflict}) {action}",
            sqlite_rows(frame),
        )
        return int(cur.rowcount)
    finally:
        cur.close()
