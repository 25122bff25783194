"""Links that make a claim's story (KPI.md), resolved whenever either side arrives.

Every pass is restricted to the claims a file touched (the *affected* patient control numbers,
kept in a temporary table for the transaction, marked before the file's rows are written), so a
file costs work in proportion to its own size, not the store's. Passes are set-based SQL, or read
the affected rows and choose in Polars where a rule needs ordering (claim facts, status links).
A file's own rows are linked as they are written (:func:`derive`, :func:`status_links`); the
passes rewrite other rows only where a link changes. Ties are broken on natural keys (file
content hash, sequence numbers), never on surrogate ids, so any arrival order gives the same
links; a tie is also recorded as an ``ambiguous_link`` warning — a pick is never silent.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl
from sqlalchemy import Connection, text

from rcmwatch.store import bulk

AFFECTED = "_rcmw_affected_pcn"


def mark_affected(conn: Connection, pcns: Iterable[str]) -> int:
    conn.execute(text(f'CREATE TEMPORARY TABLE IF NOT EXISTS "{AFFECTED}" (pcn VARCHAR(38))'))
    conn.execute(text(f'DELETE FROM "{AFFECTED}"'))
    rows = sorted({p for p in pcns if p})
    if rows:
        # COPY / raw executemany: bound-parameter inserts cost 5 s for a 100,000-claim file
        # on PostgreSQL.
        bulk.insert_temp(conn, AFFECTED, pl.DataFrame({"pcn": rows}, schema={"pcn": pl.String}))
    if conn.dialect.name == "postgresql":
        # Temporary tables have no statistics until analysed: without them the planner guesses
        # a size and picks nested loops over 100,000 pcns.
        conn.execute(text(f'ANALYZE "{AFFECTED}"'))
    return len(rows)


def link_remits_to_claims(conn: Connection) -> None:
    """835 → claim by patient control number (CLP01 = CLM01), for the affected pcns; payments
    already pointing there are not rewritten (a row version each on PostgreSQL). Claims are
    never deleted, so a payment whose claim has not arrived keeps a null claim id."""
    differs = "IS DISTINCT FROM" if conn.dialect.name == "postgresql" else "IS NOT"
    conn.execute(
        text(
            f"""
            UPDATE claim_payment SET claim_id = c.id FROM claim c
             WHERE c.pcn = claim_payment.pcn
               AND claim_payment.pcn IN (SELECT pcn FROM "{AFFECTED}")
               AND claim_payment.claim_id {differs} c.id
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


# --- claims -------------------------------------------------------------------------------

# The affected claims' versions with their submission and file (natural keys for ordering).
_AFFECTED_VERSIONS = f"""
      FROM claim c
      JOIN claim_version v ON v.claim_id = c.id
      JOIN submission s ON s.id = v.submission_id
      JOIN inbound_file f ON f.id = s.inbound_file_id
     WHERE c.pcn IN (SELECT pcn FROM "{AFFECTED}")
"""
_VERSIONS = f"""
    SELECT c.id AS claim_id, v.id AS version_id, v.frequency_code, v.facility_id, v.payer_id,
           v.patient_id, v.service_from, s.submitted_at, s.is_test, s.claim_type, s.id AS sub_id,
           f.sha256 AS file_key, s.seq AS sub_seq, v.seq AS version_seq,
           v.replaces_version_id AS replaces_was
{_AFFECTED_VERSIONS}"""

_VERSION_TYPES = {
    "claim_id": pl.Int64, "version_id": pl.Int64, "frequency_code": pl.String,
    "facility_id": pl.Int64, "payer_id": pl.Int64, "patient_id": pl.Int64,
    "claim_type": pl.String, "sub_id": pl.Int64, "file_key": pl.String, "sub_seq": pl.Int64,
    "version_seq": pl.Int64, "replaces_was": pl.Int64,
}  # fmt: skip


def stored_versions(conn: Connection) -> pl.DataFrame:
    """Every stored version of the affected claims, in :func:`derive`'s columns."""
    frame = bulk.query_frame(conn, _VERSIONS, _VERSION_TYPES)
    return frame.with_columns(
        _utc(frame, "submitted_at"),
        pl.col("is_test").cast(pl.Boolean),
        _date(frame, "service_from"),
    )


