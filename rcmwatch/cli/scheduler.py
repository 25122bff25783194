"""``rcmwatch scheduler``: the scheduler process — collectors at their cadence (and the jobs later
features register). One runs at a time: others wait as standbys and take over after 3 missed
heartbeats (``RCMWATCH_SCHEDULER_HEARTBEAT_SECONDS``). SIGTERM/SIGINT stop it cleanly."""

from __future__ import annotations

import argparse


def add_parser(sub, common) -> None:
    p = sub.add_parser("scheduler", parents=[common], help="run the scheduler process")
    p.add_argument(
        "--sources", metavar="FILE", help="sources file (default: RCMWATCH_SOURCES setting)"
    )
    # `rcmwatch demo` starts the scheduler beside the demo loader: wait for the system first.
    p.add_argument("--after-demo-load", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(func=run)


def run(args, ctx) -> int:
    import logging
    import signal
    import threading

    from collectors.config import load_sources
    from rcmwatch.scheduler.jobs import SchedulerContext
    from rcmwatch.scheduler.service import SchedulerService

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    if args.after_demo_load:
        from rcmwatch.demo_loader import wait_until_loaded

        if wait_until_loaded(ctx.store(), stop) is None:
            return 0
    sources = args.sources or ctx.settings.sources_path
    load_sources(sources)  # a broken sources file is one line now, not a failing job later
    service = SchedulerService(
        SchedulerContext(ctx.store(), ctx.clock, ctx.settings, sources),
        heartbeat_seconds=ctx.settings.scheduler_heartbeat_seconds,
        workers=ctx.settings.collect_workers,
    )
    service.run(stop)
    return 0
