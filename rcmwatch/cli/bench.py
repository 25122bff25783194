"""``rcmwatch bench ...``: benchmarks that compare rcmwatch with its peers in one run."""

from __future__ import annotations


def add_parser(sub, common) -> None:
    p = sub.add_parser("bench", parents=[common], help="run a benchmark against its peers")
    p.add_subparsers(dest="bench_command", metavar="BENCH", required=True)
    p.set_defaults(func=None)