def derive(versions: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Claim-level facts from all versions of each claim (KPI.md §1): first submission = the
    earliest original (frequency 1) — its date is the KPI's submission date; facility, payer,
    patient and service date from it (else from the latest version); void date = the earliest
    void (frequency 8); test = no production submission at all. Replacements and voids point at
    the version they replace (the latest earlier one).

    ``versions``: :data:`_VERSIONS`' columns. Returns (claim rows keyed by ``id``, versions'
    ``id`` + ``replaces_version_id``). Earlier = by submission time, then the file's hash, then
    set and claim position: arrival order never decides."""
    frame = versions.sort("claim_id", "submitted_at", "file_key", "sub_seq", "version_seq")
    originals = frame.filter(pl.col("frequency_code") == "1").group_by("claim_id").first()
    latest = frame.group_by("claim_id").last()
    voids = (
        frame.filter(pl.col("frequency_code") == "8")
        .group_by("claim_id")
        .agg(pl.col("submitted_at").first().alias("voided_at"))
    )
    tests = frame.group_by("claim_id").agg(pl.col("is_test").all().alias("is_test"))
    source = latest.join(originals, on="claim_id", how="left", suffix="_orig")
    pick = lambda c: pl.coalesce(f"{c}_orig", c).alias(c)  # noqa: E731 - local shorthand
    claims = (
        source.select(
            pl.col("claim_id").alias("id"),
            pl.col("sub_id_orig").alias("first_submission_id"),
            pl.col("submitted_at_orig").alias("first_submitted_at"),
            pick("facility_id"),
            pick("payer_id"),
            pick("patient_id"),
            pick("service_from"),
            pick("claim_type"),
        )
        .join(voids, left_on="id", right_on="claim_id", how="left")
        .join(tests, left_on="id", right_on="claim_id", how="left")
    )
    replaced = frame.select(
        pl.col("version_id").alias("id"),
        pl.when(pl.col("frequency_code").is_in(["7", "8"]))
        .then(pl.col("version_id").shift(1).over("claim_id"))
        .alias("replaces_version_id"),
    )
    return _typed(claims), replaced


def derive_claims(conn: Connection) -> None:
    """:func:`derive` over the store's versions of the affected claims, written back where it
    changed (the 837 writer derives its own claims as it writes; this is for the rest)."""
    from rcmwatch.store.models import Claim, ClaimVersion

    frame = stored_versions(conn)
    if frame.height == 0:
        return
    claims, replaced = derive(frame)
    bulk.update_from_frame(conn, Claim.__table__, claims)
    changed = replaced.join(
        frame.select(pl.col("version_id").alias("id"), "replaces_was"), on="id"
    ).filter(pl.col("replaces_version_id").ne_missing(pl.col("replaces_was")))
    bulk.update_from_frame(
        conn, ClaimVersion.__table__, changed.select("id", "replaces_version_id")
    )


def _date(frame, name: str):
    """SQLite gives dates as text, PostgreSQL as dates."""
    if frame.schema[name] == pl.Date:
        return pl.col(name)
    return pl.col(name).cast(pl.String).str.to_date(strict=False).alias(name)


def _typed(frame):
    return frame.with_columns(
        _utc(frame, name) for name in ("first_submitted_at", "voided_at") if name in frame.columns
    )


def _utc(frame, name: str):
    """Raw SQL gives SQLite times as text and PostgreSQL times as datetimes: UTC datetimes."""
    dtype = frame.schema[name]
    col = pl.col(name)
    if isinstance(dtype, pl.Datetime):
        if dtype.time_zone:
            return col.dt.convert_time_zone("UTC")
        return col.dt.replace_time_zone("UTC")
    if dtype == pl.Null:
        return col.cast(pl.Datetime("us", "UTC"))
    return col.cast(pl.String).str.to_datetime(time_zone="UTC", strict=False).alias(name)


# --- 999 ----------------------------------------------------------------------------------

ACK_WINDOW_DAYS = 30


def link_acks(conn: Connection, new_ack_ids: list[int], new_submission_ids: list[int]) -> list[str]:
    """999 → 837 (KPI.md §1): sender/receiver swapped (ISA06/ISA08 and GS02/GS03), GS06 =
    AK1-02 and ST02 = AK2-02, the nearest such 837 group at or before the 999 (by GS04/GS05),
    within 30 days. A group-level answer (no AK2) links every set of that group. Several equally
    near candidates: ``ambiguous`` — a warning, no pick. Returns warning texts.

    Only answers whose candidates can have changed are looked at: this file's own, and earlier
    ones that this file's 837 sets could answer — one query, however many are pending."""
    from datetime import timedelta

    if not new_ack_ids and not new_submission_ids:
        return []
    _ids_table(conn, "_rcmw_new_ack", new_ack_ids)
    _ids_table(conn, "_rcmw_new_sub", new_submission_ids)
    match = (
        "s.gs_control = a.ak1_group_control "
        "AND s.interchange_sender = a.interchange_receiver "
        "AND s.interchange_receiver = a.interchange_sender "
        "AND (a.gs_sender IS NULL OR s.gs_receiver = a.gs_sender) "
        "AND (a.gs_receiver IS NULL OR s.gs_sender = a.gs_receiver) "
        "AND (a.ak2_set_control IS NULL OR s.st_control = a.ak2_set_control)"
    )
    rows = conn.execute(
        text(
            "SELECT a.id AS ack_id, a.ak1_functional_id, a.ak1_group_control, "
            "a.ak2_set_control, a.acknowledged_at, s.id AS sub_id, s.gs_at, "
            "s.inbound_file_id, s.interchange_control "
            f"FROM ack_set a LEFT JOIN submission s ON {match} "
            "WHERE a.id IN (SELECT id FROM _rcmw_new_ack) OR a.id IN ("
            f"  SELECT a.id FROM ack_set a JOIN submission s ON {match} "
            "  WHERE s.id IN (SELECT id FROM _rcmw_new_sub))"
        )
    ).all()
    by_ack: dict[int, list] = {}
    for row in rows:
        by_ack.setdefault(row.ack_id, []).append(row)
    warnings: list[str] = []
    links: list[dict] = []
    statuses: dict[int, str] = {}
    for ack_id, cands in by_ack.items():
        ack = cands[0]
        if ack.ak1_functional_id not in (None, "HC"):
            statuses[ack_id] = "not_claims"  # a 999 for something other than 837s
            continue
        at = _aware(ack.acknowledged_at)
        usable = []
        for c in cands:
            if c.sub_id is None:
                continue
            gs_at = _aware(c.gs_at)
            too_late_or_old = (
                at is not None
                and gs_at is not None
                and (gs_at > at or gs_at < at - timedelta(days=ACK_WINDOW_DAYS))
            )
            if not too_late_or_old:
                usable.append((gs_at, c))
        if not usable:
            statuses[ack_id] = "pending"
            continue
        nearest = max((g for g, _ in usable if g is not None), default=None)
        best = [c for g, c in usable if g == nearest]
        groups = {(c.inbound_file_id, c.interchange_control) for c in best}
        if len(groups) > 1 or (ack.ak2_set_control is not None and len(best) > 1):
            statuses[ack_id] = "ambiguous"
            warnings.append(
                f"ambiguous_link: 999 answer #{ack_id} (group {ack.ak1_group_control}, set "
                f"{ack.ak2_set_control or 'all'}) matches {len(best)} equally near 837 sets"
            )
            continue
        statuses[ack_id] = "linked"
        links.extend({"ack_set_id": ack_id, "submission_id": c.sub_id} for c in best)
    if not statuses:
        return warnings
    _ids_table(conn, "_rcmw_ack_done", list(statuses))
    conn.execute(text("DELETE FROM ack_link WHERE ack_set_id IN (SELECT id FROM _rcmw_ack_done)"))
    if links:
        conn.execute(
            text(
                "INSERT INTO ack_link (ack_set_id, submission_id) "
                "VALUES (:ack_set_id, :submission_id)"
            ),
            links,
        )
    by_status: dict[str, list[dict]] = {}
    for ack_id, status in statuses.items():
        by_status.setdefault(status, []).append({"id": ack_id})
    for status, ids in by_status.items():
        conn.execute(text(f"UPDATE ack_set SET link_status = '{status}' WHERE id = :id"), ids)
    return warnings


