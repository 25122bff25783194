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
    claims = bench_sub.add_parser(
        "edi-claims",
        parents=[common],
        help="837P/999/277CA parsing: 100,000-claim files against pyx12's raw reader",
    )
    claims.add_argument("--claims", type=int, default=100_000, help="claims (and 999 sets)")
    claims.add_argument("--per-transaction", type=int, default=1_000, help="claims per ST loop")
    claims.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    claims.add_argument("--pyx12-repeat", type=int, default=1, help="runs of pyx12 (slow)")
    claims.add_argument("--workdir", default=None, help="where to write the files (default: temp)")
    claims.add_argument("--json", action="store_true", help="print only the JSON report")
    claims.set_defaults(func=_run_edi_claims)


def _run_kpi(args, ctx) -> int:
    from rcmwatch.bench.kpi import run

    return run(args, ctx)


def _run_edi_claims(args, ctx) -> int:
    from rcmwatch.bench.edi_claims import run

    return run(args, ctx)
