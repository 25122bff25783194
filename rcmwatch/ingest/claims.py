"""837 frames (``collectors.edi`` claim layout) → submissions, patients, claims and their versions.

- One *submission* per 837 transaction set; ``submitted_at`` = BHT04/BHT05, else GS04/GS05.
- One *claim* per patient control number; every CLM loop is a *claim version* (frequency 1
  original, 7 replacement, 8 void) of it. Claim-level facts (first submission, facility, payer,
  void date) are derived by the linker from all versions, so arrival order does not matter.
- *Patients* get a pseudonymous key from the payer and member id (plus, for a dependant who has
  no member id of their own, relationship, birth date and first name under the subscriber's id) —
  never from name and birth date alone, so duplicate patients stay detectable. Names, birth
  dates and member ids go to ``patient_phi`` only.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

import polars as pl
from sqlalchemy import Connection, select

from rcmwatch.ingest import links, payers
from rcmwatch.store import bulk
from rcmwatch.store.models import (
    Claim,
    ClaimLine,
    ClaimOtherPayer,
    ClaimVersion,
    Diagnosis,
    FacilityNpi,
    InboundFile,
    Patient,
    PatientPhi,
    Payer,
    Submission,
)

# SBR01 → payer sequence (A..H are the 4th..11th payers).
PAYER_SEQUENCE = {"P": "primary", "S": "secondary", "T": "tertiary"} | {
    code: "other" for code in "ABCDEFGHU"
}


@dataclass
class ClaimWrite:
    submissions: int
    claim_versions: int
    submission_ids: list[int]


def x12_datetime(day: str | None, time: str | None) -> datetime | None:
    """CCYYMMDD (+ HHMM[SS]) as UTC (the store keeps UTC; X12 carries no zone)."""
    if not day:
        return None
    digits = (time or "").strip()[:6]
    digits = digits + "0" * (6 - len(digits)) if digits else "000000"
    try:
        return datetime.strptime(day.strip()[:8] + digits, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def _datetime_column(day_col: str, time_col: str) -> pl.Expr:
    """A date column (``pl.Date``, or CCYYMMDD text) and an HHMM[SS] time column → UTC."""
    digits = (
        pl.col(time_col).cast(pl.String).fill_null("").str.strip_chars().str.slice(0, 6)
    ).str.pad_end(6, "0")
    day = pl.col(day_col)
    text = (
        day.cast(pl.Date, strict=False)
        .dt.strftime("%Y%m%d")
        .fill_null(day.cast(pl.String).str.strip_chars().str.slice(0, 8))
    )
    parsed = (text + digits).str.strptime(pl.Datetime("us"), "%Y%m%d%H%M%S", strict=False)
    return parsed.dt.replace_time_zone("UTC")


def patient_key(payer_code: str, member_id: str, dependant: str = "") -> str:
    digest = hashlib.sha256(f"member|{payer_code}|{member_id}|{dependant}".encode())
    return digest.hexdigest()[:32]


def _rank(column: str) -> pl.Expr:
    return pl.col(column).rank("ordinal").cast(pl.Int64)


def write_claims(
    conn: Connection, *, file_id: int, received_at: datetime, frames
) -> tuple[ClaimWrite, list[str]]:
    tx = frames.transactions.sort("transaction_index")
    claims = frames.claims.sort("claim_index")
    if tx.height == 0:
        return ClaimWrite(0, 0, []), []
    subs = _write_submissions(conn, file_id, received_at, tx)
    if claims.height == 0:
        return ClaimWrite(subs.height, 0, subs["id"].to_list()), []
    claims, codes = _with_payers(conn, claims)
    claims = _with_patients(conn, claims, codes)
    claims, versions = _write_claims_and_versions(conn, file_id, tx, subs, claims)
    version_ids = claims.select("claim_index").with_columns(
        versions["id"].alias("claim_version_id")
    )
    _write_claim_details(conn, frames, version_ids)
    return ClaimWrite(subs.height, versions.height, subs["id"].to_list()), []


def _write_submissions(
    conn: Connection, file_id: int, received_at: datetime, tx: pl.DataFrame
) -> pl.DataFrame:
    """One submission per 837 transaction set; returns them with their ids."""
    gs_at = _datetime_column("group_date", "group_time")
    bht_at = _datetime_column("bht_date", "bht_time")
    subs = bulk.with_ids(
        conn,
        Submission.__table__,
        tx.select(
            pl.lit(file_id, dtype=pl.Int64).alias("inbound_file_id"),
            _rank("transaction_index").alias("seq"),
            pl.col("interchange_sender_id").fill_null("").alias("interchange_sender"),
            pl.col("interchange_receiver_id").fill_null("").alias("interchange_receiver"),
            pl.col("interchange_control_number").fill_null("").alias("interchange_control"),
            pl.col("is_test").fill_null(False),
            pl.col("group_sender_id").fill_null("").alias("gs_sender"),
            pl.col("group_receiver_id").fill_null("").alias("gs_receiver"),
            pl.col("group_control_number").fill_null("").alias("gs_control"),
            gs_at.alias("gs_at"),
            pl.col("transaction_control_number").fill_null("").alias("st_control"),
            pl.col("implementation"),
            pl.col("bht_reference"),
            # KPI.md: submission date = BHT04, else GS04; never unknown (landing time last).
            pl.coalesce(bht_at, gs_at, pl.lit(received_at).cast(pl.Datetime("us", "UTC"))).alias(
                "submitted_at"
            ),
            pl.col("claim_type").fill_null("P"),
            pl.col("claim_count").fill_null(0).cast(pl.Int64),
        ),
    )
    bulk.insert_frame(conn, Submission.__table__, subs)
    return subs


def _with_payers(conn: Connection, claims: pl.DataFrame) -> tuple[pl.DataFrame, dict[int, str]]:
    """Claims with their payer (2010BB NM109; unknown payer ids are added); payer codes by id."""
    # Resolved once per distinct (id, name): a 100,000-claim file names a few payers, and
    # resolving per claim cost ~0.35 s. First-seen order is kept, which is the order resolve
    # would have met them in.
    pairs = claims.select("payer_id", "payer_name").unique(maintain_order=True)
    payer_ids = payers.resolve(
        conn,
        [[("payer_id", v)] for v in pairs["payer_id"].to_list()],
        pairs["payer_name"].to_list(),
    )
    pairs = pairs.with_columns(pl.Series("payer_ref", payer_ids, dtype=pl.Int64))
    codes = dict(conn.execute(select(Payer.id, Payer.code)).all())
    claims = claims.join(
        pairs, on=["payer_id", "payer_name"], how="left", nulls_equal=True, maintain_order="left"
    )
    return claims, codes


def _with_patients(conn: Connection, claims: pl.DataFrame, codes: dict[int, str]) -> pl.DataFrame:
    """Claims with their patient (``patient_ref``); new patients and their PHI written."""
    patients = _patients(claims, codes)
    keys = patients.select("patient_key", "key_kind", "source")
    ids, written = bulk.store_missing(conn, Patient.__table__, keys, ["patient_key"])
    patients = patients.join(ids, on="patient_key", how="left")
    # PHI is written once, by the file that stored the patient.
    new_phi = patients.join(written.select("patient_key"), on="patient_key", how="semi").unique(
        subset=["patient_key"], keep="first", maintain_order=True
    )
    bulk.insert_frame(
        conn,
        PatientPhi.__table__,
        new_phi.select(
            pl.col("id").alias("patient_id"),
            pl.col("member_id"),
            pl.col("payer_ref").alias("member_payer_id"),
            "last_name",
            "first_name",
            "birth_date",
            "sex",
        ),
    )
    return claims.join(
        patients.select("claim_index", pl.col("id").alias("patient_ref")),
        on="claim_index",
        how="left",
    )


def _write_claims_and_versions(
    conn: Connection, file_id: int, tx: pl.DataFrame, subs: pl.DataFrame, claims: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One claim per pcn and every CLM loop as a version of it; returns (claims with their
    ``claim_id``, versions with their ids), row for row."""
    claims = claims.filter(pl.col("patient_control_number").is_not_null())
    sub_facts = tx.select("transaction_index").with_columns(
        subs.select(
            pl.col("id").alias("submission_id"),
            pl.col("seq").alias("sub_seq"),
            "submitted_at",
            "is_test",
            "claim_type",
        )
    )
    claims = claims.join(sub_facts, on="transaction_index", how="left")
    # Claims new to the store get their ids now and are written once, with the facts derived
    # from their versions; claims already stored are re-derived from all their versions.
    known = bulk.ids_for_keys(
        conn, Claim.__table__, claims.select(pl.col("patient_control_number").alias("pcn")), ["pcn"]
    )
    fresh = known.filter(pl.col("id").is_null()).select("pcn")
    fresh = fresh.with_columns(
        pl.Series("id", bulk.allocate_ids(conn, Claim.__table__, fresh.height), dtype=pl.Int64)
    )
    claim_ids = pl.concat([known.filter(pl.col("id").is_not_null()), fresh.select("pcn", "id")])
    claims = claims.join(
        claim_ids.rename({"pcn": "patient_control_number", "id": "claim_id"}),
        on="patient_control_number",
        how="left",
    )
    npi_map = dict(conn.execute(select(FacilityNpi.npi, FacilityNpi.facility_id)).all())
    facility = pl.coalesce(
        pl.col("service_facility_npi").replace_strict(npi_map, default=None, return_dtype=pl.Int64),
        pl.col("billing_npi").replace_strict(npi_map, default=None, return_dtype=pl.Int64),
    )
    claims = claims.with_columns(
        pl.int_range(1, pl.len() + 1).over("transaction_index", order_by="claim_index").alias("seq")
    )
    versions = bulk.with_ids(
        conn,
        ClaimVersion.__table__,
        claims.select(
            "claim_id",
            "submission_id",
            "seq",
            pl.col("frequency_code").fill_null("1"),
            "original_payer_claim_number",
            pl.col("charge_cents").fill_null(0),
            "facility_code",
            "billing_npi",
            "billing_tax_id",
            "pay_to_npi",
            "service_facility_npi",
            facility.alias("facility_id"),
            pl.col("payer_ref").alias("payer_id"),
            pl.col("payer_responsibility")
            .replace_strict(PAYER_SEQUENCE, default=None, return_dtype=pl.String)
            .alias("payer_sequence"),
            pl.col("patient_ref").alias("patient_id"),
            "subscriber_relationship",
            pl.col("service_date_from").alias("service_from"),
            pl.col("service_date_to").alias("service_to"),
        ),
    )
    file_key = conn.scalar(select(InboundFile.sha256).where(InboundFile.id == file_id))
    mine = versions.select(
        "claim_id",
        pl.col("id").alias("version_id"),
        "frequency_code",
        "facility_id",
        "payer_id",
        "patient_id",
        pl.col("service_from").cast(pl.Date),
        claims.get_column("submitted_at"),
        claims.get_column("is_test").fill_null(False),
        claims.get_column("claim_type"),
        pl.col("submission_id").alias("sub_id"),
        pl.lit(file_key, dtype=pl.String).alias("file_key"),
        claims.get_column("sub_seq"),
        pl.col("seq").alias("version_seq"),
        pl.lit(None, dtype=pl.Int64).alias("replaces_was"),
    )
    stored = links.stored_versions(conn)  # read before this file's versions are written
    derived, replaced = links.derive(pl.concat([stored, mine], how="diagonal_relaxed"))
    fresh_rows = derived.join(fresh, on="id", how="inner")
    conflicted = _insert_fresh_claims(conn, fresh_rows)
    if conflicted.height:
        # Another ingest stored some of these claims meanwhile (PostgreSQL): point this file's
        # versions at the stored claims and derive those from everything once written.
        remap = conflicted.rename({"pcn": "patient_control_number", "id": "stored_id"})
        claims = claims.join(remap, on="patient_control_number", how="left").with_columns(
            pl.coalesce("stored_id", "claim_id").alias("claim_id")
        )
        versions = versions.with_columns(claims.get_column("claim_id"))
    bulk.update_from_frame(conn, Claim.__table__, derived.join(fresh, on="id", how="anti"))
    bulk.insert_frame(conn, ClaimVersion.__table__, versions)
    # Replacement pointers after the insert (a replaced version may come later in the file);
    # stored versions' pointers only where a version of this file slid in between.
    was = pl.concat(
        [stored.select("version_id", "replaces_was"), mine.select("version_id", "replaces_was")]
    )
    moved = replaced.join(was.rename({"version_id": "id"}), on="id").filter(
        pl.col("replaces_version_id").ne_missing(pl.col("replaces_was"))
    )
    bulk.update_from_frame(conn, ClaimVersion.__table__, moved.select("id", "replaces_version_id"))
    if conflicted.height:
        links.derive_claims(conn)

    return claims, versions


