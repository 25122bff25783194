"""``rcmwatch bench ...``: benchmarks that compare rcmwatch with its peers in one run."""

from __future__ import annotations


def add_parser(sub, common) -> None:
    p = sub.add_parser("bench", parents=[common], help="run a benchmark against its peers")
    bench_sub = p.add_subparsers(dest="bench_command", metavar="BENCH", required=True)
    p.set_defaults(func=None)
    fix = bench_sub.add_parser(
        "fixture",
        parents=[common],
        help="build (once) and cache a generated system: generate → ingest → collect",
    )
    fix.add_argument("--claims", type=int, default=1_000_000, help="claims (1000000)")
    fix.add_argument("--months", type=int, default=12, help="months of history (12)")
    fix.add_argument("--seed", type=int, default=1, help="generator seed (1)")
    fix.add_argument("--as-of", default="2025-01-01", help="the system's as-of date (2025-01-01)")
    fix.add_argument("--cache", default=None, help="cache folder (default <home>/cache/fixtures)")
    fix.add_argument(
        "--target-db", default=None, help="build into this store instead of the cached SQLite file"
    )
    fix.add_argument(
        "--copy-to",
        default=None,
        metavar="POSTGRES_URL",
        help="then copy the cached store, ids kept, into this empty PostgreSQL database "
        "(minutes, where building into it takes about an hour at 1M claims)",
    )
    fix.add_argument("--json", action="store_true", help="print the report as JSON")
    fix.set_defaults(func=run_fixture)
    ing = bench_sub.add_parser(
        "ingest",
        parents=[common],
        help="ingest end to end: a 100k-claim 837/999/277CA/835 set into SQLite and PostgreSQL",
    )
    ing.add_argument("--claims", type=int, default=100_000, help="claims in the set (100000)")
    ing.add_argument("--repeat", type=int, default=1, help="runs per measurement; medians (1)")
    ing.add_argument("--workdir", default=None, help="files and stores (default <home>/cache)")
    ing.add_argument("--postgres-url", default=None, help="a PostgreSQL server to create DBs on")
    ing.add_argument(
        "--sets",
        default="generated,batched,floor",
        help="comma-separated: generated (daily files), batched (4 files), floor (parse only "
        "and load only of the batched set; needs batched); default all three",
    )
    ing.add_argument("--json", action="store_true", help="print only the JSON report")
    ing.set_defaults(func=run_ingest)
    edi = bench_sub.add_parser(
        "edi",
        parents=[common],
        help="835 parsing: `edi inspect` vs pyx12's raw reader and oxedi, same file, one run",
    )
    edi.add_argument(
        "--source",
        choices=("generated", "builder"),
        default="generated",
        help="the generated system's 835s, concatenated (default), or the uniform builder file",
    )
    edi.add_argument(
        "--claims", type=int, default=500_000, help="claims (generated system or file; 500000)"
    )
    edi.add_argument("--per-transaction", type=int, default=1_000, help="claims per ST loop (1000)")
    edi.add_argument("--runs", type=int, default=3, help="runs per contender; medians (3)")
    edi.add_argument("--pyx12-runs", type=int, default=None, help="pyx12 runs (default: --runs)")
    edi.add_argument(
        "--big-mb", type=int, default=500, help="also inspect a file this big, 0 to skip (500)"
    )
    edi.add_argument("--workdir", default=None, help="keep the files here (default: a temp dir)")
    edi.add_argument("--cache", default=None, help="generated systems (default <home>/cache/x12)")
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
    kpi.add_argument(
        "--postgres-url",
        default=None,
        help="an empty PostgreSQL database to use (with --fixture: the database holding the "
        "fixture, from `bench fixture --copy-to`; copied, never changed)",
    )
    kpi.add_argument(
        "--fixture",
        action="store_true",
        help="measure the stores on the cached bench fixture (generated, ingested, collected) "
        "instead of synthetic rows",
    )
    kpi.add_argument("--fixture-cache", default=None, help="fixture cache (<home>/cache/fixtures)")
    kpi.add_argument(
        "--only", choices=("compute", "stores"), default=None, help="run one phase only"
    )
    kpi.add_argument("--cache", default=None, help="cache folder (default <home>/cache/bench-kpi)")
    kpi.set_defaults(func=_run_kpi)
    claims = bench_sub.add_parser(
        "edi-claims",
        parents=[common],
        help="837P/999/277CA parsing: 100,000-claim files against pyx12's raw reader",
    )
    claims.add_argument(
        "--source",
        choices=("generated", "builder"),
        default="generated",
        help="the generated system's files, concatenated per kind (default), or builder files",
    )
    claims.add_argument("--claims", type=int, default=100_000, help="claims (and 999 sets)")
    claims.add_argument("--cache", default=None, help="generated systems (<home>/cache/x12)")
    claims.add_argument("--per-transaction", type=int, default=1_000, help="claims per ST loop")
    claims.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    claims.add_argument("--pyx12-repeat", type=int, default=1, help="runs of pyx12 (slow)")
    claims.add_argument("--workdir", default=None, help="where to write the files (default: temp)")
    claims.add_argument("--json", action="store_true", help="print only the JSON report")
    claims.set_defaults(func=_run_edi_claims)

    chk = bench_sub.add_parser(
        "checks",
        parents=[common],
        help="data-quality checks: every suite in full on SQLite and PostgreSQL, then an "
        "incremental run after a simulated day",
    )
    chk.add_argument("--claims", type=int, default=1_000_000, help="fixture claims (1000000)")
    chk.add_argument("--cache", default=None, help="fixture cache (default <home>/cache/fixtures)")
    chk.add_argument(
        "--postgres-db",
        default=None,
        help="a PostgreSQL database holding the same fixture (`bench fixture --target-db`); "
        "copied, never changed",
    )
    chk.add_argument("--json", action="store_true", help="print only the JSON report")
    chk.set_defaults(func=_run_checks)

    gen = bench_sub.add_parser(
        "generate",
        parents=[common],
        help="time the synthetic health system generator and measure its peak memory",
    )
    gen.add_argument("--claims", type=int, default=1_000_000, help="claims (default 1,000,000)")
    gen.add_argument("--months", type=int, default=6, help="months of services (default 6)")
    gen.add_argument("--seed", type=int, default=1)
    gen.add_argument(
        "--out",
        metavar="DIR",
        default=None,
        help="keep the output here (default: a temporary folder, removed)",
    )
    gen.set_defaults(func=run_generate)

    collect = bench_sub.add_parser(
        "collect",
        parents=[common],
        help="collection cycles: initial load, unchanged sources (≤ 2 s), one new day (≤ 5 s)",
    )
    collect.add_argument(
        "--claims", type=int, default=25_000, help="claims of the generated system (25000)"
    )
    collect.add_argument(
        "--day-claims", type=int, default=3_000, help="claims' worth of one new day (3000)"
    )
    collect.add_argument("--workdir", default=None, help="keep the system here (default: temp)")
    collect.add_argument(
        "--fixture", default=None, help="a built fixture folder to measure on (a copy of it)"
    )
    collect.add_argument("--json", action="store_true", help="print only the JSON report")
    collect.set_defaults(func=run_collect)


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
        source=args.source,
        cache=Path(args.cache) if args.cache else ctx.settings.home_path / "cache" / "x12",
    )
    if not args.json:
        print(render(report))
    print(json.dumps(report))
    return 0


