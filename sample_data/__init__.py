"""A seeded synthetic health system: the source systems rcmwatch watches (clearinghouse X12,
integration engine, workflow system, ERP), written as those systems write them.

``generate(out_dir, seed, claims, months, as_of, scenario) -> Manifest``; see ``SOURCES.md``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["SCENARIO_NAMES", "Manifest", "generate"]


def __getattr__(name: str) -> Any:
    # Lazy: `rcmwatch --help` imports sample_data.scenarios and must stay cheap.
    if name in ("generate", "Manifest"):
        from sample_data import generator

        return getattr(generator, name)
    if name == "SCENARIO_NAMES":
        from sample_data.scenarios import SCENARIO_NAMES

        return SCENARIO_NAMES
    raise AttributeError(name)
