"""``rcmwatch check [--suite S] [--json] [--incremental]``: run the data-quality checks.

Prints one JSON object per line per check with ``--json`` (DESIGN.md's contract: ``check``,
``suite``, ``table``, ``severity``, ``success``, ``unexpected_count``, ``failing_keys`` — up to
20), else one readable line per check. Every run is stored (results, failing keys, work items).
Exit 1 if a blocking check failed or a check could not run (one line each on stderr).
Great Expectations is imported only when the command runs.
"""

from __future__ import annotations

SUITES = ("claims", "operations", "people", "remits")
SHOWN_KEYS = 20


def add_parser(sub, common) -> None:
    p = sub.add_parser(
        "check",
        parents=[common],
        help="run the data-quality checks (Great Expectations) on the store",
        description="Run the data-quality checks as of the clock (RCMWATCH_AS_OF fixes it) and "
        "store their results, failing rows' keys and work items.",
    )
    p.add_argument("--suite", choices=SUITES, help="only this suite")
    p.add_argument("--check", action="append", metavar="ID", help="only this check; repeatable")
    p.add_argument("--json", action="store_true", help="one JSON object per check per line")
    p.add_argument(
        "--incremental",
        action="store_true",
        help="only rows new since the last run (plus those that failed then); as after a "
        "collection",
    )
    p.add_argument(
        "--markdown", action="store_true", help="print the check reference (docs/CHECKS.md), exit"
    )
    p.set_defaults(func=run)


def outcome_json(outcome) -> dict:
    check = outcome.check
    return {
        "check": check.id,
        "suite": check.suite,
        "table": check.table,
        "severity": check.severity,
        "success": outcome.success,
        "unexpected_count": outcome.unexpected_count,
        "failing_keys": [row.row_key for row in outcome.failing[:SHOWN_KEYS]],
    }


def run(args, ctx) -> int:
    import json
    import sys

    from checks.catalog import catalog
    from rcmwatch.errors import ConfigError

    if args.markdown:
        from checks.catalog import markdown

        sys.stdout.write(markdown())
        return 0
    known = catalog()
    unknown = [c for c in args.check or [] if c not in known]
    if unknown:
        raise ConfigError(f"no check {unknown[0]!r}", next_step=f"known checks: {', '.join(known)}")
    from checks.run import run_and_record

    store = ctx.store(create=True)
    report = run_and_record(
        store,
        ctx.clock.now(),
        mode="incremental" if args.incremental else "full",
        suite=args.suite,
        check_ids=args.check,
        watch_start=ctx.settings.watch_start,
    )
    for outcome in report.outcomes:
        if args.json:
            print(json.dumps(outcome_json(outcome), ensure_ascii=False))
        else:
            print(_text_line(outcome))
    for outcome in report.errored:
        print(f"rcmwatch: check {outcome.check.id} could not run: {outcome.error}", file=sys.stderr)
    for outcome in report.blocking:
        print(
            f"rcmwatch: blocking: {outcome.check.id}: {outcome.unexpected_count} failing",
            file=sys.stderr,
        )
    return 1 if report.blocking or report.errored else 0


def _text_line(outcome) -> str:
    from checks.results import evidence_line

    mark = "ok  " if outcome.success else ("ERR " if outcome.errored else "FAIL")
    line = f"{mark} {evidence_line(outcome).replace('**', '')}"
    if outcome.failing:
        keys = ", ".join(r.row_key for r in outcome.failing[:5])
        more = " …" if outcome.unexpected_count > 5 else ""
        line += f"\n     e.g. {keys}{more}"
    return line
