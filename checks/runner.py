"""Running the checks with Great Expectations (GX Core 1.x) — the only module importing GX.

One ephemeral context per run: nothing is written to disk, analytics and progress bars are
off. SQL checks run as ``UnexpectedRowsExpectation`` on a table asset of the store's own SQL
datasource (SQLite or PostgreSQL); frame checks read their population into a frame and run a
GX column expectation with ``unexpected_index_column_names=["row_key"]``.

GX returns at most 200 unexpected rows from a query; beyond that the runner selects the keys
itself with the same query, capped at :data:`KEY_CAP`, and keeps the query text so the rest can
be selected later. An expectation that errored inside GX (``success=False`` with an exception
or an empty result) is a check *error*, never a data failure.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, text

from checks.catalog import Check, SqlContext, catalog
from rcmwatch.store.engine import Store

log = logging.getLogger(__name__)
KEY_CAP = 10_000


@dataclass
class FailingRow:
    row_id: int | None
    row_key: str
    facility_id: int | None
    payer_id: int | None
    period: date | None
    amount_cents: int | None


@dataclass
class Outcome:
    check: Check
    mode: str  # full | incremental
    success: bool
    errored: bool = False
    error: str | None = None
    element_count: int | None = None
    population_cents: int | None = None
    unexpected_count: int = 0
    unexpected_cents: int | None = None
    failing: list[FailingRow] = field(default_factory=list)
    complete: bool = True  # every failing row's key is in ``failing``
    query: str | None = None
    seconds: float = 0.0

    @property
    def share(self) -> float | None:
        if self.check.basis == "dollars":
            if not self.population_cents:
                return None
            return (self.unexpected_cents or 0) / self.population_cents
        if not self.element_count:
            return None
        return self.unexpected_count / self.element_count

    @property
    def blocking(self) -> bool:
        """A failure above the check's threshold (share of rows or dollars) blocks; a failure
        whose population is unknown or empty blocks when it failed at all."""
        if self.errored or self.success:
            return False
        share = self.share
        return share is None or share > self.check.threshold


def _gx_context():
    """An ephemeral GX context: in-memory stores, no docs site (not even a temporary folder),
    no analytics, no progress bars."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
    )
    context = gx.get_context(project_config=config, mode="ephemeral")
    return gx, context


class _Datasources:
    """The run's GX data sources: the store over SQL, and frames over pandas."""

    def __init__(self, store: Store) -> None:
        self.gx, self.context = _gx_context()
        url = store.url.render_as_string(hide_password=False)
        if store.is_sqlite:
            self.sql = self.context.data_sources.add_sqlite(name="store", connection_string=url)
        else:
            # JIT off for GX's connections too (see _reading).
            self.sql = self.context.data_sources.add_postgres(
                name="store",
                connection_string=url,
                kwargs={"connect_args": {"options": "-c jit=off"}},
            )
        self.frames = self.context.data_sources.add_pandas(name="frames")
        self._tables: dict[str, Any] = {}
        self._frame_assets: dict[str, Any] = {}

    def close(self) -> None:
        """Close GX's own connections and engines (it keeps one connection open per run)."""
        execution = getattr(self.sql, "_execution_engine", None)
        with contextlib.suppress(Exception):
            if execution is not None:
                if execution._connection is not None:
                    execution._connection.close()
                execution.close()
        engine = getattr(self.sql, "_engine", None)
        with contextlib.suppress(Exception):
            if engine is not None:
                engine.dispose()

    def table_batch(self, table: str):
        if table not in self._tables:
            asset = self.sql.add_table_asset(name=table, table_name=table)
            self._tables[table] = asset.add_batch_definition_whole_table("whole table")
        return self._tables[table].get_batch()

    def frame_batch(self, name: str, frame):
        if name not in self._frame_assets:
            asset = self.frames.add_dataframe_asset(name=name)
            self._frame_assets[name] = asset.add_batch_definition_whole_dataframe("whole frame")
        return self._frame_assets[name].get_batch(batch_parameters={"dataframe": frame})


def for_gx(query: str) -> str:
    """GX substitutes ``{batch}`` unaliased in queries with a JOIN (the author aliases it) and
    aliased otherwise; PostgreSQL insists on an alias, so give one exactly when GX does not."""
    if re.search(r"\bJOIN\b", query, re.IGNORECASE):
        return query.replace("{batch}", "{batch} AS b")
    return query


