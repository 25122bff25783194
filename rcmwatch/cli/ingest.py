"""``rcmwatch ingest PATH...``: X12 files or folders into the store.

Exit 0 if every file was ingested or skipped (already in the store), 1 if any failed; each
failure is one line on stderr naming the file and the reason, and the other files still land.
"""

from __future__ import annotations


def add_parser(sub, common) -> None:
    p = sub.add_parser("ingest", parents=[common], help="ingest X12 files or folders")
    p.add_argument("paths", nargs="*", metavar="PATH", help="files, or folders to walk")
    p.add_argument("--source", default="cli", help="name recorded as the files' source")
    p.add_argument(
        "--retry-quarantined",
        action="store_true",
        help="parse the quarantined files again (after a fix) instead of PATHs",
    )
    p.add_argument("--quiet", action="store_true", help="print failures only")
    p.add_argument(
        "--received-at",
        choices=("now", "mtime"),
        default="now",
        help="when a file arrived: now (landing, default) or its modification time",
    )
    p.add_argument(
        "--transfer-log",
        metavar="CSV",
        help="arrival times from a clearinghouse transfer log (file, transferred_at) instead",
    )
    p.set_defaults(func=run)


def run(args, ctx) -> int:
    import os
    import sys

    from rcmwatch.errors import ConfigError
    from rcmwatch.ingest.run import ingest_paths, retry_quarantined

    if not args.paths and not args.retry_quarantined:
        raise ConfigError("nothing to ingest: give files or folders (or --retry-quarantined)")
    store = ctx.store()
    if args.retry_quarantined:
        outcomes = retry_quarantined(store, clock=ctx.clock)
    else:
        missing = [p for p in args.paths if not os.path.exists(p)]
        if missing:
            raise ConfigError(f"no such file or folder: {', '.join(missing)}")
        from pathlib import Path

        from rcmwatch.ingest.run import file_mtime, transfer_log_times

        received_at_of = None
        if args.transfer_log:
            received_at_of = transfer_log_times(Path(args.transfer_log))
        elif args.received_at == "mtime":
            received_at_of = file_mtime
        outcomes = ingest_paths(
            store,
            args.paths,
            clock=ctx.clock,
            source=args.source,
            keep_raw_max_bytes=ctx.settings.keep_raw_max_bytes,
            received_at_of=received_at_of,
        )
    failed = ingested = skipped = 0
    for outcome in outcomes:
        if outcome.failed:
            failed += 1
            print(f"rcmwatch: {outcome.line()}", file=sys.stderr)
        else:
            ingested += outcome.status == "ingested"
            skipped += outcome.status == "skipped"
            if not args.quiet:
                print(outcome.line())
    if not args.quiet:
        print(f"{ingested} ingested, {skipped} skipped, {failed} failed")
    return 1 if failed else 0
