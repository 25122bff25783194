"""``rcmwatch bench edi``: the X12 parser against its peers, side by side in one run.

1. The input: by default (``--source generated``) every 835 of a generated health system of
   ``--claims`` claims (built once into the cache), concatenated into one file; the expected
   totals are the per-file sums of the reference engine (:mod:`rcmwatch.bench.generated_x12`).
   ``--source builder`` writes a uniform balanced 835 (ST loops of ``--per-transaction``) with
   the seeded builder and checks against the builder's own totals.
2. Times, ``runs`` times each (medians reported), every contender as a whole process, with the
   peak resident memory of its whole process tree (sampled; inspect's workers included):
   - ``rcmwatch edi inspect --json FILE`` — and checks its JSON against the expected totals;
   - pyx12 4.0's raw ``X12Reader`` iterating every segment;
   - oxedi's ``parse_file`` (typed tables), when oxedi is installed.
3. Separately: the import time of the inspect process, and in-process flattening of the file to
   frames, both the full frames (``columns="all"``, what ingest uses) and inspect's summary frames.
4. Optionally writes a ~500 MB file (the generated file repeated, or a bigger builder file) and
   records inspect's wall time and peak RSS on it: the
   memory must stay flat (the parser streams).

Results print as a table, then one JSON line (``--json`` prints only the JSON).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rcmwatch.bench.generated_x12 import (
    concatenate,
    expected_by_reference,
    generated_system,
    normalised,
    scaled,
)
from rcmwatch.bench.remittance_builder import BuiltTotals, money, write_remittance

MB = 1_000_000


@dataclass
class Timing:
    name: str
    walls: list[float] = field(default_factory=list)
    peak_rss_mb: float = 0.0
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.walls) if self.walls else float("nan")


def _tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants now (Linux /proc), in MB."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as fh:
                    todo.extend(int(child) for child in fh.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total / 1024


def _measure(argv: Sequence[str]) -> tuple[float, float, str]:
    """Wall time, peak resident memory of the whole process tree (workers included, sampled
    every 10 ms) and stdout of one run of ``argv``."""
    started = time.perf_counter()
    proc = subprocess.Popen(list(argv), stdout=subprocess.PIPE, text=True)
    peak = 0.0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_mb(proc.pid))
            done.wait(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate()
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:3])}... exited with {proc.returncode}")
    return wall, peak, out


def _pyx12_script(path: Path) -> list[str]:
    code = (
        "import sys\n"
        "from pyx12.x12file import X12Reader\n"
        f"with open({str(path)!r}, encoding='ascii') as fh:\n"
        "    n = sum(1 for _ in X12Reader(fh))\n"
        "print(n)\n"
    )
    return [sys.executable, "-c", code]


def _oxedi_script(path: Path) -> list[str]:
    code = f"import oxedi\nr = oxedi.parse_file({str(path)!r})\nprint(r.count_claims())\n"
    return [sys.executable, "-c", code]


def _oxedi_available() -> str | None:
    try:
        import oxedi
    except ImportError as exc:
        return f"not installed ({exc})"
    return None if oxedi else "unavailable"


def expected_era(totals: BuiltTotals) -> dict[str, object]:
    return {
        "claims": totals.claims,
        "charge_total": money(totals.charge),
        "paid_total": money(totals.paid),
        "patient_responsibility_total": money(totals.patient_responsibility),
        "provider_adjustment_total": money(totals.provider_adjustments),
        "payment_total": money(totals.payment),
        "denied_claims": totals.denied_claims,
        "partially_denied_claims": totals.partially_denied_claims,
        "reversals": totals.reversals,
        "balanced": True,
    }


def _rcmwatch() -> str:
    script = Path(sys.executable).with_name("rcmwatch")
    if not script.exists():
        raise RuntimeError(f"{script} not found: run `make setup`")
    return str(script)


def _time_in_process(fn: Callable[[], object], runs: int) -> list[float]:
    walls = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        walls.append(time.perf_counter() - started)
    return walls


def _flatten_all(path: Path, columns: str) -> int:
    from collectors.edi.remittance import RemittanceFlattener
    from collectors.edi.segment_frames import SegmentFrameReader

    reader = SegmentFrameReader.open(path)
    flattener = RemittanceFlattener(reader.diagnostics, reader.envelope, columns=columns)  # type: ignore[arg-type]
    claims = 0
    for batch in reader:
        frames = flattener.flatten(batch)
        if frames is not None:
            claims += frames.claims.height
    return claims


def run_benchmark(
    *,
    claims: int,
    per_transaction: int,
    runs: int,
    big_mb: int,
    workdir: Path | None,
    pyx12_runs: int,
    log: Callable[[str], None],
    source: str = "generated",
    cache: Path | None = None,
) -> dict[str, object]:
    tmp = tempfile.TemporaryDirectory(prefix="rcmwatch-bench-") if workdir is None else None
    folder = Path(tmp.name) if tmp else workdir
    assert folder is not None
    folder.mkdir(parents=True, exist_ok=True)
    try:
        path = folder / "bench.835"
        if source == "builder":
            log(f"writing {claims:,} claims in ST loops of {per_transaction:,} to {path}")
            totals = write_remittance(path, claims=claims, claims_per_transaction=per_transaction)
            expected = normalised(expected_era(totals))
            segments = totals.segments
        else:
            system = generated_system(cache or folder, claims, log)
            path, n_files = concatenate(system, "835", path)
            log(f"{n_files:,} generated 835 files concatenated into {path}; reference sums...")
            expected, segments = expected_by_reference(system, "835")
        nbytes = path.stat().st_size
        size_mb = nbytes / MB
        log(f"  {size_mb:.1f} MB, {expected['claims']:,} CLP loops, {segments:,} segments")
        transactions = path.read_bytes().count(b"ST*835*")

        def run_inspect(label: str, extra: list[str]) -> Timing:
            timing = Timing(label)
            for n in range(runs):
                argv = [_rcmwatch(), "edi", "inspect", "--json", *extra, str(path)]
                wall, rss, out = _measure(argv)
                result = json.loads(out)
                if not result["ok"] or normalised(result["era"]) != expected:
                    raise RuntimeError(f"inspect disagrees with the expected totals: {out[:500]}")
                timing.walls.append(wall)
                timing.peak_rss_mb = max(timing.peak_rss_mb, rss)
                log(f"  inspect {' '.join(extra) or ''} run {n + 1}: {wall:.2f} s, {rss:.0f} MB")
            return timing

        inspect = run_inspect("rcmwatch edi inspect --json (whole process)", [])
        inspect_2 = run_inspect("rcmwatch edi inspect --json --workers 2", ["--workers", "2"])

        importing = Timing("import time of the inspect process")
        # Everything the inspect path loads: its process and (for large files) each worker.
        probe = "import rcmwatch.cli.main, collectors.edi.inspect, collectors.edi.chunk_summary"
        for _ in range(runs):
            wall, rss, _ = _measure([sys.executable, "-c", probe])
            importing.walls.append(wall)
        bare = Timing("bare interpreter start")
        for _ in range(runs):
            bare.walls.append(_measure([sys.executable, "-c", "pass"])[0])

        full = Timing("in-process flattening to full frames (ingest)")
        full.walls = _time_in_process(lambda: _flatten_all(path, "all"), runs)
        summary = Timing("in-process flattening to summary frames (inspect)")
        summary.walls = _time_in_process(lambda: _flatten_all(path, "summary"), runs)
        log(f"  flatten: full {full.median:.2f} s, summary {summary.median:.2f} s")

        pyx12 = Timing("pyx12 4.0 raw X12Reader (whole process)")
        for n in range(pyx12_runs):
            wall, rss, out = _measure(_pyx12_script(path))
            if int(out) != segments:
                raise RuntimeError(f"pyx12 read {out.strip()} segments, expected {segments}")
            pyx12.walls.append(wall)
            pyx12.peak_rss_mb = max(pyx12.peak_rss_mb, rss)
            log(f"  pyx12 run {n + 1}: {wall:.2f} s")

        oxedi = Timing("oxedi parse_file (whole process)")
        missing = _oxedi_available()
        if missing:
            oxedi.note = missing
        else:
            for n in range(runs):
                wall, rss, out = _measure(_oxedi_script(path))
                oxedi.walls.append(wall)
                oxedi.peak_rss_mb = max(oxedi.peak_rss_mb, rss)
                log(f"  oxedi run {n + 1}: {wall:.2f} s ({out.strip()} claims)")

        big: dict[str, object] = {}
        if big_mb:
            big_path = folder / "big.835"
            if source == "builder":
                scale = max(1, round(big_mb * MB / nbytes * claims))
                log(f"writing ~{big_mb} MB ({scale:,} claims) to {big_path}")
                big_totals = write_remittance(
                    big_path, claims=scale, claims_per_transaction=per_transaction
                )
                big_expected = normalised(expected_era(big_totals))
            else:
                # The generated file repeated: same content, so the answer is k times the sum.
                copies = max(1, round(big_mb * MB / nbytes))
                log(f"writing the generated 835 {copies} times (~{big_mb} MB) to {big_path}")
                data = path.read_bytes()
                with big_path.open("wb") as sink:
                    for _ in range(copies):
                        sink.write(data)
                del data
                big_expected = scaled(expected, copies)
            path.unlink()  # room on disk for the big one
            big_bytes = big_path.stat().st_size
            wall, rss, out = _measure([_rcmwatch(), "edi", "inspect", "--json", str(big_path)])
            if normalised(json.loads(out)["era"]) != big_expected:
                raise RuntimeError("inspect disagrees with the expected totals on the big file")
            big = {
                "size_mb": round(big_bytes / MB, 1),
                "wall_s": round(wall, 2),
                "peak_rss_mb": round(rss),
                "mb_per_s": round(big_bytes / MB / wall, 1),
            }
            big_path.unlink()
            log(f"  big file: {wall:.2f} s, {rss:.0f} MB peak")

        def row(t: Timing) -> dict[str, object]:
            out: dict[str, object] = {
                "median_s": round(t.median, 3),
                "runs": [round(w, 3) for w in t.walls],
            }
            if t.peak_rss_mb:
                out["peak_rss_mb"] = round(t.peak_rss_mb)
            if t.walls:
                out["mb_per_s"] = round(size_mb / t.median, 1)
            if t.note:
                out["note"] = t.note
            return out

        report: dict[str, object] = {
            "file": {
                "source": source,
                "size_mb": round(size_mb, 1),
                "claims": expected["claims"],
                "transactions": transactions,
                "segments": segments,
            },
            "cpu_count": os.cpu_count(),
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "inspect": row(inspect),
            "inspect_workers_2": row(inspect_2),
            "import": {
                "median_s": round(importing.median, 3),
                "bare_python_s": round(bare.median, 3),
            },
            "flatten_full": row(full),
            "flatten_summary": row(summary),
            "pyx12_raw": row(pyx12),
            "oxedi": row(oxedi),
            "inspect_vs_pyx12": round(pyx12.median / inspect.median, 2),
            "inspect_workers_2_vs_pyx12": round(pyx12.median / inspect_2.median, 2),
            "big_file": big,
        }
        if oxedi.walls:
            report["inspect_vs_oxedi"] = round(oxedi.median / inspect.median, 2)
        return report
    finally:
        if tmp:
            tmp.cleanup()


def render(report: dict) -> str:
    lines = [
        f"{report['file'].get('source', 'builder')} file: {report['file']['size_mb']} MB, "
        f"{report['file']['claims']:,} claims, "
        f"{report['file']['transactions']} ST loops ({report['cpu_count']} CPUs, load "
        f"{report['load_average']})",
        f"{'contender':52s} {'median s':>9s} {'MB/s':>7s} {'peak MB':>8s}",
    ]
    names = {
        "inspect": "rcmwatch edi inspect --json (whole process)",
        "inspect_workers_2": "... --workers 2 (two worker processes)",
        "pyx12_raw": "pyx12 4.0 raw X12Reader (whole process)",
        "oxedi": "oxedi 0.6 parse_file (whole process)",
        "flatten_full": "flatten to full frames (in process)",
        "flatten_summary": "flatten to inspect's summary frames (in process)",
    }
    for key, label in names.items():
        r = report[key]
        if "note" in r and not r.get("runs"):
            lines.append(f"{label:52s} {r['note']}")
            continue
        lines.append(
            f"{label:52s} {r['median_s']:9.2f} {r.get('mb_per_s', 0):7.1f} "
            f"{r.get('peak_rss_mb', ''):>8}"
        )
    imp = report["import"]
    lines.append(
        f"{'import of the inspect process (python start incl.)':52s} {imp['median_s']:9.2f}"
    )
    lines.append(f"{'bare python start':52s} {imp['bare_python_s']:9.2f}")
    lines.append(
        f"inspect is {report['inspect_vs_pyx12']}x pyx12's raw reader"
        + (f", {report['inspect_vs_oxedi']}x oxedi" if "inspect_vs_oxedi" in report else "")
    )
    if report["big_file"]:
        b = report["big_file"]
        lines.append(
            f"big file: {b['size_mb']} MB in {b['wall_s']} s ({b['mb_per_s']} MB/s), "
            f"peak {b['peak_rss_mb']} MB"
        )
    return "\n".join(lines)
