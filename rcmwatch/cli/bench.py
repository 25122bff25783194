"""``rcmwatch bench ...``: benchmarks that compare rcmwatch with its peers in one run."""

from __future__ import annotations


def add_parser(sub, common) -> None:
    p = sub.add_parser("bench", parents=[common], help="run a benchmark against its peers")
    bench_sub = p.add_subparsers(dest="bench_command", metavar="BENCH", required=True)
    p.set_defaults(func=None)
    kpi = bench_sub.add_parser(
        "kpi",
        parents=[common],
        help="KPI engine: 10M synthetic claims, 1M-claim stores, pandas and plain SQL",
    )
    kpi.add_argument("--claims", type=int, default=10_000_000, help="synthetic claims to compute")
    kpi.add_argument("--store-claims", type=int, default=1_000_000, help="claims in each store")
    kpi.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    kpi.add_argument("--postgres-url", default=None, help="an empty PostgreSQL database to use")
    kpi.add_argument("--cache", default=None, help="cache folder (default <home>/cache/bench-kpi)")
    kpi.set_defaults(func=_run_kpi)


def _run_kpi(args, ctx) -> int:
    from rcmwatch.bench.kpi import run

    return run(args, ctx)
