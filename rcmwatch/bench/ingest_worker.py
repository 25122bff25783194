"""One timed ingest in a process of its own, for ``rcmwatch bench ingest``: prints one JSON line
(seconds, files, failed, claim versions and claim payments written, peak RSS)."""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--transfer-log")
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args(argv)

    from rcmwatch.clock import FixedClock
    from rcmwatch.ingest.run import expand_paths, ingest_paths, transfer_log_times
    from rcmwatch.store.engine import open_store_url

    store = open_store_url(args.db)
    arrived = transfer_log_times(Path(args.transfer_log)) if args.transfer_log else None
    files = list(expand_paths(args.paths))
    if arrived:
        files.sort(key=lambda p: (arrived(p) or datetime.max.replace(tzinfo=UTC), p.name))
    if args.limit:
        files = files[: args.limit]
    clock = FixedClock(datetime(2024, 7, 1, tzinfo=UTC))
    started = time.perf_counter()
    failed = sum(o.failed for o in ingest_paths(store, files, clock=clock, received_at_of=arrived))
    seconds = time.perf_counter() - started
    with store.read() as conn:
        versions = conn.execute(text("SELECT count(*) FROM claim_version")).scalar()
        payments = conn.execute(text("SELECT count(*) FROM claim_payment")).scalar()
    store.dispose()
    print(
        json.dumps(
            {
                "seconds": seconds,
                "files": len(files),
                "failed": failed,
                "claim_versions": versions,
                "claim_payments": payments,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
