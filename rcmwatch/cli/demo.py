"""``rcmwatch demo`` (what ``make run`` calls): prepare the embedded store, start the dashboard."""

from __future__ import annotations


def add_parser(sub, common) -> None:
    p = sub.add_parser(
        "demo", parents=[common], help="prepare the demo store and start the dashboard"
    )
    p.set_defaults(func=run)


def run(args, ctx) -> int:
    from rcmwatch.demo import run_demo

    return run_demo(ctx)