def _ids_table(conn: Connection, name: str, ids: list[int]) -> None:
    """A temporary one-column table of ids for this transaction's joins."""
    conn.execute(text(f'CREATE TEMPORARY TABLE IF NOT EXISTS "{name}" (id BIGINT)'))
    conn.execute(text(f'DELETE FROM "{name}"'))
    if ids:
        bulk.insert_temp(conn, name, pl.DataFrame({"id": ids}, schema={"id": pl.Int64}))


def _aware(value):
    from datetime import UTC, datetime

    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# --- 277CA --------------------------------------------------------------------------------


_STATUS_ROWS = f"""
    SELECT cs.id, cs.pcn, cs.batch_reference, cs.reported_at, cs.claim_id, cs.submission_id
      FROM claim_status cs
     WHERE cs.hl_level = 'PT' AND cs.pcn IN (SELECT pcn FROM "{AFFECTED}")
       AND cs.inbound_file_id <> {{skip_file}}
"""
_STATUS_TYPES = {
    "id": pl.Int64, "pcn": pl.String, "batch_reference": pl.String, "claim_id": pl.Int64,
    "submission_id": pl.Int64,
}  # fmt: skip
_AFFECTED_CLAIMS = (
    f'SELECT id AS claim_id, pcn FROM claim WHERE pcn IN (SELECT pcn FROM "{AFFECTED}")'
)
_STATUS_SUBMISSIONS = f"""
    SELECT DISTINCT v.claim_id, s.id AS submission_id, s.bht_reference, s.submitted_at,
           s.interchange_control, s.st_control, f.sha256 AS file_key, s.seq AS sub_seq
{_AFFECTED_VERSIONS}"""
_SUBMISSION_TYPES = {
    "claim_id": pl.Int64, "submission_id": pl.Int64, "bht_reference": pl.String,
    "interchange_control": pl.String, "st_control": pl.String, "file_key": pl.String,
    "sub_seq": pl.Int64,
}  # fmt: skip


