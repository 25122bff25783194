"""``rcmwatch bench ...``: benchmarks that compare rcmwatch with its peers in one run."""

from __future__ import annotations


def add_parser(sub, common) -> None:
    p = sub.add_parser("bench", parents=[common], help="run a benchmark against its peers")
    bench_sub = p.add_subparsers(dest="bench_command", metavar="BENCH", required=True)
    p.set_defaults(func=None)
    edi = bench_sub.add_parser(
        "edi",
        parents=[common],
        help="835 parsing: `edi inspect` vs pyx12's raw reader and oxedi, same file, one run",
    )
    edi.add_argument("--claims", type=int, default=500_000, help="claims in the file (500000)")
    edi.add_argument("--per-transaction", type=int, default=1_000, help="claims per ST loop (1000)")
    edi.add_argument("--runs", type=int, default=3, help="runs per contender; medians (3)")
    edi.add_argument("--pyx12-runs", type=int, default=None, help="pyx12 runs (default: --runs)")
    edi.add_argument(
        "--big-mb", type=int, default=500, help="also inspect a file this big, 0 to skip (500)"
    )
    edi.add_argument("--workdir", default=None, help="keep the files here (default: a temp dir)")
    edi.add_argument("--json", action="store_true", help="print only the JSON report")
    edi.set_defaults(func=run_edi)
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


def run_edi(args, ctx) -> int:
    import json
    import sys
    from pathlib import Path

    from rcmwatch.bench.edi import render, run_benchmark
    from rcmwatch.errors import InputError

    if args.claims < 1 or args.per_transaction < 1 or args.runs < 1:
        raise InputError("--claims, --per-transaction and --runs must be at least 1")

    def log(line: str) -> None:
        if not args.json:
            print(line, file=sys.stderr, flush=True)

    report = run_benchmark(
        claims=args.claims,
        per_transaction=args.per_transaction,
        runs=args.runs,
        pyx12_runs=args.pyx12_runs or args.runs,
        big_mb=args.big_mb,
        workdir=Path(args.workdir) if args.workdir else None,
        log=log,
    )
    if not args.json:
        print(render(report))
    print(json.dumps(report))
    return 0


def _run_kpi(args, ctx) -> int:
    from rcmwatch.bench.kpi import run

    return run(args, ctx)
