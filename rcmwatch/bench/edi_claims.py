"""``rcmwatch bench edi-claims``: the 837, 999 and 277CA parser against pyx12, in one run.

1. The input: by default (``--source generated``) every 837P, 999 and 277CA of a generated health
   system of ``claims`` claims, concatenated per kind, checked against the reference engine's
   per-file sums (:mod:`rcmwatch.bench.generated_x12`). ``--source builder``: writes, with the
   seeded builders (:mod:`rcmwatch.bench.claim_builder`), an 837P of ``claims``
   claims (default 100,000, in ST loops of 1,000), a 999 answering as many transaction sets and a
   277CA answering as many claims.
2. Times ``runs`` times each (medians reported), as whole processes with their own peak RSS
   (``wait4``): ``rcmwatch edi inspect --json FILE`` on each file — its JSON checked against the
   builder's totals — and pyx12 4.0's raw ``X12Reader`` iterating every segment of each file.
3. Separately: the import time of the inspect process, inspect's work in process (no start-up),
   and in-process flattening of each file to its full frames (what ingest does).

Results print as a table, then one JSON line (``--json`` prints only the JSON).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rcmwatch.bench.claim_builder import write_277ca, write_999, write_claims
from rcmwatch.bench.generated_x12 import (
    KINDS,
    concatenate,
    expected_by_reference,
    generated_system,
    normalised,
)
from rcmwatch.bench.remittance_builder import money

MB = 1_000_000


@dataclass
class Timing:
    walls: list[float] = field(default_factory=list)
    peak_rss_mb: float = 0.0

    @property
    def median(self) -> float:
        return statistics.median(self.walls) if self.walls else float("nan")

    def row(self, size_mb: float) -> dict[str, object]:
        out: dict[str, object] = {
            "median_s": round(self.median, 3),
            "runs": [round(w, 3) for w in self.walls],
            "mb_per_s": round(size_mb / self.median, 1),
        }
        if self.peak_rss_mb:
            out["peak_rss_mb"] = round(self.peak_rss_mb)
        return out


def measure(argv: Sequence[str]) -> tuple[float, float, str]:
    """Wall time, the child's own peak RSS in MB (``wait4``) and its stdout."""
    read_fd, write_fd = os.pipe()
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # child: stdout to the pipe, then exec
        os.close(read_fd)
        os.dup2(write_fd, 1)
        os.close(write_fd)
        try:
            os.execv(argv[0], list(argv))
        finally:
            os._exit(127)
    os.close(write_fd)
    chunks = []
    with os.fdopen(read_fd, "rb") as pipe:
        while data := pipe.read(1 << 16):
            chunks.append(data)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(argv[:3])}... exited with status {status}")
    return wall, usage.ru_maxrss / 1024, b"".join(chunks).decode()


def _rcmwatch() -> str:
    script = Path(sys.executable).with_name("rcmwatch")
    if not script.exists():
        raise RuntimeError(f"{script} not found: run `make setup`")
    return str(script)


def _built(folder: Path, claims: int, per_transaction: int, log) -> tuple[dict, dict, dict]:
    """The uniform builder files and the builder's own totals."""
    log(f"writing {claims:,} claims (837P, 999 and 277CA) to {folder}")
    built = {
        "837P": (folder / "bench.837", None),
        "999": (folder / "bench.999", None),
        "277CA": (folder / "bench.277", None),
    }
    c = write_claims(built["837P"][0], claims=claims, claims_per_transaction=per_transaction)
    a = write_999(built["999"][0], sets=claims, sets_per_group=per_transaction)
    s = write_277ca(built["277CA"][0], claims=claims, claims_per_transaction=per_transaction)
    acks = {"sets_accepted": 0, "sets_rejected": 0, "claims_accepted": 0, "claims_rejected": 0}
    expected = {
        "837P": (
            "claims",
            normalised(
                {
                    "claims": c.claims,
                    "service_lines": c.service_lines,
                    "charge_total": money(c.charge),
                }
            ),
        ),
        "999": (
            "acks",
            acks | {"sets_accepted": a.sets_accepted, "sets_rejected": a.sets_rejected},
        ),
        "277CA": (
            "acks",
            acks | {"claims_accepted": s.claims_accepted, "claims_rejected": s.claims_rejected},
        ),
    }
    segments = {"837P": c.segments, "999": a.segments, "277CA": s.segments}
    return built, expected, segments


def _generated(folder: Path, cache: Path, claims: int, log) -> tuple[dict, dict, dict]:
    """The generated system's files of each kind, concatenated; reference engine's per-file sums."""
    system = generated_system(cache, claims, log)
    built, expected, segments = {}, {}, {}
    for kind, name in (("837P", "bench.837"), ("999", "bench.999"), ("277CA", "bench.277")):
        path, n_files = concatenate(system, kind, folder / name)
        log(f"{n_files:,} generated {kind} files concatenated into {path}; reference sums...")
        built[kind] = (path, None)
        block, segments[kind] = expected_by_reference(system, kind)
        expected[kind] = (KINDS[kind][2], block)
    return built, expected, segments


def _pyx12(path: Path) -> list[str]:
    code = (
        "from pyx12.x12file import X12Reader\n"
        f"with open({str(path)!r}, encoding='ascii') as fh:\n"
        "    print(sum(1 for _ in X12Reader(fh)))\n"
    )
    return [sys.executable, "-c", code]


def _flatten(path: Path) -> int:
    """Full frames of every kind in one pass (the ingest path); returns their row count."""
    from collectors.edi.segment_frames import SegmentFrameReader
    from collectors.edi.x12_frames import X12Flattener

    reader = SegmentFrameReader.open(path)
    flattener = X12Flattener(reader.diagnostics, reader.envelope)
    rows = 0
    for batch in reader:
        parts = flattener.flatten(batch)
        for kind in (parts.claims, parts.acks, parts.claim_status):
            if kind is not None:
                rows += sum(frame.height for _, frame in kind.items())
    return rows


