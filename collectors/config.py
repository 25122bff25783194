"""The sources file: which sources exist, which are enabled, where they are, how often they are
polled and how they are retried. TOML, validated at load with one-line errors naming the file
and the key::

    [defaults]                        # optional; every source inherits these
    cadence_seconds = 300
    full_scan_seconds = 86400         # 0 = never (a run with --full-scan still does it)
    retry = { attempts = 3, base_seconds = 1.0, multiplier = 2.0, max_seconds = 30.0, jitter = 0.2 }

    [source.erp]                      # the name runs, freshness and canonical rows carry
    kind = "sql"                      # sql | csv | edi_folder | rabbitmq
    url = "sqlite:///sources/erp.sqlite"
    mapping = "mappings/erp.toml"
    overlap_seconds = 300
    timeout_seconds = 30

    [source.erp_exports]
    kind = "csv"
    folder = "exports/erp"
    mapping = "mappings/erp.toml"
    record_source = "erp_csv"         # value of the canonical `source` column (default: name)
    settle_seconds = 5

    [source.clearinghouse]
    kind = "edi_folder"
    inbound = "clearinghouse/inbound" # archive/ and quarantine/ default to siblings of inbound
    settle_seconds = 5

    [source.broker]
    kind = "rabbitmq"
    amqp_url = "amqp://guest:guest@127.0.0.1:5672/%2F"
    management_url = "http://127.0.0.1:15672"   # optional; without it: AMQP depths only
    queues = ["claims.out", "claims.out.dlq"]     # optional with the management API
    queue_prefix = "rcm."             # optional filter on listed queues
    peek_limit = 100                  # dead letters read per queue per run (never consumed)

Relative paths (and relative SQLite URLs) are relative to the sources file's folder.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from collectors.base import Collector
from collectors.errors import SourceConfigError
from collectors.retry import RetryPolicy

KINDS = ("sql", "csv", "edi_folder", "rabbitmq")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
_COMMON = {"kind", "enabled", "cadence_seconds", "full_scan_seconds", "retry", "record_source"}
_PER_KIND = {
    "sql": {"url", "mapping", "overlap_seconds", "timeout_seconds"},
    "csv": {"folder", "mapping", "settle_seconds"},
    "edi_folder": {"inbound", "archive", "quarantine", "settle_seconds"},
    "rabbitmq": {
        "amqp_url",
        "management_url",
        "vhost",
        "queues",
        "queue_prefix",
        "dead_letter_pattern",
        "peek_limit",
        "interfaces",
        "timeout_seconds",
    },
}
_DEFAULT_CADENCE = {"sql": 300, "csv": 3600, "edi_folder": 60, "rabbitmq": 60}


@dataclass(frozen=True)
class SourceConfig:
    name: str
    kind: str
    enabled: bool
    cadence_seconds: int
    full_scan_seconds: int | None
    retry: RetryPolicy
    options: Mapping[str, Any]
    base_dir: Path
    file: Path
    record_source: str | None = None

    def path(self, key: str, default: str | None = None) -> Path:
        raw = self.options.get(key, default)
        if raw is None:
            raise SourceConfigError(f"{self.file}: source.{self.name}.{key} is required")
        p = Path(str(raw)).expanduser()
        return p if p.is_absolute() else self.base_dir / p

    def where(self, key: str) -> str:
        return f"{self.file}: source.{self.name}.{key}"


@dataclass(frozen=True)
class SourcesFile:
    path: Path | None
    sources: tuple[SourceConfig, ...] = field(default_factory=tuple)

    def enabled(self, only: str | None = None) -> list[SourceConfig]:
        if only is not None:
            for s in self.sources:
                if s.name == only:
                    return [s]
            known = ", ".join(s.name for s in self.sources) or "none"
            raise SourceConfigError(f"no source named {only!r} (configured: {known})")
        return [s for s in self.sources if s.enabled]


def load_sources(path: str | Path) -> SourcesFile:
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourceConfigError(
            f"sources file {path} does not exist",
            next_step="create it (see collectors/config.py) or point RCMWATCH_SOURCES at one",
        ) from None
    except OSError as exc:
        raise SourceConfigError(f"sources file {path} cannot be read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SourceConfigError(f"sources file {path} is not valid TOML: {exc}") from None
    return parse_sources(raw, path)


def _int(raw, where: str, minimum: int = 0) -> int:
    if not isinstance(raw, int) or isinstance(raw, bool) or raw < minimum:
        raise SourceConfigError(f"{where} must be an integer ≥ {minimum}")
    return raw


def parse_sources(raw: Mapping[str, Any], path: Path) -> SourcesFile:
    unknown = sorted(set(raw) - {"defaults", "source"})
    if unknown:
        raise SourceConfigError(f"{path}: {unknown[0]}: unknown key (expected defaults, source)")
    defaults = raw.get("defaults", {})
    if not isinstance(defaults, Mapping):
        raise SourceConfigError(f"{path}: defaults must be a table")
    bad = sorted(set(defaults) - {"cadence_seconds", "full_scan_seconds", "retry"})
    if bad:
        raise SourceConfigError(f"{path}: defaults.{bad[0]}: unknown key")
    sources_raw = raw.get("source", {})
    if not isinstance(sources_raw, Mapping):
        raise SourceConfigError(f"{path}: source must be a table of sources")
    sources = []
    for name, spec in sources_raw.items():
        sources.append(_parse_source(name, spec, defaults, path))
    return SourcesFile(path, tuple(sources))


def _parse_source(name: str, spec, defaults: Mapping, path: Path) -> SourceConfig:
    where = f"{path}: source.{name}"
    if not _NAME.match(name):
        raise SourceConfigError(f"{where}: name must be lower-case letters, digits and _")
    if not isinstance(spec, Mapping):
        raise SourceConfigError(f"{where}: must be a table")
    kind = spec.get("kind")
    if kind not in KINDS:
        raise SourceConfigError(f"{where}.kind: must be one of {', '.join(KINDS)}")
    unknown = sorted(set(spec) - _COMMON - _PER_KIND[kind])
    if unknown:
        raise SourceConfigError(f"{where}.{unknown[0]}: unknown key for a {kind} source")
    enabled = spec.get("enabled", True)
    if not isinstance(enabled, bool):
        raise SourceConfigError(f"{where}.enabled: must be true or false")
    cadence = _int(
        spec.get("cadence_seconds", defaults.get("cadence_seconds", _DEFAULT_CADENCE[kind])),
        f"{where}.cadence_seconds",
        1,
    )
    full = _int(
        spec.get("full_scan_seconds", defaults.get("full_scan_seconds", 86_400)),
        f"{where}.full_scan_seconds",
    )
    retry_raw = {**defaults.get("retry", {}), **spec.get("retry", {})}
    retry = RetryPolicy.from_mapping(retry_raw, f"{where}.retry")
    record = spec.get("record_source")
    if record is not None and (not isinstance(record, str) or not _NAME.match(record)):
        raise SourceConfigError(f"{where}.record_source: lower-case letters, digits and _")
    options = {k: v for k, v in spec.items() if k not in _COMMON}
    required = {"sql": ("url", "mapping"), "csv": ("folder", "mapping"),
                "edi_folder": ("inbound",), "rabbitmq": ("amqp_url",)}[kind]  # fmt: skip
    for key in required:
        if not isinstance(options.get(key), str) or not options[key].strip():
            raise SourceConfigError(f"{where}.{key}: is required (a non-empty string)")
    return SourceConfig(
        name=name,
        kind=kind,
        enabled=enabled,
        cadence_seconds=cadence,
        full_scan_seconds=full or None,
        retry=retry,
        options=options,
        base_dir=path.parent.resolve(),
        file=path,
        record_source=record,
    )


def build_collector(cfg: SourceConfig, *, store=None) -> Collector:
    """The collector of one configured source, with its real client."""
    if cfg.kind == "sql":
        from collectors.mapping import load_mapping
        from collectors.sql_source import SqlCollector, source_engine

        mapping = load_mapping(cfg.path("mapping"))
        return SqlCollector(
            cfg.name,
            source_engine(cfg.options["url"], cfg.base_dir, cfg.options.get("timeout_seconds", 30)),
            mapping,
            cadence_seconds=cfg.cadence_seconds,
            retry=cfg.retry,
            full_scan_seconds=cfg.full_scan_seconds,
            overlap_seconds=_int(cfg.options.get("overlap_seconds", 300), cfg.where("overlap")),
            record_source=cfg.record_source,
        )
    if cfg.kind == "csv":
        from collectors.csv_export import CsvExportCollector
        from collectors.mapping import load_mapping

        return CsvExportCollector(
            cfg.name,
            cfg.path("folder"),
            load_mapping(cfg.path("mapping"), require_updated_at=False),
            cadence_seconds=cfg.cadence_seconds,
            retry=cfg.retry,
            record_source=cfg.record_source,
            settle_seconds=_int(cfg.options.get("settle_seconds", 5), cfg.where("settle_seconds")),
        )
    if cfg.kind == "edi_folder":
        from collectors.edi_folder import EdiFolderCollector

        inbound = cfg.path("inbound")
        return EdiFolderCollector(
            cfg.name,
            inbound,
            archive=cfg.path("archive", str(inbound.parent / "archive")),
            quarantine=cfg.path("quarantine", str(inbound.parent / "quarantine")),
            cadence_seconds=cfg.cadence_seconds,
            retry=cfg.retry,
            settle_seconds=_int(cfg.options.get("settle_seconds", 5), cfg.where("settle_seconds")),
        )
    from collectors.rabbitmq import rabbitmq_collector

    return rabbitmq_collector(cfg)