def _write_claim_details(conn: Connection, frames, version_ids: pl.DataFrame) -> None:
    """Service lines, diagnoses and other payers of the written versions."""
    lines = frames.service_lines.join(version_ids, on="claim_index", how="inner")
    modifiers = pl.concat_str(
        [pl.col(f"modifier_{i}") for i in range(1, 5)], separator=",", ignore_nulls=True
    )
    bulk.insert_frame(
        conn,
        ClaimLine.__table__,
        bulk.with_ids(
            conn,
            ClaimLine.__table__,
            lines.with_columns(
                pl.int_range(1, pl.len() + 1)
                .over("claim_index", order_by="line_index")
                .alias("line_number")
            ).select(
                "claim_version_id",
                "line_number",
                "procedure_qualifier",
                "procedure_code",
                pl.when(modifiers == "").then(None).otherwise(modifiers).alias("modifiers"),
                "revenue_code",
                pl.col("charge_cents").fill_null(0),
                pl.col("units").cast(pl.Float64, strict=False),
                pl.col("service_date_from").alias("service_date"),
            ),
        ),
    )
    dx = frames.diagnoses.join(version_ids, on="claim_index", how="inner")
    bulk.insert_frame(
        conn,
        Diagnosis.__table__,
        bulk.with_ids(
            conn,
            Diagnosis.__table__,
            dx.select(
                "claim_version_id",
                pl.col("seq").cast(pl.Int64),
                pl.col("qualifier").fill_null(""),
                pl.col("code").fill_null(""),
                "present_on_admission",
            ),
        ),
    )
    others = frames.other_payers.join(version_ids, on="claim_index", how="inner")
    bulk.insert_frame(
        conn,
        ClaimOtherPayer.__table__,
        bulk.with_ids(
            conn,
            ClaimOtherPayer.__table__,
            others.select(
                "claim_version_id",
                pl.col("seq").cast(pl.Int64),
                pl.col("payer_responsibility")
                .replace_strict(PAYER_SEQUENCE, default=None, return_dtype=pl.String)
                .alias("payer_sequence"),
                "payer_name",
                pl.col("payer_id").alias("payer_identifier"),
                pl.col("paid_cents"),
            ),
        ),
    )


