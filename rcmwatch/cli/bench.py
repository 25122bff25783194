"""``rcmwatch bench ...``: benchmarks that compare rcmwatch with its peers in one run."""

from __future__ import annotations


def add_parser(sub, common) -> None:
    p = sub.add_parser("bench", parents=[common], help="run a benchmark against its peers")
    bench_sub = p.add_subparsers(dest="bench_command", metavar="BENCH", required=True)
    p.set_defaults(func=None)
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
