"""Write one parsed file into the store (inside the caller's transaction) and resolve its links.

Order: the file's interchanges (with duplicate-control-number and test warnings), then each
transaction kind's records, then the links for every claim the file touched, then the work items
and warnings the file raises.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import polars as pl
from sqlalchemy import Connection, and_, insert, select, text

from rcmwatch.ingest import links
from rcmwatch.ingest.parse import ParsedX12
from rcmwatch.reference.carc_map import CarcMap
from rcmwatch.store.models import IngestWarning, Interchange, RemitTransaction, WorkItem

# A posting work item for an unbalanced remit is due in two business-ish days: someone must
# reconcile it before the ERP can post it.
UNBALANCED_REMIT_DUE = timedelta(days=2)


@dataclass
class WriteResult:
    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def current_carc_map(conn: Connection, at: datetime) -> CarcMap:
    """The CARC → category version in effect at ``at`` (the store's, seeded v1 by init)."""
    from rcmwatch.reference.carc_map import map_from_rows
    from rcmwatch.store.models import CarcCategory, GovernedVersion

    version = conn.execute(
        select(GovernedVersion.id, GovernedVersion.version)
        .where(GovernedVersion.kind == "carc_map", GovernedVersion.effective_from <= at)
        .order_by(GovernedVersion.effective_from.desc(), GovernedVersion.id.desc())
        .limit(1)
    ).first()
    if version is None:
        from rcmwatch.reference.carc_map import builtin_carc_map

        return builtin_carc_map(1)
    rows = conn.execute(
        select(CarcCategory.carc, CarcCategory.category).where(
            CarcCategory.version_id == version.id
        )
    ).all()
    return map_from_rows(int(version.version), [(r.carc, r.category) for r in rows])


def _warn(conn, file_id, code, message, subject_type=None, subject_key=None) -> str:
    conn.execute(
        insert(IngestWarning).values(
            inbound_file_id=file_id,
            code=code,
            subject_type=subject_type,
            subject_key=subject_key,
            message=message,
        )
    )
    return f"{code}: {message}"


def _write_interchanges(conn, file_id: int, parsed: ParsedX12, result: WriteResult) -> None:
    rows = parsed.interchanges
    if not rows:
        return
    for row in rows:
        earlier = conn.execute(
            select(Interchange.inbound_file_id).where(
                and_(
                    Interchange.sender_id == row["sender_id"],
                    Interchange.receiver_id == row["receiver_id"],
                    Interchange.control_number == row["control_number"],
                )
            )
        ).first()
        if earlier is not None:
            key = f"{row['sender_id']}/{row['receiver_id']}/{row['control_number']}"
            result.warnings.append(
                _warn(
                    conn,
                    file_id,
                    "duplicate_control_number",
                    f"interchange {key} (ISA06/ISA08/ISA13) was already received in file "
                    f"#{earlier.inbound_file_id} with different content; both are kept",
                    "interchange",
                    key,
                )
            )
        if row["usage"] == "T":
            key = f"{row['sender_id']}/{row['receiver_id']}/{row['control_number']}"
            result.warnings.append(
                _warn(
                    conn,
                    file_id,
                    "test_interchange",
                    f"interchange {key} is a test interchange (ISA15 = T): stored, excluded "
                    "from every KPI",
                    "interchange",
                    key,
                )
            )
    # A file holds one interchange or a few: a plain insert (a frame, ids and the bulk path cost
    # ~3 ms a file, and a clearinghouse delivers thousands of files).
    conn.execute(insert(Interchange), [row | {"inbound_file_id": file_id} for row in rows])


def write_parsed(
    conn: Connection, *, file_id: int, received_at: datetime, parsed: ParsedX12
) -> WriteResult:
    result = WriteResult()
    if conn.dialect.name == "postgresql":
        # Every statement here touches a few rows through indexes. Where a table's statistics
        # are stale (autovacuum off, or behind a bulk load) PostgreSQL overestimates the cost
        # and JIT-compiles the statement: ~220 ms of compiling for a 12 ms update, per link pass
        # and per file (measured on a 4,000-file store: 873 s to ingest it).
        conn.execute(text("SET LOCAL jit = off"))
    _write_interchanges(conn, file_id, parsed, result)
    # The claims this file touches are known before anything is written, so the writers can
    # link their own rows as they write them (one write per row, not an insert and updates).
    affected = links.mark_affected(conn, _affected_pcns(parsed))
    submission_ids: list[int] = []
    ack_ids: list[int] = []

    if parsed.claims is not None:
        from rcmwatch.ingest.claims import write_claims

        written, claim_warnings = write_claims(
            conn, file_id=file_id, received_at=received_at, frames=parsed.claims
        )
        result.counts["claim submissions"] = written.submissions
        result.counts["claims"] = written.claim_versions
        result.warnings += claim_warnings
        submission_ids = written.submission_ids

    if parsed.acks is not None:
        from rcmwatch.ingest.acks import write_999

        count, ack_ids = write_999(conn, file_id=file_id, frames=parsed.acks)
        result.counts["999 answers"] = count

    if parsed.statuses is not None:
        from rcmwatch.ingest.acks import write_277ca

        count = write_277ca(conn, file_id=file_id, received_at=received_at, frames=parsed.statuses)
        result.counts["277CA statuses"] = count

    if parsed.remittance is not None:
        from rcmwatch.ingest.remits import write_remits

        carc_map = current_carc_map(conn, received_at)
        classification = parsed.classify_remittance(carc_map)
        remits = write_remits(
            conn,
            file_id=file_id,
            received_at=received_at,
            frames=parsed.remittance,
            classification=classification,
            carc_map=carc_map,
        )
        result.counts["remit transactions"] = remits.transactions
        result.counts["claim payments"] = remits.claim_payments
        for remit_id in remits.unbalanced_transaction_ids:
            result.warnings.append(_raise_unbalanced_remit(conn, file_id, remit_id, received_at))

    # Each link runs only when this file can change what it links. A file's own rows were
    # linked as they were written; the passes below relink the *other* rows of the claims it
    # touched: claims (837s) give orphan payments, earlier statuses and ERP rows their claim and
    # payer sequence; claim payments (835s) give ERP postings and reversals their payment.
    # Skipping them saved ~25 ms per acknowledgment or remit file on a 1M-claim store.
    claims, remits = parsed.claims is not None, parsed.remittance is not None
    if claims:
        links.link_remits_to_claims(conn)
    if claims or remits:
        links.fill_payer_sequence(conn)
    for text_ in links.link_acks(conn, ack_ids, submission_ids):
        code, _, message = text_.partition(": ")
        result.warnings.append(_warn(conn, file_id, code, message, "ack_set", None))
    if claims:
        links.link_statuses(conn, skip_file_id=file_id)
        links.link_erp_claims(conn)
    if remits:
        links.link_postings(conn)
    for reversal_id, candidates in links.link_reversals(conn) if claims or remits else ():
        result.warnings.append(
            _warn(
                conn,
                file_id,
                "ambiguous_link",
                f"reversal claim payment #{reversal_id} matches {candidates} adjudications "
                "produced the same day; linked to the last in file order",
                "claim_payment",
                str(reversal_id),
            )
        )
    if affected:
        from rcmwatch.ingest.invalidation import mark_affected_days

        mark_affected_days(conn, reason=f"file #{file_id}")
    return result


def _affected_pcns(parsed: ParsedX12) -> set[str]:
    """Patient control numbers of the claims the file names: its 837 claims, its 277CA
    claim-level statuses and its 835 claim payments."""
    pcns: set[str] = set()
    if parsed.claims is not None:
        pcns.update(parsed.claims.claims["patient_control_number"].drop_nulls().to_list())
    if parsed.statuses is not None:
        claim_level = parsed.statuses.statuses.filter(
            pl.col("line_number").is_null() & (pl.col("hl_level") == "PT")
        )
        pcns.update(claim_level["patient_control_number"].drop_nulls().to_list())
    if parsed.remittance is not None:
        pcns.update(parsed.remittance.claims["patient_control_number"].drop_nulls().to_list())
    return pcns


def _raise_unbalanced_remit(conn, file_id: int, remit_id: int, received_at: datetime) -> str:
    remit = conn.execute(
        select(
            RemitTransaction.seq,
            RemitTransaction.trace_number,
            RemitTransaction.payer_id,
            RemitTransaction.payment,
            RemitTransaction.imbalance,
        ).where(RemitTransaction.id == remit_id)
    ).one()
    from rcmwatch.store.models import InboundFile

    sha = conn.scalar(select(InboundFile.sha256).where(InboundFile.id == file_id))
    subject_key = f"{sha[:16]}:{remit.seq}"
    opened = received_at.astimezone(UTC)
    conn.execute(
        insert(WorkItem).values(
            source="rcmwatch",
            source_key=f"unbalanced_remit:{subject_key}",
            type="unbalanced_remit",
            stage="posting",
            exception_type="remit_out_of_balance",
            subject_type="remit_transaction",
            subject_key=subject_key,
            payer_id=remit.payer_id,
            amount=remit.payment,
            opened_at=opened,
            due_at=opened + UNBALANCED_REMIT_DUE,
            status="open",
        )
    )
    return _warn(
        conn,
        file_id,
        "unbalanced_remit",
        f"835 transaction {remit.seq} (trace {remit.trace_number}) is off by "
        f"{remit.imbalance} : stored, never auto-postable, posting work item opened",
        "remit_transaction",
        subject_key,
    )
