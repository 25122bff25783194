"""Links that make a claim's story (KPI.md), resolved whenever either side arrives.

Every pass is set-based SQL restricted to the claims a file touched (the *affected* patient
control numbers, kept in a temporary table for the transaction), so a file costs work in
proportion to its own size, not the store's. Ties are broken on natural keys (file content hash,
sequence numbers), never on surrogate ids, so any arrival order gives the same links; a tie is
also recorded as an ``ambiguous_link`` warning — a pick is never silent.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, text

AFFECTED = "_rcmw_affected_pcn"


def mark_affected(conn: Connection, pcns: Iterable[str]) -> int:
    conn.execute(text(f'CREATE TEMPORARY TABLE IF NOT EXISTS "{AFFECTED}" (pcn VARCHAR(38))'))
    conn.execute(text(f'DELETE FROM "{AFFECTED}"'))
    rows = [{"pcn": p} for p in sorted(set(pcns)) if p]
    if rows:
        conn.execute(text(f'INSERT INTO "{AFFECTED}" (pcn) VALUES (:pcn)'), rows)
    return len(rows)


def link_remits_to_claims(conn: Connection) -> None:
    """835 → claim by patient control number (CLP01 = CLM01)."""
    conn.execute(
        text(
            f"""
            UPDATE claim_payment SET claim_id = (
                SELECT c.id FROM claim c WHERE c.pcn = claim_payment.pcn)
            WHERE pcn IN (SELECT pcn FROM "{AFFECTED}")
            """
        )
    )


def fill_payer_sequence(conn: Connection) -> None:
    """Payer sequence of a claim payment whose CLP02 does not say it: the SBR01 of the latest
    837 version of that claim sent to that payer (KPI.md "Adjudication")."""
    conn.execute(
        text(
            f"""
            UPDATE claim_payment SET payer_sequence = (
                SELECT v.payer_sequence FROM claim_version v
                  JOIN submission s ON s.id = v.submission_id
                 WHERE v.claim_id = claim_payment.claim_id
                   AND v.payer_id = claim_payment.payer_id
                 ORDER BY s.submitted_at DESC, v.seq DESC LIMIT 1)
            WHERE pcn IN (SELECT pcn FROM "{AFFECTED}")
              AND claim_id IS NOT NULL
              AND status_code NOT IN ('1', '19', '2', '20', '3', '21')
            """
        )
    )


# Candidate originals of a reversal: same claim (pcn), payer and payer claim number (CLP07), not
# themselves reversals or predeterminations, produced on or before the reversal.
_ORIGINALS = """
    SELECT o.id AS original_id, r.id AS reversal_id, ot.production_date AS produced,
           f.sha256 AS file_key, ot.seq AS tx_seq, o.seq AS claim_seq
      FROM claim_payment r
      JOIN remit_transaction rt ON rt.id = r.remit_transaction_id
      JOIN claim_payment o
        ON o.pcn = r.pcn AND o.payer_id = r.payer_id
       AND COALESCE(o.payer_claim_number, '') = COALESCE(r.payer_claim_number, '')
       AND o.is_reversal = {false} AND o.is_predetermination = {false}
      JOIN remit_transaction ot ON ot.id = o.remit_transaction_id
      JOIN inbound_file f ON f.id = ot.inbound_file_id
     WHERE r.is_reversal = {true}
       AND r.pcn IN (SELECT pcn FROM "{affected}")
       AND ot.production_date <= rt.production_date
       AND o.remit_transaction_id <> r.remit_transaction_id
"""


def link_reversals(conn: Connection) -> list[tuple[int, int]]:
    """Point each reversal at the adjudication it reverses (the latest produced before it);
    reversals with none in the store are *orphans* until their original arrives. Returns the
    (reversal id, candidates) of ambiguous picks for warnings."""
    true, false = ("true", "false") if conn.dialect.name == "postgresql" else ("1", "0")
    candidates = conn.execute(
        text(_ORIGINALS.format(true=true, false=false, affected=AFFECTED))
    ).all()
    best: dict[int, tuple] = {}
    ties: dict[int, int] = {}
    for row in candidates:
        key = (row.produced, row.file_key, row.tx_seq, row.claim_seq)
        current = best.get(row.reversal_id)
        if current is None or key > current[0]:
            if current is not None and current[0][0] == row.produced:
                ties[row.reversal_id] = ties.get(row.reversal_id, 1) + 1
            elif current is not None:
                ties.pop(row.reversal_id, None)
            best[row.reversal_id] = (key, row.original_id)
        elif key[0] == current[0][0]:
            ties[row.reversal_id] = ties.get(row.reversal_id, 1) + 1
    conn.execute(
        text(
            f"""
            UPDATE claim_payment SET reverses_claim_payment_id = NULL, orphan_reversal = {true}
            WHERE is_reversal = {true} AND pcn IN (SELECT pcn FROM "{AFFECTED}")
            """
        )
    )
    if best:
        conn.execute(
            text(
                "UPDATE claim_payment SET reverses_claim_payment_id = :original, "
                f"orphan_reversal = {false} WHERE id = :reversal"
            ),
            [{"original": v[1], "reversal": k} for k, v in best.items()],
        )
    return sorted(ties.items())
