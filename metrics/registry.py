"""The KPI registry: one entry per KPI of KPI.md, declared next to the function that computes it.

Each KPI function carries its definition in its docstring, in sections (``Numerator:``,
``Denominator:``, ``Value:``, ``Date basis:``, ``Exclusions:``, ``Choices:``); the registry
parses that text, so ``rcmwatch kpi --help``, ``docs/KPIS.md`` and the dashboard's "how is this
computed" panel all show the same words as the code. The registry adds what a docstring cannot
say: unit, output shape, default target and direction (KPI.md's rules of thumb, editable through
the ``RCMWATCH_KPI_TARGETS`` setting), owner, the canonical tables that feed it, the checks that
guard those inputs (filled by the data-quality issue), the fact frame it reads and how to drill
from its value to the records behind it.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import polars as pl

# Output shapes (how a value renders in `rcmwatch kpi --json`):
#   rate         numerator / denominator as a fraction, null when the denominator is 0
#   rate_money   the same over cents
#   count        an integer
#   money        a two-decimal string
#   count_money  {"count", "dollars"}
#   days         a number of days (2 decimals), null when the denominator is 0
#   object       a structured value documented by the KPI
SHAPES = ("rate", "rate_money", "count", "money", "count_money", "days", "object")
SECTIONS = ("Numerator", "Denominator", "Value", "Date basis", "Exclusions", "Choices")
FAMILY_MODULES = (
    "metrics.front_end",
    "metrics.adjudication",
    "metrics.receivables",
    "metrics.operations",
)
FAMILY_TITLES = {
    "front_end": "1. Front end: submissions and acknowledgments",
    "adjudication": "2. Adjudication and denials",
    "receivables": "3. Receivables",
    "operations": "4. Work queues, interfaces and governance",
}


@dataclass(frozen=True)
class Target:
    value: float
    direction: str  # ">=" (higher is better) or "<=" (lower is better)

    def met(self, value: float | None) -> bool | None:
        if value is None:
            return None
        return value >= self.value if self.direction == ">=" else value <= self.value

    def text(self, unit: str) -> str:
        shown = f"{self.value:.0%}" if unit == "fraction" else f"{self.value:g}"
        if unit == "hours":
            shown += " h"
        elif unit == "days":
            shown += " days"
        return f"{self.direction} {shown}"


@dataclass(frozen=True)
class KpiDef:
    name: str
    family: str
    facts: str  # the fact frame it reads (see metrics.engine.FACT_BUILDERS)
    shape: str
    unit: str  # fraction | count | dollars | days | hours | mixed
    title: str
    owner: str
    inputs: tuple[str, ...]
    compute: Callable[[pl.DataFrame, list[str]], pl.DataFrame]
    sections: dict[str, str]
    target: Target | None = None
    guarded_by: tuple[str, ...] = ()
    id_columns: tuple[str, ...] = ()
    numerator_rows: pl.Expr | None = None  # drill: the records counted in the numerator
    denominator_rows: pl.Expr | None = None  # drill: the records behind the value (population)
    snapshot: bool = False  # additive and as-of-free: kept per day × facility × payer
    point_in_time: bool = False  # measured at period end (no date filter on its facts)
    dims: tuple[str, ...] = ()  # dimensions its facts carry (cuts and --by)
    extra: dict = field(default_factory=dict)

    @property
    def definition(self) -> str:
        return self.sections.get("_summary", "")

    @property
    def date_basis(self) -> str:
        return self.sections.get("Date basis", "")

    def help_text(self) -> str:
        parts = [f"{self.name}: {self.definition}"]
        for key in SECTIONS:
            if key in self.sections:
                parts.append(f"  {key}: {self.sections[key]}")
        if self.target is not None:
            parts.append(f"  Target: {self.target.text(self.unit)}")
        return "\n".join(parts)


_REGISTRY: dict[str, KpiDef] = {}


def _guards(inputs: tuple[str, ...]) -> tuple[str, ...]:
    """The data-quality checks guarding a KPI's inputs: those declared (in the check catalogue,
    plain data — GX is not imported) to guard any of its canonical tables."""
    from checks.catalog import checks_guarding

    return checks_guarding(inputs)


_LOADED = False


def parse_docstring(doc: str | None) -> dict[str, str]:
    """Summary paragraph under ``_summary`` plus each ``Section:`` paragraph, whitespace folded."""
    if not doc:
        raise ValueError("a KPI function needs a docstring")
    text = _dedent(doc)
    pattern = re.compile(r"^(" + "|".join(re.escape(s) for s in SECTIONS) + r"):\s*", re.M)
    pieces = pattern.split(text)
    out = {"_summary": " ".join(pieces[0].split())}
    for key, body in zip(pieces[1::2], pieces[2::2], strict=True):
        out[key] = " ".join(body.split())
    return out


def _dedent(doc: str) -> str:
    import inspect

    return inspect.cleandoc(doc)


def kpi(
    *,
    family: str,
    facts: str,
    shape: str,
    unit: str,
    title: str,
    owner: str,
    inputs: tuple[str, ...],
    target: Target | None = None,
    id_columns: tuple[str, ...] = (),
    numerator_rows: pl.Expr | None = None,
    denominator_rows: pl.Expr | None = None,
    snapshot: bool = False,
    point_in_time: bool = False,
    dims: tuple[str, ...] = (),
    name: str | None = None,
):
    """Register the decorated function as a KPI (its name is the KPI's name)."""
    if shape not in SHAPES:
        raise ValueError(f"unknown shape {shape!r}")

    def register(fn):
        sections = parse_docstring(fn.__doc__)
        if "Date basis" not in sections or "Exclusions" not in sections:
            raise ValueError(f"{fn.__name__}: docstring needs 'Date basis:' and 'Exclusions:'")
        if "Value" not in sections and not {"Numerator", "Denominator"} <= set(sections):
            raise ValueError(f"{fn.__name__}: docstring needs Numerator/Denominator or Value")
        kpi_name = name or fn.__name__
        if kpi_name in _REGISTRY:
            raise ValueError(f"KPI {kpi_name!r} registered twice")
        _REGISTRY[kpi_name] = KpiDef(
            name=kpi_name,
            family=family,
            facts=facts,
            shape=shape,
            unit=unit,
            title=title,
            owner=owner,
            inputs=inputs,
            compute=fn,
            sections=sections,
            target=target,
            id_columns=id_columns,
            numerator_rows=numerator_rows,
            denominator_rows=denominator_rows,
            snapshot=snapshot,
            point_in_time=point_in_time,
            dims=dims,
            guarded_by=_guards(inputs),
        )
        return fn

    return register


def registry(targets: str | None = None) -> dict[str, KpiDef]:
    """Every KPI in KPI.md order; ``targets`` (the ``RCMWATCH_KPI_TARGETS`` setting) overrides
    default targets."""
    global _LOADED
    if not _LOADED:
        for module in FAMILY_MODULES:
            importlib.import_module(module)
        _LOADED = True
    ordered = sorted(_REGISTRY.values(), key=lambda d: list(FAMILY_TITLES).index(d.family))
    if not targets:
        return {d.name: d for d in ordered}
    overrides = parse_targets(targets)
    unknown = set(overrides) - set(_REGISTRY)
    if unknown:
        raise ValueError(f"targets name unknown KPIs: {sorted(unknown)}")
    return {d.name: replace(d, target=overrides.get(d.name, d.target)) for d in ordered}


_TARGET = re.compile(r"^\s*([a-z0-9_]+)\s*(>=|<=)\s*([0-9.]+)\s*$")


def parse_targets(text: str) -> dict[str, Target]:
    """``name>=0.95,name<=45`` → targets (fractions for rates, hours or days as the KPI's unit)."""
    out = {}
    for part in text.split(","):
        if not part.strip():
            continue
        m = _TARGET.match(part)
        if not m:
            raise ValueError(f"target {part.strip()!r} is not NAME>=VALUE or NAME<=VALUE")
        out[m[1]] = Target(float(m[3]), m[2])
    return out


def markdown() -> str:
    """The generated KPI reference (docs/KPIS.md), one section per family."""
    lines = [
        "# KPI reference",
        "",
        "Generated from the KPI registry (`metrics/registry.py` and each KPI function's",
        "docstring) by `rcmwatch kpi --markdown`; a test checks this file matches. The contract",
        "these follow is KPI.md.",
        "",
    ]
    current = None
    for d in registry().values():
        if d.family != current:
            current = d.family
            lines += [f"## {FAMILY_TITLES[d.family]}", ""]
        lines += [f"### `{d.name}` — {d.title}", "", d.definition, ""]
        for key in SECTIONS:
            if key in d.sections:
                lines.append(f"- **{key}:** {d.sections[key]}")
        target = d.target.text(d.unit) if d.target else "none"
        lines.append(f"- **Unit / shape:** {d.unit} / {d.shape}")
        lines.append(f"- **Default target:** {target}")
        lines.append(f"- **Owner:** {d.owner}")
        lines.append(f"- **Inputs:** {', '.join(f'`{t}`' for t in d.inputs)}")
        guarded = ", ".join(f"`{c}`" for c in d.guarded_by) or "none yet"
        lines.append(f"- **Input checks:** {guarded}")
        cuts = ", ".join(d.dims) or "none"
        lines.append(f"- **Cuts:** {cuts}")
        lines.append(f"- **Snapshotted:** {'yes' if d.snapshot else 'no'}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