def direct_sql(query: str, table: str) -> str:
    """A check query (GX template with ``{batch}``) as plain SQL for our own reads."""
    return query.format(batch=f"(SELECT * FROM {table}) AS subselect")


@contextlib.contextmanager
def _reading(store: Store):
    """A read transaction for check queries. PostgreSQL: JIT off — the correlated sums look
    expensive to the planner, and compiling them costs ~0.25 s a query while running them
    takes milliseconds."""
    with store.read() as conn:
        if not store.is_sqlite:
            conn.exec_driver_sql("SET LOCAL jit = off")
        yield conn


def _row(mapping: Any) -> FailingRow:
    period = mapping.get("period")
    if isinstance(period, str):
        period = date.fromisoformat(period[:10])
    elif isinstance(period, datetime):
        period = period.date()
    amount = mapping.get("amount_cents")
    return FailingRow(
        row_id=None if mapping.get("row_id") is None else int(mapping["row_id"]),
        row_key=str(mapping["row_key"]),
        facility_id=mapping.get("facility_id"),
        payer_id=mapping.get("payer_id"),
        period=period,
        amount_cents=None if amount is None else int(amount),
    )


def _gx_error(result) -> str | None:
    """The error GX swallowed, if the expectation errored instead of judging the data."""
    info = getattr(result, "exception_info", None) or {}
    if isinstance(info, dict):
        entries = info.values() if "raised_exception" not in info else [info]
        for entry in entries:
            if isinstance(entry, dict) and entry.get("raised_exception"):
                message = entry.get("exception_message") or "GX raised an exception"
                return " ".join(str(message).split("[SQL:")[0].split())
    if not result.success and not result.result:
        return "GX returned no result for a failed expectation"
    return None


def _population(store: Store, check: Check, ctx: SqlContext) -> tuple[int | None, int | None]:
    if check.population_sql is None:
        return None, None
    with _reading(store) as conn:
        row = conn.execute(text(check.population_sql(ctx))).one()
    return int(row[0]), int(row[1] or 0)


def _run_sql_check(store: Store, sources: _Datasources, check: Check, ctx: SqlContext, out):
    query = check.failing_sql(ctx)
    out.query = direct_sql(query, check.table)
    expectation = sources.gx.expectations.UnexpectedRowsExpectation(
        unexpected_rows_query=for_gx(query), description=check.description
    )
    result = sources.table_batch(check.table).validate(expectation, result_format="COMPLETE")
    error = _gx_error(result)
    if error:
        out.success, out.errored, out.error = False, True, error
        return
    out.success = bool(result.success)
    out.unexpected_count = int(result.result.get("observed_value") or 0)
    rows = result.result.get("details", {}).get("unexpected_rows") or []
    if out.unexpected_count > len(rows):
        with _reading(store) as conn:
            rows = conn.execute(text(f"SELECT * FROM ({out.query}) q LIMIT {KEY_CAP}")).mappings()
            rows = list(rows)
    out.failing = [_row(r) for r in rows[:KEY_CAP]]
    out.complete = len(out.failing) >= out.unexpected_count
    if out.complete:
        out.unexpected_cents = sum(r.amount_cents or 0 for r in out.failing)
    else:
        with _reading(store) as conn:
            out.unexpected_cents = int(
                conn.execute(
                    text(f"SELECT COALESCE(SUM(amount_cents), 0) FROM ({out.query}) q")
                ).scalar_one()
            )


