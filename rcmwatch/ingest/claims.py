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
from datetime import UTC, date, datetime

import polars as pl
from sqlalchemy import Connection, select

from rcmwatch.ingest import payers
from rcmwatch.store import bulk
from rcmwatch.store.models import (
    Claim,
    ClaimLine,
    ClaimOtherPayer,
    ClaimVersion,
    Diagnosis,
    FacilityNpi,
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
    pcns: list[str]


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
        return ClaimWrite(0, 0, [], []), []

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
    sub_ids = tx.select("transaction_index").with_columns(subs["id"].alias("submission_id"))
    if claims.height == 0:
        return ClaimWrite(subs.height, 0, subs["id"].to_list(), []), []

    # --- payers (2010BB NM109)
    payer_ids = payers.resolve(
        conn,
        [[("payer_id", v)] for v in claims["payer_id"].to_list()],
        claims["payer_name"].to_list(),
    )
    codes = dict(conn.execute(select(Payer.id, Payer.code)).all())
    claims = claims.with_columns(pl.Series("payer_ref", payer_ids, dtype=pl.Int64))

    # --- patients
    patients = _patients(claims, codes)
    keys = patients.select("patient_key", "key_kind", "source")
    before = bulk.ids_for_keys(conn, Patient.__table__, keys, ["patient_key"])
    new_keys = before.filter(pl.col("id").is_null()).select("patient_key")
    ids = bulk.insert_missing(conn, Patient.__table__, keys, ["patient_key"])
    patients = patients.join(ids, on="patient_key", how="left")
    # PHI is written once, by the file that first names the patient.
    new_phi = patients.join(new_keys, on="patient_key", how="semi").unique(
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
    claims = claims.join(
        patients.select("claim_index", pl.col("id").alias("patient_ref")),
        on="claim_index",
        how="left",
    )

    # --- claims (one per pcn) and versions
    claims = claims.filter(pl.col("patient_control_number").is_not_null())
    tx_test = tx.select("transaction_index", "is_test", "claim_type")
    claims = claims.join(tx_test, on="transaction_index", how="left").join(
        sub_ids, on="transaction_index", how="left"
    )
    claim_ids = bulk.insert_missing(
        conn,
        Claim.__table__,
        claims.select(
            pl.col("patient_control_number").alias("pcn"),
            pl.col("claim_type"),
            pl.col("is_test").fill_null(False),
        ),
        ["pcn"],
    )
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
    versions = bulk.with_ids(
        conn,
        ClaimVersion.__table__,
        claims.with_columns(
            pl.int_range(1, pl.len() + 1)
            .over("transaction_index", order_by="claim_index")
            .alias("seq")
        ).select(
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
    bulk.insert_frame(conn, ClaimVersion.__table__, versions)
    version_ids = claims.select("claim_index").with_columns(
        versions["id"].alias("claim_version_id")
    )

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
    pcns = claims["patient_control_number"].unique().to_list()
    return ClaimWrite(subs.height, versions.height, subs["id"].to_list(), pcns), []


def _patients(claims: pl.DataFrame, codes: dict[int, str]) -> pl.DataFrame:
    """One row per claim: who the patient is, keyed pseudonymously."""
    rows = []
    for r in claims.iter_rows(named=True):
        code = codes.get(r["payer_ref"], "") if r["payer_ref"] is not None else ""
        member = r["subscriber_member_id"] or ""
        is_sub = r["patient_is_subscriber"] is not False
        if is_sub:
            dependant = ""
            last, first = r["subscriber_last_name"], r["subscriber_first_name"]
            birth, sex = r["subscriber_birth_date"], r["subscriber_sex"]
        else:
            birth = r["patient_birth_date"]
            dependant = "|".join(
                [
                    r["patient_relationship"] or "",
                    birth.isoformat() if isinstance(birth, date) else "",
                    (r["patient_first_name"] or "").upper(),
                ]
            )
            last, first, sex = r["patient_last_name"], r["patient_first_name"], r["patient_sex"]
        if not member:
            # No member id at all: the claim's own control number keeps the patient apart.
            member, kind = f"pcn:{r['patient_control_number']}", "source_id"
        else:
            kind = "member_id"
        rows.append(
            {
                "claim_index": r["claim_index"],
                "patient_key": patient_key(code, member, dependant),
                "key_kind": kind,
                "source": "837",
                "member_id": r["subscriber_member_id"],
                "payer_ref": r["payer_ref"],
                "last_name": last,
                "first_name": first,
                "birth_date": birth,
                "sex": (sex or None) and sex[:1],
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "claim_index": pl.Int64,
            "patient_key": pl.String,
            "key_kind": pl.String,
            "source": pl.String,
            "member_id": pl.String,
            "payer_ref": pl.Int64,
            "last_name": pl.String,
            "first_name": pl.String,
            "birth_date": pl.Date,
            "sex": pl.String,
        },
    )
