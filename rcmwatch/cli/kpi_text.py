"""The human (non-JSON) output of ``rcmwatch kpi``: one line per KPI with its value, target and
marks, structured values on indented lines."""

from __future__ import annotations

from typing import Any


def _show(value: Any, unit: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if unit == "fraction":
            return f"{value:.1%}"
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, str):
        if value.lstrip("-").replace(".", "", 1).isdigit():
            # Money arrives as an exact two-decimal string: format it without a float.
            from rcmwatch.money import format_dollars, to_cents

            return format_dollars(to_cents(value))
        return value
    return str(value)


# Values end in one column whatever their depth (right-aligned, as amounts are read), so a
# breakdown's amounts line up under each other and under the top-level values.
NAME_WIDTH, VALUE_WIDTH = 32, 16


def _lines(name: str, value: Any, unit: str, indent: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{indent + name:<{NAME_WIDTH}} {_show(value, unit):>{VALUE_WIDTH}}"]
    out = [f"{indent}{name}"]
    for key, sub in value.items():
        out += _lines(str(key), sub, unit, indent + "  ")
    return out


def _block(values: dict, notes: dict, flags: dict, defs, indent: str) -> list[str]:
    out = []
    for name, value in values.items():
        d = defs[name]
        lines = _lines(name, value, d.unit, indent)
        extra = []
        if d.target is not None:
            met = d.target.met(value if isinstance(value, (int, float)) else None)
            mark = "" if met is None else (" ✓" if met else " ✗")
            extra.append(f"target {d.target.text(d.unit)}{mark}")
        if flags.get(name):
            extra.append(", ".join(flags[name]))
        if notes.get(name):
            extra.append(notes[name])
        if extra:
            lines[0] += "   (" + "; ".join(extra) + ")"
        out += lines
    return out


def render_text(result, targets: str | None = None) -> str:
    from metrics.registry import registry

    defs = registry(targets)
    head = (
        f"KPIs for {result.period.label} as of {result.as_of:%Y-%m-%d %H:%M} UTC "
        f"(CARC map v{result.carc_map_version})"
    )
    lines = [head, ""]
    if result.by is None:
        lines += _block(result.values, result.notes, result.flags, defs, "")
    else:
        for group in result.groups:
            lines.append(f"{result.by}: {group[result.by]}")
            lines += _block(group["kpis"], group["notes"], group["flags"], defs, "  ")
            lines.append("")
        for name, note in result.notes.items():
            lines.append(f"{name}: {note}")
    return "\n".join(lines).rstrip() + "\n"