def _sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _run_frame_check(
    store: Store,
    sources: _Datasources,
    check: Check,
    ctx: SqlContext,
    out: Outcome,
    known: tuple[int, int] | None = None,
):
    """GX judges each distinct value once (codes repeat across millions of rows); the rows
    carrying a failing value are then selected by key with custom SQL."""
    import pandas as pd

    rule = check.frame
    query = rule.rows_sql(ctx)
    values_sql = (
        f"SELECT {rule.column} AS value, COUNT(*) AS n, "
        f"COALESCE(SUM(ABS(amount_cents)), 0) AS cents FROM ({query}) q GROUP BY {rule.column}"
    )
    with _reading(store) as conn:
        values = conn.execute(text(values_sql)).all()
        if known is not None:
            total = known
        elif ctx.scope != "1 = 1":  # incremental: the share is still of the whole table
            full = rule.rows_sql(SqlContext(ctx.dialect, ctx.as_of, "1 = 1", ctx.watch_start))
            total = conn.execute(
                text(f"SELECT COUNT(*), COALESCE(SUM(ABS(amount_cents)), 0) FROM ({full}) q")
            ).one()
        else:
            total = (sum(v.n for v in values), sum(int(v.cents) for v in values))
    out.element_count, out.population_cents = int(total[0]), int(total[1] or 0)
    out.query = f"SELECT * FROM ({query}) q"
    if not values:
        out.success = True
        return
    frame = pd.DataFrame({rule.column: [None if v.value is None else str(v.value) for v in values]})
    expectation = sources.gx.expectations.ExpectColumnValuesToMatchRegex(
        column=rule.column, regex=rule.regex, description=check.description
    )
    result = sources.frame_batch(check.table, frame).validate(
        expectation, result_format={"result_format": "COMPLETE"}
    )
    error = _gx_error(result)
    if error:
        out.success, out.errored, out.error = False, True, error
        return
    out.success = bool(result.success)
    bad = {str(v) for v in result.result.get("unexpected_list") or []}
    if not bad:
        return
    out.unexpected_count = sum(v.n for v in values if str(v.value) in bad)
    out.unexpected_cents = sum(int(v.cents) for v in values if str(v.value) in bad)
    out.query = (
        f"SELECT * FROM ({query}) q WHERE {rule.column} IN "
        f"({', '.join(_sql_literal(v) for v in sorted(bad))})"
    )
    select_bad = text(
        f"SELECT * FROM ({query}) q WHERE {rule.column} IN :bad LIMIT {KEY_CAP}"
    ).bindparams(bindparam("bad", expanding=True))
    with _reading(store) as conn:
        rows = conn.execute(select_bad, {"bad": sorted(bad)}).mappings().all()
    out.failing = [_row(r) for r in rows]
    out.complete = len(out.failing) >= out.unexpected_count


def run_checks(
    store: Store,
    as_of: datetime,
    *,
    check_ids: list[str] | None = None,
    suite: str | None = None,
    watch_start: dict[str, date] | None = None,
    scopes: dict[str, str] | None = None,
    populations: dict[str, tuple[int, int]] | None = None,
) -> list[Outcome]:
    """Run the chosen checks (all by default) as of ``as_of``. ``scopes`` maps a check id to
    a predicate on its table's alias ``t`` (an incremental run); other checks run in full."""
    chosen = [
        c
        for c in catalog().values()
        if (suite is None or c.suite == suite) and (check_ids is None or c.id in check_ids)
    ]
    sources = _Datasources(store)
    dialect = "sqlite" if store.is_sqlite else "postgresql"
    outcomes = []
    try:
        for check in chosen:
            outcomes.append(
                _run_one(store, sources, check, dialect, as_of, watch_start, scopes, populations)
            )
    finally:
        sources.close()
    return outcomes


def _run_one(store, sources, check, dialect, as_of, watch_start, scopes, populations) -> Outcome:
    scope = (scopes or {}).get(check.id)
    # Incremental: the population is the last full count plus the rows added since (an
    # estimate from ids, enough for a threshold), not a count of the whole table again.
    known = (populations or {}).get(check.id) if scope else None
    ctx = SqlContext(dialect, as_of, scope or "1 = 1", dict(watch_start or {}))
    out = Outcome(check, "incremental" if scope else "full", success=False)
    started = time.perf_counter()
    try:
        if check.frame is not None:
            _run_frame_check(store, sources, check, ctx, out, known)
        else:
            out.element_count, out.population_cents = known or _population(store, check, ctx)
            _run_sql_check(store, sources, check, ctx, out)
    except Exception as exc:  # one broken check never stops the others
        out.success, out.errored = False, True
        out.error = f"{type(exc).__name__}: {' '.join(str(exc).split('[SQL:')[0].split())}"
    out.seconds = time.perf_counter() - started
    if out.errored:
        log.warning("check %s errored: %s", check.id, out.error)
    return out