def _inspect(path: Path) -> dict:
    """``edi inspect``'s work in this process (no interpreter start, no imports)."""
    from collectors.edi.inspect import inspect_file

    return inspect_file(path)


def _in_process(fn: Callable[[], object], runs: int) -> Timing:
    timing = Timing()
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        timing.walls.append(time.perf_counter() - started)
    return timing


def run_benchmark(
    *,
    claims: int,
    per_transaction: int,
    runs: int,
    pyx12_runs: int,
    workdir: Path | None,
    log: Callable[[str], None],
    source: str = "generated",
    cache: Path | None = None,
) -> dict[str, object]:
    tmp = tempfile.TemporaryDirectory(prefix="rcmwatch-bench-") if workdir is None else None
    folder = Path(tmp.name) if tmp else workdir
    assert folder is not None
    folder.mkdir(parents=True, exist_ok=True)
    try:
        if source == "builder":
            built, expected, segments = _built(folder, claims, per_transaction, log)
        else:
            built, expected, segments = _generated(folder, cache or folder, claims, log)
        report: dict[str, object] = {"cpu_count": os.cpu_count(), "files": {}}
        for kind, (path, _) in built.items():
            size_mb = path.stat().st_size / MB
            log(f"{kind}: {size_mb:.1f} MB, {segments[kind]:,} segments")
            inspect = Timing()
            for _ in range(runs):
                wall, rss, out = measure([_rcmwatch(), "edi", "inspect", "--json", str(path)])
                key, want = expected[kind]
                got = json.loads(out)
                if not got["ok"] or normalised(got[key]) != want:
                    raise RuntimeError(f"inspect disagrees with the expected {kind}: {out[:400]}")
                inspect.walls.append(wall)
                inspect.peak_rss_mb = max(inspect.peak_rss_mb, rss)
            log(f"  inspect {inspect.median:.2f} s, {inspect.peak_rss_mb:.0f} MB peak")
            pyx12 = Timing()
            for _ in range(pyx12_runs):
                wall, rss, out = measure(_pyx12(path))
                if int(out) != segments[kind]:
                    raise RuntimeError(f"pyx12 read {out.strip()} segments of {segments[kind]}")
                pyx12.walls.append(wall)
                pyx12.peak_rss_mb = max(pyx12.peak_rss_mb, rss)
            log(f"  pyx12 raw reader {pyx12.median:.2f} s")
            full = _in_process(lambda p=path: _flatten(p), runs)
            log(f"  full frames in process {full.median:.2f} s")
            entry: dict[str, object] = {
                "size_mb": round(size_mb, 1),
                "segments": segments[kind],
                "inspect": inspect.row(size_mb),
                "pyx12_raw": pyx12.row(size_mb),
                "inspect_vs_pyx12": round(pyx12.median / inspect.median, 2),
                "flatten_full": full.row(size_mb),
            }
            entry["inspect_in_process"] = _in_process(lambda p=path: _inspect(p), runs).row(size_mb)
            if kind == "837P":
                entry["claims"] = expected["837P"][1]["claims"]
            report["files"][kind] = entry  # type: ignore[index]
        importing = Timing()
        bare = Timing()
        probe = "import rcmwatch.cli.main, collectors.edi.inspect"
        for _ in range(runs):
            importing.walls.append(measure([sys.executable, "-c", probe])[0])
            bare.walls.append(measure([sys.executable, "-c", "pass"])[0])
        report["import_s"] = round(importing.median, 3)
        report["bare_python_s"] = round(bare.median, 3)
        report["load_average"] = [round(x, 2) for x in os.getloadavg()]
        return report
    finally:
        if tmp:
            tmp.cleanup()


def render(report: dict) -> str:
    lines = [
        f"{report['cpu_count']} CPUs, load {report['load_average']}; import of the inspect "
        f"process {report['import_s']} s (bare python {report['bare_python_s']} s)",
        f"{'file':6s} {'MB':>6s} {'contender':40s} {'median s':>9s} {'MB/s':>7s} {'peak MB':>8s}",
    ]
    labels = {
        "inspect": "rcmwatch edi inspect --json (process)",
        "pyx12_raw": "pyx12 4.0 raw X12Reader (process)",
        "flatten_full": "full frames, one pass (in process)",
        "inspect_in_process": "inspect's work, in process",
    }
    for kind, entry in report["files"].items():
        for key, label in labels.items():
            if key not in entry:
                continue
            r = entry[key]
            lines.append(
                f"{kind:6s} {entry['size_mb']:6.1f} {label:40s} {r['median_s']:9.2f} "
                f"{r['mb_per_s']:7.1f} {r.get('peak_rss_mb', ''):>8}"
            )
        lines.append(f"{kind:6s} inspect is {entry['inspect_vs_pyx12']}x pyx12's raw reader")
    return "\n".join(lines)


def run(args, ctx) -> int:
    report = run_benchmark(
        claims=args.claims,
        per_transaction=args.per_transaction,
        runs=args.repeat,
        pyx12_runs=args.pyx12_repeat,
        workdir=Path(args.workdir) if args.workdir else None,
        log=(lambda _: None) if args.json else (lambda text: print(text, file=sys.stderr)),
        source=args.source,
        cache=Path(args.cache) if args.cache else ctx.settings.home_path / "cache" / "x12",
    )
    if not args.json:
        print(render(report))
    print(json.dumps(report))
    return 0
