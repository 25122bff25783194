"""Synthetic canonical records for the KPI benchmark: N claims over 12 months with their
submissions, acknowledgments, remits (denials, secondary payers, reversals), adjustments, ERP
postings, revenue and work items — vectorised, seeded, written as Parquet (frames) or through the
bulk path (a store). Shapes, not realism: the generator issue owns believable data."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import polars as pl

from metrics.frames import Frames

AS_OF = datetime(2025, 1, 1, tzinfo=UTC)
START = AS_OF - timedelta(days=365)
FACILITIES, PAYERS = 10, 20
CLASSES = ("medicare", "medicaid", "commercial", "self_pay", "other")
CATS = ("authorization", "eligibility", "coding", "medical_necessity", "other")


def _ts(seconds: np.ndarray) -> pl.Series:
    base = int(START.timestamp() * 1_000_000)
    return pl.Series(base + seconds.astype(np.int64) * 1_000_000).cast(pl.Datetime("us", "UTC"))


def store_tables(n: int, seed: int = 7) -> dict[str, pl.DataFrame]:
    """Every table as store rows (NOT NULL columns filled), ids from 1."""
    rng = np.random.default_rng(seed)
    ids = np.arange(1, n + 1, dtype=np.int64)
    year = 365 * 86400
    sub_s = np.sort(rng.integers(0, year - 45 * 86400, n))
    n_sub = max(n // 100, 1)
    sub_of = np.minimum((np.arange(n) // 100) + 1, n_sub)
    fac = rng.integers(1, FACILITIES + 1, n).astype(float)
    fac[rng.random(n) < 0.03] = np.nan
    payer = rng.integers(1, PAYERS + 1, n)
    charge = rng.integers(5_000, 500_000, n)
    submitted = _ts(sub_s)
    t: dict[str, pl.DataFrame] = {}
    t["facility"] = pl.DataFrame(
        {
            "id": np.arange(1, FACILITIES + 1),
            "code": [f"F{i}" for i in range(1, FACILITIES + 1)],
            "name": [f"Facility {i}" for i in range(1, FACILITIES + 1)],
            "kind": "hospital",
        }
    )
    t["payer"] = pl.DataFrame(
        {
            "id": np.arange(1, PAYERS + 1),
            "code": [f"P{i}" for i in range(1, PAYERS + 1)],
            "name": [f"Payer {i}" for i in range(1, PAYERS + 1)],
            "payer_class": [CLASSES[i % 5] for i in range(PAYERS)],
            "timely_filing_days": 365,
            "appeal_limit_days": 180,
            "origin": "seed",
            "needs_mapping": False,
        }
    )
    n_files = n_sub + 1
    t["inbound_file"] = pl.DataFrame(
        {
            "id": np.arange(1, n_files + 1),
            "sha256": [f"{i:064x}" for i in range(1, n_files + 1)],
            "path": [f"f{i}" for i in range(1, n_files + 1)],
            "size_bytes": 1,
            "received_at": START,
            "source": "bench",
            "status": "ingested",
            "is_test": False,
        }
    )
    sub_first = np.searchsorted(sub_of, np.arange(1, n_sub + 1))
    sub_times = submitted.gather(sub_first)
    t["submission"] = pl.DataFrame(
        {
            "id": np.arange(1, n_sub + 1),
            "inbound_file_id": np.arange(1, n_sub + 1),
            "seq": 1,
            "interchange_sender": "H",
            "interchange_receiver": "C",
            "interchange_control": "1",
            "is_test": False,
            "gs_sender": "H",
            "gs_receiver": "C",
            "gs_control": "1",
            "st_control": "1",
            "submitted_at": sub_times,
            "claim_type": "P",
            "claim_count": 100,
        }
    )
    service_days = np.maximum(sub_s // 86400 - rng.integers(0, 20, n), 0)
    t["claim"] = (
        pl.DataFrame(
            {
                "id": ids,
                "pcn": [f"C{i}" for i in ids],
                "facility_id": pl.Series(fac, nan_to_null=True).cast(pl.Int64),
                "payer_id": payer,
                "first_submission_id": sub_of,
                "first_submitted_at": submitted,
                "is_test": False,
                "service_days": service_days,
            }
        )
        .with_columns(
            (pl.lit(START.date()) + pl.duration(days=pl.col("service_days"))).alias("service_from")
        )
        .drop("service_days")
    )
    t["claim_version"] = pl.DataFrame(
        {
            "id": ids,
            "claim_id": ids,
            "submission_id": sub_of,
            "seq": ids,
            "frequency_code": "1",
            "charge_cents": charge,
            "payer_id": payer,
            "payer_sequence": "primary",
        }
    )
    t["ack_set"] = pl.DataFrame(
        {
            "id": np.arange(1, n_sub + 1),
            "inbound_file_id": n_files,
            "seq": np.arange(1, n_sub + 1),
            "interchange_sender": "C",
            "interchange_receiver": "H",
            "is_test": False,
            "acknowledged_at": sub_times.dt.offset_by("2h"),
            "ak2_set_control": "1",
            "ik5_code": np.where(rng.random(n_sub) < 0.03, "R", "A"),
            "ak9_code": "A",
            "link_status": "linked",
        }
    )
    t["ack_link"] = pl.DataFrame(
        {"ack_set_id": np.arange(1, n_sub + 1), "submission_id": np.arange(1, n_sub + 1)}
    )
    has_status = np.flatnonzero(rng.random(n) < 0.5)
    t["claim_status"] = pl.DataFrame(
        {
            "id": np.arange(1, len(has_status) + 1),
            "inbound_file_id": n_files,
            "seq": np.arange(1, len(has_status) + 1),
            "is_test": False,
            "hl_id": "4",
            "hl_level": "PT",
            "status_category": np.where(rng.random(len(has_status)) < 0.02, "A7", "A2"),
            "rejected_above": False,
            "claim_id": ids[has_status],
            "submission_id": sub_of[has_status],
            "reported_at": submitted.gather(has_status).dt.offset_by("1d"),
        }
    )
    adj = np.flatnonzero(rng.random(n) < 0.9)
    second = adj[rng.random(len(adj)) < 0.08]
    loops_claim = np.concatenate([adj, second])
    is_second = np.concatenate([np.zeros(len(adj), bool), np.ones(len(second), bool)])
    m = len(loops_claim)
    prod_s = sub_s[loops_claim] + rng.integers(5, 40, m) * 86400
    prod_s[len(adj) :] += 20 * 86400
    keep = prod_s < year
    loops_claim, prod_s, is_second = loops_claim[keep], prod_s[keep], is_second[keep]
    m = len(loops_claim)
    order = np.argsort(prod_s, kind="stable")
    loops_claim, prod_s, is_second = loops_claim[order], prod_s[order], is_second[order]
    loop_payer = np.where(is_second, payer[loops_claim] % PAYERS + 1, payer[loops_claim])
    n_remit = max(m // 200, 1)
    remit_of = np.minimum(np.arange(m) // 200 + 1, n_remit)
    remit_first = np.searchsorted(remit_of, np.arange(1, n_remit + 1))
    t["remit_transaction"] = (
        pl.DataFrame(
            {
                "id": np.arange(1, n_remit + 1),
                "inbound_file_id": n_files,
                "seq": np.arange(1, n_remit + 1),
                "is_test": False,
                "payment_cents": 0,
                "payer_id": loop_payer[remit_first],
                "received_at": _ts(prod_s[remit_first] + 86400),
                "balanced": rng.random(n_remit) > 0.01,
                "imbalance_cents": 0,
                "production_days": prod_s[remit_first] // 86400,
            }
        )
        .with_columns(
            (pl.lit(START.date()) + pl.duration(days=pl.col("production_days"))).alias(
                "production_date"
            )
        )
        .drop("production_days")
    )
    denied_kind = rng.random(m)
    kind = np.where(denied_kind < 0.05, "full", np.where(denied_kind < 0.10, "partial", "none"))
    ch = charge[loops_claim]
    denied = np.where(kind == "full", ch, np.where(kind == "partial", ch // 3, 0))
    paid = ch - denied - np.where(kind == "full", 0, ch // 10)
    cp_ids = np.arange(1, m + 1)
    t["claim_payment"] = pl.DataFrame(
        {
            "id": cp_ids,
            "remit_transaction_id": remit_of,
            "seq": cp_ids,
            "pcn": [f"C{i + 1}" for i in loops_claim],
            "claim_id": ids[loops_claim],
            "payer_id": loop_payer,
            "status_code": np.where(kind == "full", "4", "1"),
            "charge_cents": ch,
            "paid_cents": paid,
            "patient_responsibility_cents": 0,
            "is_reversal": False,
            "is_predetermination": False,
            "orphan_reversal": False,
            "payer_sequence": np.where(is_second, "secondary", "primary"),
            "denial_kind": kind,
            "denied_cents": denied,
            "denial_category": np.array(CATS)[rng.integers(0, 5, m)],
            "carc_map_version": 1,
            "balanced": True,
            "imbalance_cents": 0,
        }
    )
    t["adjustment"] = pl.DataFrame(
        {
            "id": cp_ids,
            "claim_payment_id": cp_ids,
            "seq": 1,
            "level": "claim",
            "group_code": "CO",
            "carc": np.where(kind == "none", "45", "197"),
            "amount_cents": ch - paid,
        }
    )
    posted = np.flatnonzero(rng.random(m) < 0.85)
    t["posting"] = pl.DataFrame(
        {
            "id": np.arange(1, len(posted) + 1),
            "source": "erp",
            "source_key": [f"p{i}" for i in range(len(posted))],
            "claim_id": ids[loops_claim[posted]],
            "claim_payment_id": cp_ids[posted],
            "kind": "payment",
            "amount_cents": paid[posted],
            "posted_at": _ts(prod_s[posted] + 86400 + rng.integers(600, 5 * 86400, len(posted))),
            "is_manual": rng.random(len(posted)) < 0.1,
        }
    )
    months = [
        date(START.year + (START.month - 1 + k) // 12, (START.month - 1 + k) % 12 + 1, 1)
        for k in range(13)
    ]
    t["revenue"] = pl.DataFrame(
        [
            {
                "id": i * 100 + f,
                "source": "gl",
                "source_key": f"{i}-{f}",
                "facility_id": f,
                "period": mth,
                "gross_charges_cents": 2_000_000_000,
                "net_revenue_cents": 800_000_000,
            }
            for i, mth in enumerate(months, start=1)
            for f in range(1, FACILITIES + 1)
        ]
    )
    work = np.flatnonzero(rng.random(n) < 0.02)
    opened = sub_s[work] - 86400
    t["work_item"] = pl.DataFrame(
        {
            "id": np.arange(1, len(work) + 1),
            "source": "wf",
            "source_key": [f"w{i}" for i in range(len(work))],
            "type": "edit",
            "stage": np.where(rng.random(len(work)) < 0.5, "pre_bill", "denial"),
            "subject_type": "claim",
            "subject_key": [f"C{i + 1}" for i in work],
            "facility_id": pl.Series(fac[work], nan_to_null=True).cast(pl.Int64),
            "amount_cents": charge[work],
            "opened_at": _ts(opened),
            "due_at": _ts(opened + 3 * 86400),
            "status": "open",
        }
    )
    return t


def synthetic_frames(n: int, seed: int = 7) -> Frames:
    from metrics.frames import prepare

    return prepare(store_tables(n, seed))
