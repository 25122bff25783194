"""The check catalogue: what each data-quality check guards, how bad it is, who owns it.

This module is plain data (no Great Expectations import) so the KPI registry, the CLI's parser
and the dashboard can read the catalogue cheaply; :mod:`checks.runner` is the only module that
imports GX.

A check is either
- **sql**: a query selecting the failing rows of its table (run by GX's
  ``UnexpectedRowsExpectation`` against the store's SQL datasource), or
- **frame**: a GX column expectation run on a frame the check reads from the store, for rules
  SQLite cannot say in SQL (regular expressions).

Every failing-row query selects ``row_id`` (the checked table's id, for incremental re-checks),
``row_key`` (a key stable across backends), ``facility_id``, ``payer_id``, ``period`` (the
row's date basis, for KPI gating) and ``amount_cents`` (dollars at stake, may be null).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

SEVERITIES = ("warn", "error")
BASES = ("rows", "dollars")


@dataclass(frozen=True)
class SqlContext:
    """What a query template needs: the backend, the as-of clock, the rows in scope and the
    watch start of each source (remits for claims from before it are pre-watch)."""

    dialect: str  # sqlite | postgresql
    as_of: datetime
    scope: str = "1 = 1"  # a predicate on the checked table's alias ``t``
    watch_start: dict[str, date] = field(default_factory=dict)


@dataclass(frozen=True)
class FrameRule:
    """A GX column expectation over a frame: ``rows_sql`` selects the population (with
    ``row_id``, ``row_key``, ``facility_id``, ``payer_id``, ``period``, ``amount_cents`` and the
    value ``column``), GX checks ``column`` against ``regex``."""

    rows_sql: Callable[[SqlContext], str]
    column: str
    regex: str


@dataclass(frozen=True)
class Check:
    id: str
    suite: str
    table: str
    severity: str
    threshold: float  # a failing share above this blocks (0: any failure blocks)
    basis: str  # rows | dollars: what the share is a share of
    owner: str
    description: str
    guards: tuple[str, ...]  # canonical tables whose KPIs this check protects
    failing_sql: Callable[[SqlContext], str] | None = None
    frame: FrameRule | None = None
    population_sql: Callable[[SqlContext], str] | None = None
    work_item: bool = False  # a person must fix each failing row
    incremental: bool = True  # a row's verdict depends on that row (and rows it owns) only
    # Clock-dependent checks that can still run incrementally: rows whose ``window_column`` +
    # ``window`` passed the as-of clock since the last run are re-checked too.
    window_column: str | None = None
    window: timedelta | None = None
    noun: str = "rows"

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"{self.id}: severity {self.severity!r}")
        if self.basis not in BASES:
            raise ValueError(f"{self.id}: basis {self.basis!r}")
        if (self.failing_sql is None) == (self.frame is None):
            raise ValueError(f"{self.id}: give failing_sql or frame, not both")
        if self.work_item and self.severity != "error":
            raise ValueError(f"{self.id}: only error-severity checks raise work items")


_CATALOG: dict[str, Check] = {}
SUITE_MODULES = ("checks.remits", "checks.claims", "checks.people", "checks.operations")


def register(check: Check) -> Check:
    if check.id in _CATALOG:
        raise ValueError(f"check {check.id!r} registered twice")
    _CATALOG[check.id] = check
    return check


def catalog() -> dict[str, Check]:
    """Every check, by id, in suite order."""
    import importlib

    for module in SUITE_MODULES:
        importlib.import_module(module)
    return dict(_CATALOG)


def suites() -> list[str]:
    return sorted({c.suite for c in catalog().values()})


def checks_guarding(inputs: tuple[str, ...]) -> tuple[str, ...]:
    """Ids of the checks that guard any of ``inputs`` (a KPI's canonical tables)."""
    wanted = set(inputs)
    return tuple(c.id for c in catalog().values() if wanted & set(c.guards))


def markdown() -> str:
    """The check reference (docs/CHECKS.md), generated from the catalogue."""
    lines = [
        "# Data-quality checks",
        "",
        "Generated from the check catalogue (`checks/catalog.py` and the suite modules) by",
        "`rcmwatch check --markdown`; a test checks this file matches. A failing share above the",
        "threshold blocks: the KPIs whose inputs the check guards are marked",
        "`inputs_failing:<check>` for the cut the failing rows touch.",
        "",
    ]
    current = None
    for check in catalog().values():
        if check.suite != current:
            current = check.suite
            lines += [f"## Suite `{current}`", ""]
        lines += [f"### `{check.id}`", "", check.description, ""]
        lines.append(f"- **Table:** `{check.table}`")
        lines.append(f"- **Severity:** {check.severity}")
        lines.append(f"- **Blocking threshold:** {check.threshold:.0%} of {check.basis}")
        lines.append(f"- **Owner:** {check.owner}")
        lines.append(f"- **Work items:** {'one per failing row' if check.work_item else 'none'}")
        incremental = "new rows and rows that failed before" if check.incremental else "in full"
        if check.window_column:
            hours = int(check.window.total_seconds() // 3600)
            incremental += f", and rows whose `{check.window_column}` + {hours} h passed"
        lines.append(f"- **Incremental runs check:** {incremental}")
        runs_as = "GX regex expectation on distinct values" if check.frame else "GX custom SQL"
        lines.append(f"- **Rule runs as:** {runs_as}")
        lines.append(f"- **Guards:** {', '.join(f'`{t}`' for t in check.guards)}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
