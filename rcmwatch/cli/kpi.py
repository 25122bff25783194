"""``rcmwatch kpi``: every KPI of KPI.md from the store, as JSON (the contract in DESIGN.md) or a
readable table. ``--help`` prints each KPI's definition from the registry (imported only then:
building the parser must stay cheap for every other command)."""

from __future__ import annotations

import argparse
import sys

BY_CHOICES = ("facility", "payer", "payer_class", "month", "payer_sequence", "exception_type")


class _RegistryHelp(argparse.Action):
    """``-h/--help``: the usual help followed by every KPI's definition."""

    def __call__(self, parser, namespace, values, option_string=None):
        from metrics.registry import registry

        parser.epilog = "KPIs (definitions as in docs/KPIS.md):\n\n" + "\n\n".join(
            d.help_text() for d in registry().values()
        )
        parser.print_help()
        parser.exit()


def add_parser(sub, common) -> None:
    p = sub.add_parser(
        "kpi",
        parents=[common],
        add_help=False,
        help="compute the KPIs of KPI.md (JSON with --json)",
        description="Compute every KPI of KPI.md as of the clock (RCMWATCH_AS_OF fixes it).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "-h",
        "--help",
        action=_RegistryHelp,
        nargs=0,
        help="show this help and every KPI's definition",
    )
    p.add_argument("--json", action="store_true", help="print the JSON contract of DESIGN.md")
    p.add_argument(
        "--period",
        default=None,
        metavar="all|YYYY-MM|YYYY-MM-DD..YYYY-MM-DD",
        help="the period (default: the as-of's month)",
    )
    p.add_argument("--by", choices=BY_CHOICES, default=None, help="break every KPI down by this")
    p.add_argument(
        "--facility",
        action="append",
        metavar="CODE",
        help="only this facility ('unmapped' for claims without one); repeatable",
    )
    p.add_argument("--payer", action="append", metavar="CODE", help="only this payer; repeatable")
    p.add_argument(
        "--payer-class", action="append", metavar="CLASS", help="only this payer class; repeatable"
    )
    p.add_argument(
        "--payer-sequence",
        action="append",
        choices=("primary", "secondary", "tertiary"),
        help="only this payer sequence; repeatable",
    )
    p.add_argument("--kpi", action="append", metavar="NAME", help="only this KPI; repeatable")
    p.add_argument(
        "--markdown", action="store_true", help="print the KPI reference (docs/KPIS.md) and exit"
    )
    p.add_argument(
        "--refresh-snapshots",
        action="store_true",
        help="recompute the daily metric snapshots whose inputs changed, then exit",
    )
    p.add_argument("--full", action="store_true", help="with --refresh-snapshots: every day")
    p.set_defaults(func=run)


def _ids(codes, frame, what: str) -> frozenset | None:
    if not codes:
        return None
    from rcmwatch.errors import ConfigError

    known = dict(zip(frame["code"].to_list(), frame["id"].to_list(), strict=True))
    out = set()
    for code in codes:
        if code == "unmapped":
            out.add(None)
        elif code in known:
            out.add(known[code])
        else:
            raise ConfigError(f"no {what} with code {code!r} in the store")
    return frozenset(out)


def run(args, ctx) -> int:
    from rcmwatch.errors import ConfigError

    if args.markdown:
        from metrics.registry import markdown

        sys.stdout.write(markdown())
        return 0
    from metrics.common import KpiParams
    from metrics.engine import compute_kpis
    from metrics.periods import Cuts, Period
    from rcmwatch.importers.synthea import read_source_gaps
    from rcmwatch.queries.kpi_frames import current_carc_map_version, load_frames

    as_of = ctx.clock.now()
    try:
        period = Period.parse(args.period, as_of)
    except ValueError as exc:
        raise ConfigError(
            str(exc), next_step="use all, YYYY-MM or YYYY-MM-DD..YYYY-MM-DD"
        ) from None
    settings = ctx.settings
    params = KpiParams(
        underpayment_tolerance_cents=settings.underpayment_tolerance,
        ar_age_anchor=settings.ar_age_anchor,
    )
    store = ctx.store(create=True)
    if args.refresh_snapshots:
        from rcmwatch.store.snapshots import refresh_snapshots

        summary = refresh_snapshots(store, as_of, full=args.full, params=params)
        print(summary.describe())
        return 0
    frames = load_frames(store)
    cuts = Cuts(
        facility_ids=_ids(args.facility, frames.facility, "facility"),
        payer_ids=_ids(args.payer, frames.payer, "payer"),
        payer_classes=frozenset(args.payer_class) if args.payer_class else None,
        payer_sequences=frozenset(args.payer_sequence) if args.payer_sequence else None,
    )
    try:
        result = compute_kpis(
            frames,
            as_of,
            period,
            cuts=cuts,
            by=args.by,
            names=args.kpi,
            params=params,
            targets=settings.kpi_targets or None,
            default_carc_map_version=current_carc_map_version(store, as_of),
            source_gaps=read_source_gaps(store),
        )
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    _flag_inputs(result, store, frames, cuts, settings)
    if args.json:
        import json

        json.dump(result.to_json(), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    from rcmwatch.cli.kpi_text import render_text

    sys.stdout.write(render_text(result, settings.kpi_targets or None))
    return 0


def _flag_inputs(result, store, frames, cuts, settings) -> None:
    """Mark KPIs whose inputs fail data-quality checks in the cut shown (values unchanged)."""
    from metrics.gating import flag_result
    from metrics.registry import registry
    from rcmwatch.queries.dq import latest_failing_keys

    keys = latest_failing_keys(store)
    if keys.height == 0:
        return
    flag_result(
        result,
        keys,
        registry(settings.kpi_targets or None),
        cuts,
        facility_codes=dict(frames.facility.select("id", "code").iter_rows()),
        payer_codes=dict(frames.payer.select("id", "code").iter_rows()),
        payer_classes=dict(frames.payer.select("id", "payer_class").iter_rows()),
    )