def affected_claim_ids(conn: Connection) -> pl.DataFrame:
    """(claim_id, pcn) of the affected claims already in the store."""
    return bulk.query_frame(conn, _AFFECTED_CLAIMS, {"claim_id": pl.Int64, "pcn": pl.String})


def status_links(conn: Connection, statuses: pl.DataFrame) -> pl.DataFrame:
    """``statuses`` (id, pcn, batch_reference, reported_at) with the ``claim_id`` and
    ``submission_id`` they link to, from the store's affected claims (:func:`mark_affected`).

    Claim-level rows → claim (TRN*2 = patient control number) and submission: the one named by
    the receiver-level TRN*2 (the 837's BHT03) holding a version of the claim, else the latest
    submission of the claim at or before the 277CA. Latest = by submission time, then ISA13,
    then ST02, then the file's hash and set position: an exact tie is still decided by content,
    never by arrival order.

    Chosen in Polars: the same rule as two correlated subqueries per status row, which
    PostgreSQL took 7 s over for a 100,000-claim 277CA. A row without a pcn links to nothing."""
    claims = affected_claim_ids(conn)
    subs = bulk.query_frame(conn, _STATUS_SUBMISSIONS, _SUBMISSION_TYPES)
    subs = subs.with_columns(_utc(subs, "submitted_at")).sort(
        "submitted_at", "interchange_control", "st_control", "file_key", "sub_seq",
        descending=True, nulls_last=True,
    ).with_columns(pl.int_range(pl.len()).alias("_rank"))  # fmt: skip
    keyed = (
        statuses.select("id", "pcn", "batch_reference", _utc(statuses, "reported_at"))
        .join(claims, on="pcn", how="inner")
    )  # fmt: skip

    def first(candidates: pl.DataFrame, name: str) -> pl.DataFrame:
        return (
            candidates.sort("_rank")
            .group_by("id", maintain_order=True)
            .agg(pl.col("submission_id").first().alias(name))
        )

    named = first(
        keyed.join(
            subs,
            left_on=["claim_id", "batch_reference"],
            right_on=["claim_id", "bht_reference"],
            how="inner",
        ),
        "named",
    )
    earlier = first(
        keyed.join(subs, on="claim_id", how="inner").filter(
            pl.col("submitted_at") <= pl.col("reported_at")
        ),
        "earlier",
    )
    links = (
        keyed.select("id", "claim_id")
        .join(named, on="id", how="left")
        .join(earlier, on="id", how="left")
        .select(
            "id",
            pl.col("claim_id").cast(pl.Int64),
            pl.coalesce("named", "earlier").cast(pl.Int64).alias("submission_id"),
        )
    )
    return statuses.drop("claim_id", "submission_id", strict=False).join(links, on="id", how="left")