def _insert_fresh_claims(conn: Connection, rows: pl.DataFrame) -> pl.DataFrame:
    """Write claims new to the store with their derived facts. Returns (pcn, id) of those that
    another transaction stored first (PostgreSQL only: on SQLite the file's write transaction
    holds the database lock), whose rows here were not written."""
    written = bulk.insert_new(conn, Claim.__table__, rows, ["pcn"])
    lost = rows.join(written, on="pcn", how="anti").select("pcn")
    if lost.height == 0:
        return pl.DataFrame(schema={"pcn": pl.String, "id": pl.Int64})
    return bulk.ids_for_keys(conn, Claim.__table__, lost, ["pcn"])


def _patients(claims: pl.DataFrame, codes: dict[int, str]) -> pl.DataFrame:
    """One row per claim: who the patient is, keyed pseudonymously (:func:`patient_key`'s rule,
    in columns: a Python loop over rows cost 1 s per 100,000 claims)."""
    is_sub = pl.col("patient_is_subscriber").fill_null(True)
    member = pl.col("subscriber_member_id").fill_null("")
    dependant = pl.concat_str(
        pl.col("patient_relationship").fill_null(""),
        pl.col("patient_birth_date").dt.strftime("%Y-%m-%d").fill_null(""),
        pl.col("patient_first_name").fill_null("").str.to_uppercase(),
        separator="|",
    )
    pick = lambda name: (  # noqa: E731 - local shorthand
        pl.when(is_sub).then(pl.col(f"subscriber_{name}")).otherwise(pl.col(f"patient_{name}"))
    )
    code = pl.col("payer_ref").replace_strict(codes, default="", return_dtype=pl.String)
    # No member id at all: the claim's own control number keeps the patient apart.
    keyed_by = (
        pl.when(member == "")
        .then(pl.lit("pcn:") + pl.col("patient_control_number").fill_null("None"))
        .otherwise(member)
    )
    out = claims.select(
        pl.col("claim_index").cast(pl.Int64),
        pl.concat_str(
            pl.lit("member"),
            code.fill_null(""),
            keyed_by,
            pl.when(is_sub).then(pl.lit("")).otherwise(dependant),
            separator="|",
        ).alias("_key_text"),
        pl.when(member == "").then(pl.lit("source_id")).otherwise(pl.lit("member_id"))
        .alias("key_kind"),
        pl.lit("837").alias("source"),
        pl.col("subscriber_member_id").alias("member_id"),
        pl.col("payer_ref").cast(pl.Int64),
        pick("last_name").alias("last_name"),
        pick("first_name").alias("first_name"),
        pick("birth_date").cast(pl.Date).alias("birth_date"),
        pl.when(pick("sex") == "").then(None).otherwise(pick("sex").str.slice(0, 1)).alias("sex"),
    )  # fmt: skip
    keys = [
        hashlib.sha256(t.encode()).hexdigest()[:32] for t in out.get_column("_key_text").to_list()
    ]
    return out.select(
        "claim_index",
        pl.Series("patient_key", keys, dtype=pl.String),
        "key_kind",
        "source",
        "member_id",
        "payer_ref",
        "last_name",
        "first_name",
        "birth_date",
        "sex",
    )
