"""The one registry of settings.

Each setting is declared once (name, environment variable, default, help) and that declaration
feeds the CLI's ``--help``, the README's configuration table (``rcmwatch settings --markdown``,
checked by a test) and the dashboard's settings panel. Code reads settings only through
:func:`load_settings`, never ``os.environ`` directly.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from rcmwatch.errors import ConfigError


def _parse_bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"expected true/false, got {raw!r}")


def _parse_as_of(raw: str) -> datetime | None:
    raw = raw.strip()
    if not raw:
        return None
    return datetime.fromisoformat(raw)


def _parse_int(raw: str) -> int:
    return int(raw.strip())


def _parse_str(raw: str) -> str:
    return raw.strip()


def _parse_cents(raw: str) -> int:
    from rcmwatch.money import to_cents

    cents = to_cents(raw.strip())
    if cents < 0:
        raise ValueError("must not be negative")
    return cents


def _parse_anchor(raw: str) -> str:
    value = raw.strip().lower()
    if value not in ("service", "submission"):
        raise ValueError("expected service or submission")
    return value


def _parse_targets(raw: str) -> str:
    # Only the syntax here: the KPI names are checked against the registry when KPIs run,
    # so reading settings never imports the metrics.
    import re

    for part in raw.split(","):
        if part.strip() and not re.match(r"^\s*[a-z0-9_]+\s*(>=|<=)\s*[0-9.]+\s*$", part):
            raise ValueError(f"{part.strip()!r} is not NAME>=VALUE or NAME<=VALUE")
    return raw.strip()


def _parse_watch_start(raw: str) -> dict:
    """``source=YYYY-MM-DD,...`` → {source: date}; empty: nothing is pre-watch."""
    from datetime import date

    out = {}
    for part in raw.split(","):
        if not part.strip():
            continue
        source, sep, day = part.partition("=")
        if not sep or not source.strip():
            raise ValueError(f"{part.strip()!r} is not SOURCE=YYYY-MM-DD")
        try:
            out[source.strip()] = date.fromisoformat(day.strip())
        except ValueError:
            raise ValueError(f"{day.strip()!r} is not a date (YYYY-MM-DD)") from None
    return out


def _show_cents(cents: int) -> str:
    from rcmwatch.money import from_cents

    return f"{from_cents(cents):.2f}"


def _show_watch_start(days: dict) -> str:
    return ",".join(f"{source}={day.isoformat()}" for source, day in days.items())


# A parsed value shown as its environment variable spells it, so that what `rcmwatch settings`
# and the dashboard show can be pasted back: the tolerance is parsed to cents but set in dollars.
_SHOWN_AS: dict[Callable[[str], Any], Callable[[Any], str]] = {
    _parse_bool: lambda value: "true" if value else "false",
    _parse_cents: _show_cents,
    _parse_as_of: lambda value: value.isoformat(),
    _parse_watch_start: _show_watch_start,
}


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: str
    help: str
    parse: Callable[[str], Any] = _parse_str
    secret: bool = False

    def default_shown(self) -> str:
        return self.default if self.default != "" else "(unset)"

    def shown(self, value: Any) -> str:
        """``value`` (parsed) as this setting's variable takes it; secrets hidden."""
        if value is None or value == "" or value == {}:
            return "(unset)"
        if self.secret:
            return "(hidden)"
        return _SHOWN_AS.get(self.parse, str)(value)


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "home",
        "RCMWATCH_HOME",
        ".rcmwatch",
        "Folder for the embedded store, landed files and caches (relative to the working folder).",
    ),
    Setting(
        "database_url",
        "RCMWATCH_DATABASE_URL",
        "",
        "SQLAlchemy URL of the canonical store, e.g. postgresql+psycopg://user@host/db. "
        "Unset: the embedded SQLite file <home>/rcmwatch.db. The global --db option overrides it.",
        secret=True,
    ),
    Setting(
        "as_of",
        "RCMWATCH_AS_OF",
        "",
        "Fix the as-of clock (ISO date or date-time, UTC). Unset: the wall clock, or the "
        "simulator's clock in demo mode.",
        _parse_as_of,
    ),
    Setting(
        "demo_mode",
        "RCMWATCH_DEMO",
        "false",
        "Demo mode: the built-in demo administrator is signed in. Never enable in production.",
        _parse_bool,
    ),
    Setting(
        "demo_claims",
        "RCMWATCH_DEMO_CLAIMS",
        "25000",
        "Claims in the demo health system `rcmwatch demo` generates on first start.",
        _parse_int,
    ),
    Setting(
        "dashboard_host",
        "RCMWATCH_DASHBOARD_HOST",
        "127.0.0.1",
        "Address the dashboard listens on.",
    ),
    Setting(
        "dashboard_port",
        "RCMWATCH_DASHBOARD_PORT",
        "8501",
        "Port the dashboard listens on.",
        _parse_int,
    ),
    Setting(
        "keep_raw_max_bytes",
        "RCMWATCH_KEEP_RAW_MAX_BYTES",
        "67108864",
        "Landed files up to this size are kept raw in the store; larger ones by path + SHA-256.",
        _parse_int,
    ),
    Setting(
        "kpi_targets",
        "RCMWATCH_KPI_TARGETS",
        "",
        "Override KPI targets, e.g. initial_denial_rate<=0.06,days_in_ar_net<=40 (rates as "
        "fractions). Unset: KPI.md's defaults (docs/KPIS.md lists them).",
        _parse_targets,
    ),
    Setting(
        "underpayment_tolerance",
        "RCMWATCH_UNDERPAYMENT_TOLERANCE",
        "1.00",
        "Dollars a payment may fall short of the fee schedule before it counts as an underpayment.",
        _parse_cents,
    ),
    Setting(
        "ar_age_anchor",
        "RCMWATCH_AR_AGE_ANCHOR",
        "service",
        "What A/R ages from: service (date of service) or submission (first submission date).",
        _parse_anchor,
    ),
    Setting(
        "watch_start",
        "RCMWATCH_WATCH_START",
        "",
        "Per source, the day rcmwatch started watching, e.g. edi=2024-05-01,cli=2024-05-01: "
        "remits for claims served before it are reported as pre-watch by the "
        "remit_without_claim check, not as failures. Unset: nothing is pre-watch.",
        _parse_watch_start,
    ),
    Setting(
        "sqlite_busy_timeout_ms",
        "RCMWATCH_SQLITE_BUSY_TIMEOUT_MS",
        "10000",
        "How long an SQLite connection waits for a writer before failing (at least 5000).",
        _parse_int,
    ),
    Setting(
        "sources_file",
        "RCMWATCH_SOURCES",
        "",
        "Sources file (TOML) the collectors and the scheduler read: which sources are enabled, "
        "their kind, location, mapping file, cadence and retry policy. Unset: <home>/sources.toml.",
    ),
    Setting(
        "scheduler_heartbeat_seconds",
        "RCMWATCH_SCHEDULER_HEARTBEAT_SECONDS",
        "10",
        "How often the running scheduler renews its lock; a standby takes over after 3 missed "
        "heartbeats.",
        _parse_int,
    ),
    Setting(
        "collect_workers",
        "RCMWATCH_COLLECT_WORKERS",
        "4",
        "Sources the scheduler collects at the same time (threads).",
        _parse_int,
    ),
    Setting(
        "amqp_url",
        "RCMWATCH_AMQP_URL",
        "amqp://guest:guest@127.0.0.1:5672/%2F",
        "RabbitMQ the simulator publishes to (and the demo's broker source reads). Empty: no "
        "broker; the simulator runs on and broker parts show 'not connected'.",
        secret=True,
    ),
    Setting(
        "rabbitmq_management_url",
        "RCMWATCH_RABBITMQ_MANAGEMENT_URL",
        "http://127.0.0.1:15672",
        "RabbitMQ management API the demo's broker source reads (queue rates, dead letters).",
    ),
    Setting(
        "sim_queue_prefix",
        "RCMWATCH_SIM_QUEUE_PREFIX",
        "",
        "Prefix of the simulator's exchange and queue names on the broker (two demos can then "
        "share one broker vhost).",
    ),
    Setting(
        "sim_speed",
        "RCMWATCH_SIM_SPEED",
        "3600",
        "Simulated seconds per wall-clock second for `rcmwatch simulate` and the demo "
        "(3600: an hour per second).",
        _parse_int,
    ),
)

BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


class Settings:
    """Resolved settings: attribute access by name, plus where each value came from."""

    def __init__(self, values: dict[str, Any], origins: dict[str, str]) -> None:
        self._values = values
        self._origins = origins

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def origin(self, name: str) -> str:
        return self._origins[name]

    @property
    def home_path(self) -> Path:
        return Path(self._values["home"])

    @property
    def sources_path(self) -> Path:
        raw = self._values["sources_file"]
        return Path(raw) if raw else self.home_path / "sources.toml"

    @property
    def effective_database_url(self) -> str:
        url = self._values["database_url"]
        if url:
            return url
        return f"sqlite:///{self.home_path / 'rcmwatch.db'}"

    def items(self) -> list[tuple[Setting, Any, str]]:
        return [(s, self._values[s.name], self._origins[s.name]) for s in SETTINGS]


def load_settings(
    env: Mapping[str, str] | None = None, overrides: Mapping[str, str | None] | None = None
) -> Settings:
    """Resolve every setting: override (CLI option) > environment > default."""
    env = os.environ if env is None else env
    overrides = overrides or {}
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for setting in SETTINGS:
        if overrides.get(setting.name) is not None:
            raw, origin = overrides[setting.name], "option"
        elif setting.env in env:
            raw, origin = env[setting.env], setting.env
        else:
            raw, origin = setting.default, "default"
        try:
            values[setting.name] = setting.parse(raw)  # type: ignore[arg-type]
        except ValueError as exc:
            shown = "(hidden)" if setting.secret else repr(raw)
            raise ConfigError(f"setting {setting.env}={shown} is not valid: {exc}") from None
        origins[setting.name] = origin
    if values["sqlite_busy_timeout_ms"] < 5000:
        raise ConfigError(
            f"setting RCMWATCH_SQLITE_BUSY_TIMEOUT_MS={values['sqlite_busy_timeout_ms']} is below "
            "5000 ms; concurrent readers would see 'database is locked'"
        )
    if values["scheduler_heartbeat_seconds"] < 1 or values["collect_workers"] < 1:
        raise ConfigError(
            "settings RCMWATCH_SCHEDULER_HEARTBEAT_SECONDS and RCMWATCH_COLLECT_WORKERS must be "
            "at least 1"
        )
    return Settings(values, origins)


def settings_help_text() -> str:
    """Plain-text block for ``rcmwatch --help``."""
    lines = ["settings (environment variables):"]
    for s in SETTINGS:
        lines.append(f"  {s.env:<32} {s.help} Default: {s.default_shown()}.")
    return "\n".join(lines)


def settings_markdown_table() -> str:
    """Markdown table for the README's configuration section."""
    rows = [
        "| environment variable | default | meaning |",
        "|---|---|---|",
    ]
    for s in SETTINGS:
        default = f"`{s.default}`" if s.default else "(unset)"
        rows.append(f"| `{s.env}` | {default} | {s.help} |")
    return "\n".join(rows)
