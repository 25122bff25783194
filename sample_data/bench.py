"""``rcmwatch bench generate``: how long generating N claims takes and how much memory it needs.

Peak memory is measured as the largest *sum* of the resident set sizes of this process and all
its descendants (the worker processes), sampled from ``/proc`` every 50 ms while the generator
runs — what the machine must actually have — next to the kernel's per-process peaks
(``getrusage``), which sampling cannot miss.
"""

from __future__ import annotations

import os
import resource
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sample_data.generator import generate

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _tree_rss(root: int) -> int:
    """Bytes resident in ``root`` and its descendants (Linux /proc)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat[stat.rindex(b")") + 2 :].split()
        pid = int(entry)
        parents[pid] = int(fields[1])
        rss[pid] = int(fields[21]) * _PAGE
    total = 0
    for pid, size in rss.items():
        p = pid
        while p and p != root:
            p = parents.get(p, 0)
        if p == root:
            total += size
    return total


@dataclass
class BenchResult:
    claims: int
    months: int
    seconds: float
    peak_tree_rss_bytes: int
    peak_self_rss_bytes: int
    peak_child_rss_bytes: int
    phase_seconds: dict[str, float]
    output_bytes: int
    cpu_seconds: float  # user + system of this process and its workers
    load_average: float  # 1-minute load average at the end (other work on the machine)

    def lines(self) -> list[str]:
        mib = 1024 * 1024
        return [
            f"generate --claims {self.claims} --months {self.months}",
            f"  wall time           {self.seconds:8.1f} s ({self.claims / self.seconds:,.0f} "
            "claims/s)",
            f"  peak RSS (all procs) {self.peak_tree_rss_bytes / mib:8.0f} MiB",
            f"  peak RSS main/worker {self.peak_self_rss_bytes / mib:8.0f} / "
            f"{self.peak_child_rss_bytes / mib:.0f} MiB",
            f"  CPU (user+sys)      {self.cpu_seconds:8.1f} s (load average at the end "
            f"{self.load_average:.1f} on {os.cpu_count()} cores)",
            f"  output              {self.output_bytes / mib:8.0f} MiB",
            "  phases              "
            + ", ".join(f"{k} {v:.1f} s" for k, v in self.phase_seconds.items()),
        ]


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def bench_generate(
    claims: int,
    months: int = 6,
    seed: int = 1,
    out_dir: str | None = None,
    as_of: date = date(2024, 7, 1),
    keep: bool = False,
) -> BenchResult:
    tmp = None
    if out_dir is None:
        tmp = tempfile.mkdtemp(prefix="rcmwatch-bench-gen-")
        out_dir = tmp
    peak = 0
    stop = threading.Event()
    me = os.getpid()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_rss(me))
            stop.wait(0.05)

    def cpu() -> float:
        own = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

    cpu_start = cpu()
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    start = time.perf_counter()
    try:
        manifest = generate(out_dir, seed=seed, claims=claims, months=months, as_of=as_of)
        seconds = time.perf_counter() - start
    finally:
        stop.set()
        sampler.join()
    size = _du(Path(out_dir))
    if tmp and not keep:
        shutil.rmtree(tmp, ignore_errors=True)
    kib = 1024
    return BenchResult(
        claims,
        months,
        seconds,
        peak,
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * kib,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * kib,
        manifest.phase_seconds,
        size,
        cpu() - cpu_start,
        os.getloadavg()[0],
    )
