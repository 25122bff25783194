"""Run the installed ``rcmwatch`` console script the way users and outside checks do."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

RCMWATCH = Path(sys.executable).parent / "rcmwatch"


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str

    @property
    def stderr_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]


def run_cli(*args: str, env: dict[str, str] | None = None, cwd=None, timeout=120) -> CliResult:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("RCMWATCH_")}
    full_env.update(env or {})
    proc = subprocess.run(
        [str(RCMWATCH), *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        timeout=timeout,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)
