"""Scenarios: known situations layered on the baseline, each dated relative to the as-of date so
that it shows in the most recent weeks of every generated system.

The tests never read these parameters: they measure each shift in the generated files and tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    # payer_outage: one payer's 835s stop between these days (inclusive start, exclusive end).
    outage_payer: str = ""
    outage_start: date | None = None
    outage_end: date | None = None
    # dead_letter_storm: an interface fails for hours; every message in the window dead-letters.
    storm_interface: str = ""
    storm_start: datetime | None = None
    storm_end: datetime | None = None
    # posting_backlog: posting latency multiplied at one hospital from a date on.
    backlog_facility: str = ""
    backlog_from: date | None = None
    backlog_factor: int = 1
    # denial_spike: a payer starts denying for authorization from a date on.
    spike_payer: str = ""
    spike_from: date | None = None
    spike_extra_denial: float = 0.0
    # override_spike: a rule's new version fires more and is overridden a lot.
    override_rule: str = ""
    override_version: str = ""
    override_from: date | None = None


SCENARIO_NAMES = (
    "baseline",
    "payer_outage",
    "dead_letter_storm",
    "posting_backlog",
    "denial_spike",
    "override_spike",
)


def build_scenario(name: str, as_of: date) -> Scenario:
    """The scenario ``name`` placed relative to ``as_of`` (the first day not generated)."""
    if name == "baseline":
        return Scenario(name, "a healthy system")
    if name == "payer_outage":
        return Scenario(
            name,
            "CEDARLINE's 835s stop for 10 days, then catch up",
            outage_payer="CEDAR",
            outage_start=as_of - timedelta(days=17),
            outage_end=as_of - timedelta(days=7),
        )
    if name == "dead_letter_storm":
        start = datetime(as_of.year, as_of.month, as_of.day, 9) - timedelta(days=3)
        return Scenario(
            name,
            "the charge interface (dft_charges) fails for 6 hours",
            storm_interface="dft_charges",
            storm_start=start,
            storm_end=start + timedelta(hours=6),
        )
    if name == "posting_backlog":
        return Scenario(
            name,
            "posting latency triples at NORTHGATE COMMUNITY HOSPITAL (H02)",
            backlog_facility="H02",
            backlog_from=as_of - timedelta(days=45),
            backlog_factor=3,
        )
    if name == "denial_spike":
        return Scenario(
            name,
            "SUMMIT MUTUAL starts denying for missing authorization",
            spike_payer="SUMMIT",
            spike_from=as_of - timedelta(days=60),
            spike_extra_denial=0.25,
        )
    if name == "override_spike":
        return Scenario(
            name,
            "SCRUB-AUTH version 4 fires more and is overridden a lot",
            override_rule="SCRUB-AUTH",
            override_version="4",
            override_from=as_of - timedelta(days=45),
        )
    raise ValueError(f"unknown scenario {name!r} (choose from {', '.join(SCENARIO_NAMES)})")
