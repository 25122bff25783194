"""``rcmwatch simulate [--speed N] [--scenario NAME]``: continue the generated health system live
from its as-of date on a simulated clock persisted in the store (``app_state['sim_clock']``): the
next 837/999/277CA/835 files in the inbound folder, engine messages on RabbitMQ (some dead-letter)
and in the message log, work items with automated decisions and overrides, ERP postings with
their lag — and answers to what people and jobs do (republished messages, claims dropped in the
outbound folder, rows in the ``action_request`` table). SIGTERM/SIGINT stop it cleanly; a restart
continues from the saved clock. ``--set-scenario`` switches the scenario of a running simulator.
"""

from __future__ import annotations

import argparse
import re

_DURATION = re.compile(r"^(\d+)([smhd])$")


def _duration(text: str) -> int:
    m = _DURATION.match(text.strip())
    if not m:
        raise argparse.ArgumentTypeError(f"not a duration like 90s, 30m, 1h, 2d: {text!r}")
    return int(m.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]


def _speed(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be above 0: {text!r}")
    return value


def add_parser(sub, common) -> None:
    from sample_data.scenarios import SCENARIO_NAMES

    p = sub.add_parser(
        "simulate",
        parents=[common],
        help="play the generated health system's outside world live",
        description=__doc__.split("\n\n")[0],
    )
    p.add_argument(
        "--speed",
        type=_speed,
        default=None,
        help="simulated seconds per second (default: RCMWATCH_SIM_SPEED, 3600)",
    )
    p.add_argument("--scenario", choices=SCENARIO_NAMES, default=None, help="scenario to play")
    p.add_argument(
        "--system",
        metavar="DIR",
        default=None,
        help="the generated system's folder (default: <home>/demo-system)",
    )
    p.add_argument(
        "--for",
        dest="duration",
        type=_duration,
        default=None,
        metavar="DURATION",
        help="stop after this much simulated time (e.g. 1h), as fast as possible",
    )
    p.add_argument(
        "--set-scenario",
        choices=SCENARIO_NAMES,
        default=None,
        help="switch the running simulator's scenario and exit",
    )
    p.add_argument(
        "--queue-prefix",
        default=None,
        help="prefix of the broker's exchange and queue names (default: RCMWATCH_SIM_QUEUE_PREFIX)",
    )
    p.add_argument("--after-demo-load", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(func=run)


def run(args, ctx) -> int:
    import logging
    import signal
    import threading
    from datetime import timedelta
    from pathlib import Path

    from rcmwatch.simulator.state import switch_scenario

    store = ctx.store()
    if args.set_scenario:
        state = switch_scenario(store, args.set_scenario)
        print(
            f"scenario {state.scenario} from {state.scenario_since} (simulated clock {state.now})"
        )
        return 0
    from rcmwatch.simulator.broker import Broker
    from rcmwatch.simulator.service import Simulator

    log = logging.getLogger("rcmwatch.simulator")
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    if args.after_demo_load:
        from rcmwatch.demo_loader import wait_until_loaded

        progress = wait_until_loaded(store, stop)
        if progress is None:
            return 0
        if progress.phase == "failed":
            log.warning("the demo system did not load (%s); no simulator", progress.error)
            stop.wait()  # stay up (quietly) so the demo keeps running until Ctrl-C
            return 0
    system = Path(args.system) if args.system else ctx.settings.home_path / "demo-system"
    speed = args.speed or float(ctx.settings.sim_speed)
    prefix = args.queue_prefix if args.queue_prefix is not None else ctx.settings.sim_queue_prefix
    broker = Broker(ctx.settings.amqp_url, prefix) if ctx.settings.amqp_url else None
    if broker is not None and not broker.connect():
        log.warning("broker %s; the simulator runs on without it", broker.status)
    sim = Simulator(store, system, speed=speed, scenario=args.scenario, broker=broker)
    try:
        if args.duration is not None:
            end = sim.state.at + timedelta(seconds=args.duration)
            step = timedelta(seconds=min(args.duration, 600))
            while sim.state.at < end:
                sim.step(min(step, end - sim.state.at))
            c = sim.state.counters
            print(
                f"simulated clock {sim.state.now}: {c.get('files', 0)} files, "
                f"{c.get('rows', 0)} source rows, {c.get('published', 0)} messages published "
                f"({c.get('dead_lettered', 0)} dead-lettered), "
                f"{c.get('planned_claims', 0)} claims planned; broker "
                f"{broker.status if broker else 'not connected (RCMWATCH_AMQP_URL empty)'}"
            )
            return 0
        sim.run(stop)
        log.info("stopped at simulated %s; %s", sim.state.now, sim.lag.line())
        return 0
    finally:
        sim.close()
