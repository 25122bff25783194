"""Run several long-lived processes as one: start them, stop them all on Ctrl-C/SIGTERM, and stop
the rest if one of them dies. ``rcmwatch demo`` runs the dashboard through it (the scheduler and
the simulator join later)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field


@dataclass
class Child:
    name: str
    argv: list[str]
    cwd: str | None = None
    env: dict[str, str] | None = None
    # A required child's exit stops everything; an optional one (a loader) may finish or fail
    # while the rest keeps running.
    required: bool = True
    process: subprocess.Popen | None = field(default=None, repr=False)
    reported: bool = field(default=False, repr=False)


class Supervisor:
    def __init__(self, children: list[Child], *, grace_seconds: float = 10.0) -> None:
        self.children = children
        self.grace_seconds = grace_seconds
        self._stopping = False

    def _on_signal(self, signum, _frame) -> None:
        self._stopping = True

    def start(self) -> None:
        for child in self.children:
            child.process = subprocess.Popen(child.argv, cwd=child.cwd, env=child.env)

    def stop(self) -> None:
        alive = [c for c in self.children if c.process and c.process.poll() is None]
        for child in alive:
            child.process.terminate()
        deadline = time.monotonic() + self.grace_seconds
        for child in alive:
            remaining = max(0.1, deadline - time.monotonic())
            try:
                child.process.wait(remaining)
            except subprocess.TimeoutExpired:
                child.process.kill()
                child.process.wait()

    def run(self, on_tick=None) -> int:
        """Block until a signal (exit 0) or a child's death (its exit code, others stopped)."""
        previous = {s: signal.signal(s, self._on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            self.start()
            while not self._stopping:
                for child in self.children:
                    code = child.process.poll()
                    if code is None or child.reported:
                        continue
                    if not child.required:
                        child.reported = True
                        if code:
                            print(
                                f"rcmwatch: {child.name} failed (exit code {code})", file=sys.stderr
                            )
                        continue
                    print(
                        f"rcmwatch: {child.name} stopped (exit code {code}); stopping the rest",
                        file=sys.stderr,
                    )
                    self.stop()
                    return code or 1
                if on_tick is not None:
                    on_tick()
                time.sleep(0.2)
            print("rcmwatch: stopping...", file=sys.stderr)
            self.stop()
            return 0
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def child_env(**overrides: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(overrides)
    return env
