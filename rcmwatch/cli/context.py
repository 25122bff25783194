"""What every command receives: resolved settings, the as-of clock and (lazily) the store."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rcmwatch.clock import Clock, clock_from_settings
from rcmwatch.errors import ConfigError
from rcmwatch.settings import Settings, load_settings

if TYPE_CHECKING:
    from rcmwatch.store.engine import Store


@dataclass
class CliContext:
    settings: Settings
    clock: Clock
    _store: Store | None = field(default=None, repr=False)

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> CliContext:
        db = getattr(args, "db", None)
        if db is not None and not db.strip():
            # An explicit empty --db must not silently fall back to the embedded store.
            raise ConfigError("database URL is empty (--db '')")
        settings = load_settings(overrides={"database_url": db})
        ctx = cls(settings=settings, clock=clock_from_settings(settings))
        if settings.demo_mode and settings.as_of is None:
            ctx.clock = clock_from_settings(settings, store_of=lambda: ctx.store(create=False))
        return ctx

    def store(self, *, create: bool = True) -> Store:
        """Open the store; commands that need it also create/upgrade it when missing."""
        if self._store is None:
            from rcmwatch.store.engine import open_store

            self._store = open_store(self.settings, create=create)
        return self._store