def link_statuses(conn: Connection, *, skip_file_id: int = 0) -> None:
    """Relink the affected claims' stored claim-level statuses (:func:`status_links`) — those
    of earlier files: a new 837 (or claim) can change what they point at. ``skip_file_id``:
    the file being ingested, whose own rows were linked as they were written. Only rows whose
    link changes are rewritten."""
    from rcmwatch.store.models import ClaimStatus

    stored = bulk.query_frame(conn, _STATUS_ROWS.format(skip_file=int(skip_file_id)), _STATUS_TYPES)
    if stored.height == 0:
        return
    relinked = status_links(conn, stored.drop("claim_id", "submission_id"))
    changed = relinked.join(
        stored.select("id", "claim_id", "submission_id"), on="id", suffix="_was"
    )
    changed = changed.filter(
        pl.col("claim_id").ne_missing(pl.col("claim_id_was"))
        | pl.col("submission_id").ne_missing(pl.col("submission_id_was"))
    )
    bulk.update_from_frame(
        conn, ClaimStatus.__table__, changed.select("id", "claim_id", "submission_id")
    )


# --- ERP postings ---------------------------------------------------------------------------

_POSTING_LINK = """
    UPDATE posting SET claim_payment_id = (
        SELECT cp.id FROM claim_payment cp
          JOIN remit_transaction rt ON rt.id = cp.remit_transaction_id
         WHERE cp.pcn = posting.pcn
           AND rt.trace_number = posting.remit_trace_number
           AND cp.is_reversal = (posting.kind = 'reversal')
         ORDER BY cp.seq LIMIT 1)
    WHERE claim_payment_id IS NULL
      AND remit_trace_number IS NOT NULL
      AND kind IN ('payment', 'adjustment', 'reversal', 'takeback')
      AND {restrict}
"""


def link_postings(conn: Connection) -> None:
    """ERP postings → the 835 claim payment they post: same patient control number and remit
    trace number (TRN02); a reversal posting posts the reversal loop. Either side may arrive
    first (ingest calls this for the claims a file touched, collectors for new postings)."""
    conn.execute(text(_POSTING_LINK.format(restrict=f'pcn IN (SELECT pcn FROM "{AFFECTED}")')))


def _for_source_keys(conn: Connection, sql: str, source: str, keys: list[str]) -> None:
    """Run ``sql`` (its ``{restrict}`` filled) for the rows of ``source`` with these keys, in
    chunks of 500 bound parameters."""
    for i in range(0, len(keys), 500):
        chunk = keys[i : i + 500]
        marks = ", ".join(f":k{j}" for j in range(len(chunk)))
        params = {f"k{j}": key for j, key in enumerate(chunk)} | {"source": source}
        restrict = f"source = :source AND source_key IN ({marks})"
        conn.execute(text(sql.format(restrict=restrict)), params)


def link_postings_by_source_keys(conn: Connection, source: str, keys: list[str]) -> None:
    _for_source_keys(conn, _POSTING_LINK, source, keys)


# ERP records name their claim by patient control number (claim.pcn is unique). Either side may
# arrive first: ingest links the ERP rows of the claims a file touched, collectors the rows they
# just wrote. Without the link the A/R roll-back to a period end cannot see later activity.
ERP_CLAIM_TABLES = ("receivable", "posting", "write_off", "payment")
_ERP_CLAIM_LINK = """
    UPDATE {table} SET claim_id = (SELECT c.id FROM claim c WHERE c.pcn = {table}.pcn)
    WHERE claim_id IS NULL AND pcn IS NOT NULL AND {restrict}
"""


def link_erp_claims(conn: Connection) -> None:
    """ERP receivables, postings, write-offs and payments → their claim, for affected PCNs."""
    for table in ERP_CLAIM_TABLES:
        sql = _ERP_CLAIM_LINK.replace("{table}", table)
        conn.execute(text(sql.format(restrict=f'pcn IN (SELECT pcn FROM "{AFFECTED}")')))


def link_erp_claims_by_source_keys(
    conn: Connection, table: str, source: str, keys: list[str]
) -> None:
    if table in ERP_CLAIM_TABLES:
        sql = _ERP_CLAIM_LINK.replace("{table}", table)
        _for_source_keys(conn, sql, source, keys)
