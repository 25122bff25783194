"""The reference export of rcmwatch's bundled synthetic health system generator (``sample_data``,
see its SOURCES.md), read into :class:`~rcmwatch.reference.loader.ReferenceData` — the same
validation and load as rcmwatch's own format, like any vendor export mapped to it."""

from __future__ import annotations

import csv
from pathlib import Path

from rcmwatch.errors import InputError


def recognises(folder: Path) -> bool:
    path = folder / "facilities.csv"
    if not path.is_file():
        return False
    with path.open(newline="", encoding="utf-8-sig") as fh:
        header = next(csv.reader(fh), [])
    return "facility_code" in header


def _rows(path: Path) -> list[tuple[int, dict]]:
    if not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return [(i + 2, {k: (v or "").strip() for k, v in r.items()})
                for i, r in enumerate(csv.DictReader(fh))]  # fmt: skip


def read(folder: Path):
    """Translate the generator's columns into rcmwatch's reference format, then validate it the
    same way (through a temporary folder in rcmwatch's format)."""
    import tempfile

    from rcmwatch.reference.loader import read_reference_folder

    with tempfile.TemporaryDirectory(prefix="rcmwatch-ref-") as tmp:
        out = Path(tmp)
        _write(out / "facilities.csv", ["code", "name", "kind", "go_live_date", "npis"], [
            [r["facility_code"], r["name"], r["kind"], r.get("go_live_date", ""), r.get("npi", "")]
            for _, r in _rows(folder / "facilities.csv")
        ])  # fmt: skip
        payers = []
        for _, r in _rows(folder / "payers.csv"):
            ids = []
            for kind, column in (("payer_id", "payer_id_837"), ("payer_id", "payer_id_835"),
                                 ("trn03", "trn03")):  # fmt: skip
                value = r.get(column, "")
                if value and f"{kind}={value}" not in ids:
                    ids.append(f"{kind}={value}")
            payers.append([r["payer_code"], r["name"], r["payer_class"],
                           r.get("timely_filing_days", ""), r.get("appeal_limit_days", ""),
                           ";".join(ids)])  # fmt: skip
        _write(out / "payers.csv", ["code", "name", "payer_class", "timely_filing_days",
                                    "appeal_limit_days", "identifiers"], payers)  # fmt: skip
        _write(out / "fee_schedule.csv", ["payer_code", "claim_type", "code_system", "code",
                                          "modifier", "expected_allowed", "effective_from",
                                          "effective_to"], [
            [r["payer_code"], r.get("claim_type", ""), r["code_system"], r["code"],
             r.get("modifier", ""), r["expected_allowed"], r["effective_from"],
             r.get("effective_to", "")]
            for _, r in _rows(folder / "fee_schedule.csv")
        ])  # fmt: skip
        try:
            return read_reference_folder(out)
        except InputError as exc:
            # Name the generator's folder, not the temporary translation.
            raise InputError(str(exc).replace(str(out), str(folder))) from None


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
