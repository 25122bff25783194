"""``rcmwatch collect [--once] [--source NAME] [--full-scan]``: poll the configured sources.

With ``--once`` every enabled source (or the one named) runs once and the command exits: 0 if all
succeeded, 1 if any failed (one line each on stderr). Without it the command keeps collecting,
each source at its declared cadence, until SIGTERM/SIGINT (the scheduler does the same with a
lock, and with the other jobs; use it in production).
"""

from __future__ import annotations


def add_parser(sub, common) -> None:
    p = sub.add_parser("collect", parents=[common], help="collect from the configured sources")
    p.add_argument("--once", action="store_true", help="run each source once, then exit")
    p.add_argument("--source", metavar="NAME", help="only this source (enabled or not)")
    p.add_argument(
        "--full-scan",
        action="store_true",
        help="also compare every key with the source now (closes rows deleted at the source)",
    )
    p.add_argument(
        "--sources", metavar="FILE", help="sources file (default: RCMWATCH_SOURCES setting)"
    )
    p.add_argument(
        "--generated",
        metavar="DIR",
        help="collect a system written by `rcmwatch generate --out DIR` (writes DIR/sources.toml)",
    )
    p.set_defaults(func=run)


def run(args, ctx) -> int:
    import sys

    from collectors.service import collect_loop, collect_once
    from rcmwatch.errors import ConfigError

    if args.generated and args.sources:
        raise ConfigError("give --sources or --generated, not both")
    if args.generated:
        from pathlib import Path

        from collectors.generated import write_generated_sources

        if not (Path(args.generated) / "sources").is_dir():
            raise ConfigError(f"{args.generated} is not a folder written by rcmwatch generate")
        sources = write_generated_sources(Path(args.generated))
    else:
        sources = args.sources or ctx.settings.sources_path
    store = ctx.store()
    full = True if args.full_scan else None
    if args.once:
        results = collect_once(store, sources, clock=ctx.clock, only=args.source, full_scan=full)
        for r in results:
            print(r.line(), file=sys.stdout if r.ok else sys.stderr)
        return 0 if all(r.ok for r in results) else 1
    import logging
    import signal
    import threading

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    collect_loop(store, sources, clock=ctx.clock, only=args.source, stop=stop)
    return 0