def _run_kpi(args, ctx) -> int:
    from rcmwatch.bench.kpi import run

    return run(args, ctx)


def run_generate(args, ctx) -> int:
    from rcmwatch.errors import ConfigError
    from sample_data.bench import bench_generate

    if args.claims < 1 or not 1 <= args.months <= 36:
        raise ConfigError("--claims must be ≥ 1 and --months between 1 and 36")
    result = bench_generate(
        args.claims, args.months, args.seed, args.out, keep=args.out is not None
    )
    print("\n".join(result.lines()))
    return 0


def run_collect(args, ctx) -> int:
    import json
    import sys
    from pathlib import Path

    from rcmwatch.bench.collect import run_benchmark
    from rcmwatch.errors import InputError

    if args.claims < 1 or args.day_claims < 1:
        raise InputError("--claims and --day-claims must be at least 1")

    def log(line: str) -> None:
        if not args.json:
            print(line, file=sys.stderr, flush=True)

    report = run_benchmark(
        ctx.store(),
        claims=args.claims,
        day_claims=args.day_claims,
        workdir=Path(args.workdir) if args.workdir else None,
        log=log,
        fixture=Path(args.fixture) if args.fixture else None,
    )
    print(json.dumps(report, indent=None if args.json else 2))
    return 0


def _run_edi_claims(args, ctx) -> int:
    from rcmwatch.bench.edi_claims import run

    return run(args, ctx)


