"""X12 benchmark inputs from the synthetic health system (``rcmwatch generate``).

The benchmarks read what the generator writes — real-shaped 837P, 999, 277CA and 835 with their
quirks (replacements, voids, reversals, PLB, rejections) — rather than a uniform builder file. A
clearinghouse delivers those as thousands of small daily files; a parser's throughput is measured
on one large file, so the benchmark concatenates every file of a kind into one (several ISA
envelopes in one file is legal X12 and what batch downloads look like).

The expected answer is not taken from the generator: each small file is read on its own by the
per-segment reference engine and the blocks are summed; the vectorised ``inspect`` of the
concatenated file must agree to the cent. Two independent readers, one answer.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

# kind → (folder, file-name marker, inspect block)
KINDS: dict[str, tuple[str, str, str]] = {
    "835": ("inbound", "_835_", "era"),
    "837P": ("outbound", "_837P_", "claims"),
    "999": ("inbound", "_999_", "acks"),
    "277CA": ("inbound", "_277CA_", "acks"),
}
SEED = 1
AS_OF = date(2024, 7, 1)


def generated_system(cache: Path, claims: int, log) -> Path:
    """The generated system of ``claims`` claims (6 months, seed 1), built once into ``cache``."""
    system = cache / f"system-{claims}-s{SEED}"
    if not (system / "manifest.json").is_file():
        from sample_data import generate

        log(f"generating a {claims:,}-claim health system into {system} (once)...")
        generate(system, seed=SEED, claims=claims, months=6, as_of=AS_OF)
    return system


def files_of(system: Path, kind: str) -> list[Path]:
    folder, marker, _ = KINDS[kind]
    return sorted(p for p in (system / "clearinghouse" / folder).iterdir() if marker in p.name)


def concatenate(system: Path, kind: str, out: Path) -> tuple[Path, int]:
    """Every file of ``kind`` in the system, in name (= arrival) order, as one file."""
    files = files_of(system, kind)
    if not files:
        raise RuntimeError(f"the generated system at {system} has no {kind} files")
    with out.open("wb") as sink:
        for p in files:
            sink.write(p.read_bytes())
    return out, len(files)


def _add(total: dict[str, Any], block: dict[str, Any]) -> None:
    for key, value in block.items():
        if isinstance(value, bool):
            total[key] = total.get(key, True) and value
        elif isinstance(value, int):
            total[key] = total.get(key, 0) + value
        elif isinstance(value, str):
            total[key] = total.get(key, Decimal(0)) + Decimal(value)


def normalised(block: dict[str, Any]) -> dict[str, Any]:
    """Money strings as Decimal so '10.5' and '10.50' compare equal."""
    return {k: Decimal(v) if isinstance(v, str) else v for k, v in block.items()}


def scaled(block: dict[str, Any], k: int) -> dict[str, Any]:
    """The block of a file repeated ``k`` times."""
    return {
        key: v if isinstance(v, bool) else v * k if isinstance(v, int | Decimal) else v
        for key, v in block.items()
    }


def expected_by_reference(system: Path, kind: str) -> tuple[dict[str, Any], int]:
    """(sum of the reference engine's block over every file of ``kind``, segment count)."""
    from collectors.edi.inspect import inspect_file

    _, _, block = KINDS[kind]
    total: dict[str, Any] = {}
    segments = 0
    for p in files_of(system, kind):
        result = inspect_file(p, engine="reference")
        if not result["ok"]:
            raise RuntimeError(f"the reference engine rejects {p}: {result['error']}")
        _add(total, result[block])
        segments += count_segments(p.read_bytes())
    return total, segments


def count_segments(data: bytes) -> int:
    """Segments of one generated interchange file (terminator = the byte after ISA16)."""
    terminator = data[105:106]
    return sum(1 for s in data.split(terminator) if s.strip())
