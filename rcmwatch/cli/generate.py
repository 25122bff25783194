"""``rcmwatch generate``: write a synthetic health system's source systems into a folder."""

from __future__ import annotations

import argparse
from datetime import date


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def add_parser(sub, common) -> None:
    from sample_data.scenarios import SCENARIO_NAMES  # small module: cheap to import

    p = sub.add_parser(
        "generate",
        parents=[common],
        help="write a synthetic health system's sources (X12, engine, workflow, ERP)",
        description="Write the source systems of a synthetic regional health system into DIR: "
        "clearinghouse X12 (837/999/277CA/835), the integration engine's message log, the "
        "workflow system's work items and decisions, the ERP's tables, as SQLite and CSV.",
    )
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument(
        "--claims",
        type=_positive,
        default=None,
        help="insured claims to generate (default: the demo size, 25,000)",
    )
    p.add_argument("--months", type=_positive, default=6, help="months of services (default 6)")
    p.add_argument(
        "--as-of",
        type=_date,
        default=None,
        metavar="DATE",
        help="first day not generated, YYYY-MM-DD (default: today, UTC)",
    )
    p.add_argument("--scenario", choices=SCENARIO_NAMES, default="baseline")
    p.add_argument("--workers", type=_positive, default=None, help=argparse.SUPPRESS)
    p.set_defaults(func=run)


def run(args, ctx) -> int:
    from rcmwatch.errors import ConfigError
    from sample_data.generator import DEMO_CLAIMS, generate

    if args.months > 36:
        raise ConfigError(f"--months must be at most 36, not {args.months}")
    as_of = args.as_of or ctx.clock.now().date()
    manifest = generate(
        args.out,
        seed=args.seed,
        claims=args.claims or DEMO_CLAIMS,
        months=args.months,
        as_of=as_of,
        scenario=args.scenario,
        workers=args.workers,
    )
    files = sum(manifest.files.values())
    print(
        f"generated {manifest.claims:,} claims ({manifest.scenario}, as of {manifest.as_of}) "
        f"into {args.out}: {files:,} X12 files, "
        f"{sum(manifest.tables.values()):,} source rows"
    )
    return 0