def run_fixture(args, ctx) -> int:
    import json
    import sys
    from dataclasses import asdict
    from datetime import date
    from pathlib import Path

    from rcmwatch.bench.fixture import build_fixture
    from rcmwatch.errors import ConfigError
    from rcmwatch.store.engine import redact

    if args.claims < 1 or not 1 <= args.months <= 36:
        raise ConfigError("--claims must be ≥ 1 and --months between 1 and 36")
    try:
        as_of = date.fromisoformat(args.as_of)
    except ValueError:
        raise ConfigError(f"--as-of {args.as_of!r} is not a date (YYYY-MM-DD)") from None
    cache = Path(args.cache) if args.cache else ctx.settings.home_path / "cache" / "fixtures"
    report = build_fixture(
        cache,
        claims=args.claims,
        months=args.months,
        seed=args.seed,
        as_of=as_of,
        db_url=args.target_db,
        log=lambda line: print(line, file=sys.stderr, flush=True),
    )
    print(json.dumps(asdict(report)) if args.json else "\n".join(report.lines()))
    if not report.completed:
        return 1
    if args.copy_to:
        from rcmwatch.store.copy import copy_sqlite_to_postgres

        if args.target_db:
            raise ConfigError("--copy-to copies the cached SQLite store; drop --target-db")
        print(f"copying the fixture into {redact(args.copy_to)}...", file=sys.stderr, flush=True)
        copied = copy_sqlite_to_postgres(
            Path(report.folder) / "store.db",
            args.copy_to,
            log=lambda line: print(line, file=sys.stderr, flush=True),
        )
        print(
            f"copied {copied.rows:,} rows of {len(copied.tables)} tables in {copied.seconds:.1f} s",
            file=sys.stderr if args.json else sys.stdout,
        )
    return 0


def run_ingest(args, ctx) -> int:
    import json
    import sys
    from pathlib import Path

    from rcmwatch.bench.ingest import SETS, render, run_benchmark
    from rcmwatch.errors import ConfigError

    if args.claims < 1000 or args.repeat < 1:
        raise ConfigError("--claims must be at least 1000 and --repeat at least 1")
    sets = tuple(s.strip() for s in args.sets.split(",") if s.strip())
    if not sets or set(sets) - set(SETS):
        raise ConfigError(f"--sets {args.sets!r}: give some of {', '.join(SETS)}")
    if "floor" in sets and "batched" not in sets:
        raise ConfigError("--sets floor measures the batched set's ingest: add batched")
    workdir = (
        Path(args.workdir) if args.workdir else ctx.settings.home_path / "cache" / "bench-ingest"
    )
    report = run_benchmark(
        claims=args.claims,
        workdir=workdir,
        postgres_url=args.postgres_url,
        repeat=args.repeat,
        log=lambda line: print(line, file=sys.stderr, flush=True),
        sets=sets,
    )
    if not args.json:
        print(render(report))
    print(json.dumps(report))
    return 0


def _run_checks(args, ctx) -> int:
    import json
    import sys
    from datetime import UTC, date, datetime
    from pathlib import Path

    from rcmwatch.bench.checks import run_benchmark
    from rcmwatch.bench.fixture import build_fixture

    cache = Path(args.cache) if args.cache else ctx.settings.home_path / "cache" / "fixtures"
    log = (lambda line: print(line, file=sys.stderr)) if args.json else print
    fixture = build_fixture(cache, claims=args.claims, log=log)
    as_of = datetime.combine(date.fromisoformat(fixture.as_of), datetime.min.time(), UTC)
    sqlite_url = f"sqlite:///{Path(fixture.folder) / 'store.db'}"
    report = run_benchmark(
        sqlite_url=sqlite_url, postgres_url=args.postgres_db, as_of=as_of, log=log
    )
    report["fixture"] = {"key": fixture.key, "claims": fixture.claims}
    print(json.dumps(report, indent=2))
    return 0
