"""Payer resolution through the one payer reference table (KPI.md "Payer").

An 837's payer is its 2010BB NM109; an 835's is N1*PR04, else REF*2U, else TRN03. Each candidate
is looked up among the payers' identifiers: the first one present is the payer id. When it is
unknown, the payer is added — named from the file, ``needs_mapping`` set, so nothing is lost and
``payer_not_in_table`` lists it until someone maps it (``rcmwatch reference load`` merges it into
the real payer).
"""

from __future__ import annotations

import polars as pl
from sqlalchemy import Connection, select

from rcmwatch.store import bulk
from rcmwatch.store.models import Payer, PayerIdentifier


def known_identifiers(conn: Connection) -> dict[tuple[str, str], int]:
    # A health system deals with hundreds of payers at most: one small read per file.
    rows = conn.execute(
        select(PayerIdentifier.kind, PayerIdentifier.value, PayerIdentifier.payer_id)
    ).all()
    return {(kind, value): payer_id for kind, value, payer_id in rows}


def resolve(
    conn: Connection, candidates: list[list[tuple[str, str]]], names: list[str | None]
) -> list[int | None]:
    """For each record, its candidate ``(kind, value)`` ids in KPI.md's order of precedence →
    a payer id. The first candidate *present* is the record's payer id — never the first one
    that happens to be known already, which would make the answer depend on arrival order.

    Records without any candidate get ``None`` (no payer named at all)."""
    known = known_identifiers(conn)
    chosen: list[tuple[str, str] | None] = []
    to_add: dict[tuple[str, str], str] = {}
    for cands, name in zip(candidates, names, strict=True):
        present = [(k, v.strip()) for k, v in cands if v and v.strip()]
        hit = present[0] if present else None
        if hit is not None and hit not in known:
            to_add.setdefault(hit, (name or hit[1]).strip())
        chosen.append(hit)
    if to_add:
        _add_unknown(conn, to_add)
        known = known_identifiers(conn)
    resolved = [known[c] if c is not None else None for c in chosen]
    _settle_auto_names(conn, resolved, names)
    return resolved


def _settle_auto_names(conn: Connection, payer_ids: list[int | None], names) -> None:
    """An automatically added payer keeps the alphabetically first name any file gave it: files
    may name one payer id differently, and arrival order must not decide which name shows."""
    from sqlalchemy import text

    best: dict[int, str] = {}
    for pid, name in zip(payer_ids, names, strict=True):
        name = (name or "").strip()
        if pid is not None and name and (pid not in best or name < best[pid]):
            best[pid] = name
    if best:
        conn.execute(
            text(
                "UPDATE payer SET name = :name WHERE id = :id AND origin = 'ingest' "
                "AND needs_mapping AND name > :name"
            ),
            [{"id": pid, "name": name} for pid, name in best.items()],
        )


def _add_unknown(conn: Connection, unknown: dict[tuple[str, str], str]) -> None:
    payers = pl.DataFrame(
        {
            "code": [_auto_code(kind, value) for kind, value in unknown],
            "name": list(unknown.values()),
            "payer_class": ["other"] * len(unknown),
            "origin": ["ingest"] * len(unknown),
            "needs_mapping": [True] * len(unknown),
        }
    )
    ids = bulk.insert_missing(conn, Payer.__table__, payers, ["code"])
    by_code = dict(zip(ids["code"], ids["id"], strict=True))
    identifiers = pl.DataFrame(
        {
            "payer_id": [by_code[_auto_code(k, v)] for k, v in unknown],
            "kind": [k for k, _ in unknown],
            "value": [v for _, v in unknown],
        },
        schema={"payer_id": pl.Int64, "kind": pl.String, "value": pl.String},
    )
    bulk.insert_missing(conn, PayerIdentifier.__table__, identifiers, ["kind", "value"])


def _auto_code(kind: str, value: str) -> str:
    return f"AUTO-{value}" if kind == "payer_id" else f"AUTO-{kind.upper()}-{value}"
