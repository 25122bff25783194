"""Synthetic canonical records for the KPI benchmark: N claims over 12 months with their
submissions, acknowledgments, remits (denials, secondary payers, reversals), adjustments, ERP
postings, revenue and work items — vectorised, seeded, written as Parquet (frames) or through the
bulk path (a store). Shapes, not realism: the generator issue owns believable data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl

from metrics.frames import Frames

AS_OF = datetime(2025, 1, 1, tzinfo=UTC)
START = AS_OF - timedelta(days=365)
FACILITIES, PAYERS = 10, 20
YEAR_S = 365 * 86400
CLASSES = ("medicare", "medicaid", "commercial", "self_pay", "other")
# Denial categories (KPI.md §2) with their share of denials and one CARC each ('other': a CARC
# the map does not know).
CATS = (
    "eligibility",
    "authorization",
    "medical_necessity",
    "coding",
    "missing_information",
    "timely_filing",
    "duplicate",
    "non_covered",
    "network",
    "coordination_of_benefits",
    "provider_enrollment",
    "other",
)
CAT_SHARE = (0.22, 0.18, 0.12, 0.12, 0.12, 0.03, 0.05, 0.06, 0.02, 0.04, 0.02, 0.02)
CAT_CARC = ("27", "197", "50", "4", "16", "29", "18", "96", "242", "22", "170", "B22")
# Loop kinds of the synthetic remits.
PRIMARY, SECONDARY, REVERSAL, CORRECTION, LATER, UNMATCHED, PREDETERMINATION = range(7)


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
                "created_at": submitted,
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
    loops = _remit_loops(rng, n, sub_s, payer, charge)
    m = loops["claim"].shape[0]
    prod_s, loop_payer = loops["prod_s"], loops["payer"]
    # One 835 per payer and production day, split every 200 claims (loops in production order).
    day_payer = (prod_s // 86400) * (PAYERS + 1) + loop_payer
    new_group = np.r_[True, day_payer[1:] != day_payer[:-1]]
    group_start = np.maximum.accumulate(np.where(new_group, np.arange(m), 0))
    new_remit = new_group | ((np.arange(m) - group_start) % 200 == 0)
    remit_of = np.cumsum(new_remit)
    n_remit = int(remit_of[-1]) if m else 0
    remit_first = np.flatnonzero(new_remit)
    t["remit_transaction"] = (
        pl.DataFrame(
            {
                "id": np.arange(1, n_remit + 1),
                "inbound_file_id": n_files,
                "seq": np.arange(1, n_remit + 1),
                "is_test": False,
                "payment_cents": 0,
                "payer_id": loop_payer[remit_first],
                # Received 1-3 days after the payer produced it.
                "received_at": _ts(prod_s[remit_first] + rng.integers(86400, 3 * 86400, n_remit)),
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
    received_s = (
        t["remit_transaction"]["received_at"].dt.epoch("s").to_numpy() - int(START.timestamp())
    )[remit_of - 1]
    cp_ids = np.arange(1, m + 1)
    kind = loops["kind"]
    claim_of = loops["claim"]
    matched = claim_of >= 0
    is_rev = kind == REVERSAL
    reverses = np.full(m, -1, dtype=np.int64)
    reverses[is_rev] = loops["reverses"][is_rev]
    t["claim_payment"] = pl.DataFrame(
        {
            "id": cp_ids,
            "remit_transaction_id": remit_of,
            "seq": cp_ids,
            "pcn": _pcns(claim_of),
            "claim_id": pl.Series(np.where(matched, claim_of + 1, 0)).replace(0, None),
            "payer_id": loop_payer,
            "status_code": np.where(
                is_rev,
                "22",
                np.where(loops["denial"] == 2, "4", np.where(loops["secondary"], "2", "1")),
            ),
            "charge_cents": loops["charge"],
            "paid_cents": loops["paid"],
            "patient_responsibility_cents": loops["pr"],
            "is_reversal": is_rev,
            "is_predetermination": False,
            "reverses_claim_payment_id": pl.Series(reverses).replace(-1, None),
            "orphan_reversal": False,
            "payer_sequence": np.where(loops["secondary"], "secondary", "primary"),
            "denial_kind": np.array(["none", "partial", "full"])[loops["denial"]],
            "denied_cents": loops["denied"],
            "denial_category": np.array(CATS)[loops["category"]],
            "carc_map_version": 1,
            "balanced": True,
            "imbalance_cents": 0,
        }
    ).with_columns(
        pl.when(pl.col("denial_kind") != "none")
        .then(pl.col("denial_category"))
        .alias("denial_category")
    )
    t["adjustment"] = _adjustments(loops)
    # ERP postings: 99.5% of the claim payments with money, 1 h to 5 days after receipt (10%
    # by hand, slower); reversals post negative; half of the last week's remits are unposted.
    has_money = (loops["paid"] != 0) & ~(kind == PREDETERMINATION)
    age = YEAR_S - received_s
    posted = np.flatnonzero(has_money & (rng.random(m) < np.where(age < 7 * 86400, 0.5, 0.995)))
    manual = rng.random(len(posted)) < 0.1
    lag = np.where(
        manual,
        rng.lognormal(np.log(40 * 3600), 0.6, len(posted)),
        rng.lognormal(np.log(10 * 3600), 0.7, len(posted)),
    ).astype(np.int64)
    posted_s = np.minimum(received_s[posted] + 600 + lag, YEAR_S - 1)
    t["posting"] = pl.DataFrame(
        {
            "id": np.arange(1, len(posted) + 1),
            "source": "erp",
            "source_key": pl.int_range(len(posted), eager=True).cast(pl.String),
            "claim_id": pl.Series(np.where(matched[posted], claim_of[posted] + 1, 0)).replace(
                0, None
            ),
            "claim_payment_id": cp_ids[posted],
            "kind": np.where(is_rev[posted], "reversal", "payment"),
            "amount_cents": loops["paid"][posted],
            "posted_at": _ts(posted_s),
            "is_manual": manual,
        }
    )
    # GL revenue per facility and month: the month's claim charges, net at 40%.
    by_month = (
        t["claim"]
        .join(
            t["claim_version"].select("claim_id", "charge_cents"), left_on="id", right_on="claim_id"
        )
        .group_by(
            "facility_id", pl.col("first_submitted_at").dt.date().dt.truncate("1mo").alias("period")
        )
        .agg(pl.col("charge_cents").sum().alias("gross_charges_cents"))
        .drop_nulls("facility_id")
        .sort("period", "facility_id")
    )
    t["revenue"] = by_month.with_columns(
        pl.int_range(1, pl.len() + 1).alias("id"),
        pl.lit("gl").alias("source"),
        pl.int_range(pl.len()).cast(pl.String).alias("source_key"),
        (pl.col("gross_charges_cents") * 2 // 5).alias("net_revenue_cents"),
    )
    # Work items: pre-bill edits for 6% of claims (worked before submission, 8 in 10 by a
    # person) and a denial work item for 7 in 10 denials (most resolved within 3-40 days).
    edit = np.flatnonzero(rng.random(n) < 0.06)
    edit_open = sub_s[edit] - rng.integers(3600, 3 * 86400, edit.shape[0])
    cp = t["claim_payment"]
    denied = cp.filter((pl.col("denial_kind") != "none") & pl.col("claim_id").is_not_null()).select(
        "claim_id", "pcn", "payer_id", "denied_cents"
    )
    k = denied.height
    pick = rng.random(k) < 0.7
    denied = denied.filter(pl.Series(pick))
    k = denied.height
    d_claim = denied["claim_id"].to_numpy() - 1
    d_open = np.minimum(sub_s[d_claim] + rng.integers(20, 60, k) * 86400, YEAR_S - 3600)
    d_resolved = d_open + rng.integers(3, 41, k) * 86400
    d_done = (d_resolved < YEAR_S) & (rng.random(k) < 0.85)
    stage = np.r_[np.full(edit.shape[0], "pre_bill"), np.full(k, "denial")]
    claim_idx = np.r_[edit, d_claim]
    opened = np.r_[edit_open, d_open]
    resolved = np.r_[sub_s[edit] - 600, np.where(d_done, d_resolved, 0)]
    done = np.r_[np.ones(edit.shape[0], bool), d_done]
    w = stage.shape[0]
    t["work_item"] = pl.DataFrame(
        {
            "id": np.arange(1, w + 1),
            "source": "wf",
            "source_key": pl.int_range(w, eager=True).cast(pl.String),
            "type": np.where(stage == "pre_bill", "claim_edit", "denial_follow_up"),
            "stage": stage,
            "exception_type": np.where(stage == "pre_bill", "scrubber_edit", "denial"),
            "subject_type": "claim",
            "subject_key": _pcns(claim_idx),
            "facility_id": pl.Series(fac[claim_idx], nan_to_null=True).cast(pl.Int64),
            "payer_id": payer[claim_idx],
            "amount_cents": np.r_[charge[edit], denied["denied_cents"].to_numpy()],
            "opened_at": _ts(opened),
            "due_at": _ts(opened + np.where(stage == "pre_bill", 2, 14) * 86400),
            "status": np.where(done, "closed", "open"),
            "resolved_at": pl.Series(_ts(resolved)).set(pl.Series(~done), None),
            "resolved_by_person": rng.random(w) < 0.8,
        }
    )
    return t


def _pcns(claim_of: np.ndarray) -> pl.Series:
    """Patient control numbers: C<claim id> for claims, X<k> for remits of unknown claims."""
    ids = pl.Series(claim_of)
    return (
        pl.select(
            pl.when(ids >= 0)
            .then(pl.lit("C") + (ids + 1).cast(pl.String))
            .otherwise(pl.lit("X") + (-ids).cast(pl.String))
        )
        .to_series()
        .alias("pcn")
    )


def _amounts(rng, charge: np.ndarray, denial: np.ndarray) -> dict[str, np.ndarray]:
    """Contractual reduction, patient responsibility, denied and paid cents of adjudications."""
    k = charge.shape[0]
    full = denial == 2
    contractual = np.where(full, 0, (charge * rng.uniform(0.2, 0.45, k)).astype(np.int64))
    pr = np.where(
        ~full & (rng.random(k) < 0.45), (charge * rng.uniform(0.03, 0.15, k)).astype(np.int64), 0
    )
    rest = charge - contractual - pr
    denied = np.where(
        full, charge, np.where(denial == 1, (rest * rng.uniform(0.2, 0.6, k)).astype(np.int64), 0)
    )
    return {"pr": pr, "denied": denied, "paid": charge - contractual - pr - denied}


def _denials(rng, k: int) -> tuple[np.ndarray, np.ndarray]:
    u = rng.random(k)
    denial = np.where(u < 0.04, 2, np.where(u < 0.10, 1, 0))
    category = rng.choice(len(CATS), k, p=CAT_SHARE)
    return denial, category


def _remit_loops(rng, n, sub_s, payer, charge) -> dict[str, np.ndarray]:
    """CLP loops in the order payers produced them: each claim's primary adjudication (97% of
    claims, 7-45 days after submission; 4% full and 6% partial denials), a secondary payer's
    for 35% of those leaving patient responsibility, reversal + correction pairs for 2%, a
    later adjudication for 40% of denials (3 in 4 paid: overturns), and 0.3% of remits for
    claims no 837 matches. Loops produced after the year are not known yet."""
    parts: list[dict[str, np.ndarray]] = []

    def add(kind, claim, prod_s, payer_, charge_, amounts, denial, category, **extra):
        k = claim.shape[0]
        part = {
            "kind": np.full(k, kind, dtype=np.int8),
            "claim": claim,
            "prod_s": prod_s,
            "payer": payer_,
            "charge": charge_,
            "pr": amounts["pr"],
            "denied": amounts["denied"],
            "paid": amounts["paid"],
            "denial": denial,
            "category": category,
            "secondary": np.full(k, kind == SECONDARY),
            "reverses": extra.get("reverses", np.full(k, -1, dtype=np.int64)),
        }
        parts.append(part)
        return part

    claims = np.flatnonzero(rng.random(n) < 0.97)
    lag = rng.integers(7, 46, claims.shape[0]) * 86400 + rng.integers(0, 86400, claims.shape[0])
    denial, category = _denials(rng, claims.shape[0])
    primary = add(
        PRIMARY,
        claims,
        sub_s[claims] + lag,
        payer[claims],
        charge[claims],
        _amounts(rng, charge[claims], denial),
        denial,
        category,
    )
    p_ids = np.arange(claims.shape[0])  # positions of the primary loops in the concatenation
    # Secondary payer for part of the patient responsibility.
    sec = np.flatnonzero((primary["pr"] > 0) & (rng.random(claims.shape[0]) < 0.35))
    paid = (primary["pr"][sec] * rng.uniform(0.5, 1.0, sec.shape[0])).astype(np.int64)
    zero = np.zeros(sec.shape[0], dtype=np.int64)
    add(
        SECONDARY,
        claims[sec],
        primary["prod_s"][sec] + rng.integers(10, 31, sec.shape[0]) * 86400,
        payer[claims[sec]] % PAYERS + 1,
        primary["charge"][sec],
        {"pr": primary["pr"][sec] - paid, "denied": zero, "paid": paid},
        zero,
        zero,
    )
    # Reversal + correction pairs (same 835, reversal first).
    rev = np.flatnonzero((primary["denial"] != 2) & (rng.random(claims.shape[0]) < 0.02))
    when = primary["prod_s"][rev] + rng.integers(15, 61, rev.shape[0]) * 86400
    zero = np.zeros(rev.shape[0], dtype=np.int64)
    add(
        REVERSAL,
        claims[rev],
        when,
        primary["payer"][rev],
        -primary["charge"][rev],
        {"pr": -primary["pr"][rev], "denied": zero, "paid": -primary["paid"][rev]},
        zero,
        zero,
        reverses=p_ids[rev],
    )
    fixed = _amounts(rng, primary["charge"][rev], zero)
    add(
        CORRECTION,
        claims[rev],
        when,
        primary["payer"][rev],
        primary["charge"][rev],
        fixed,
        zero,
        zero,
    )
    # Later adjudications of denials (appeals, corrected claims): 3 in 4 paid.
    den = np.flatnonzero((primary["denial"] > 0) & (rng.random(claims.shape[0]) < 0.4))
    upheld = rng.random(den.shape[0]) < 0.25
    again = np.where(upheld, primary["denial"][den], 0)
    amounts = _amounts(rng, primary["charge"][den], again)
    amounts["denied"] = np.where(upheld, primary["denied"][den], amounts["denied"])
    amounts["paid"] = np.where(upheld, primary["paid"][den], amounts["paid"])
    amounts["pr"] = np.where(upheld, primary["pr"][den], amounts["pr"])
    add(
        LATER,
        claims[den],
        primary["prod_s"][den] + rng.integers(30, 91, den.shape[0]) * 86400,
        primary["payer"][den],
        primary["charge"][den],
        amounts,
        again,
        primary["category"][den],
    )
    # Remits of claims no 837 matches.
    k = max(int(n * 0.003), 1)
    charge_u = rng.integers(5_000, 500_000, k)
    denial_u, category_u = _denials(rng, k)
    add(
        UNMATCHED,
        -np.arange(1, k + 1),
        rng.integers(0, YEAR_S, k),
        rng.integers(1, PAYERS + 1, k),
        charge_u,
        _amounts(rng, charge_u, denial_u),
        denial_u,
        category_u,
    )
    out = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    known = np.flatnonzero(out["prod_s"] < YEAR_S)
    day = out["prod_s"][known] // 86400
    # Production order: day, payer (one 835 per payer and day), time, reversal before correction.
    order = known[np.lexsort((out["kind"][known], out["prod_s"][known], out["payer"][known], day))]
    position = np.full(out["kind"].shape[0], -1, dtype=np.int64)
    position[order] = np.arange(order.shape[0])
    sorted_out = {key: value[order] for key, value in out.items()}
    rev = sorted_out["reverses"] >= 0
    # Reversals point at their original's claim payment id (1-based position), when known.
    target = np.where(rev, position[np.maximum(sorted_out["reverses"], 0)], -1)
    sorted_out["reverses"] = np.where(target >= 0, target + 1, -1)
    sorted_out["kind"] = sorted_out["kind"]
    return sorted_out


def _adjustments(loops: dict[str, np.ndarray]) -> pl.DataFrame:
    """Claim-level CAS of each loop: CO-45 for the contractual reduction, PR-2 for patient
    responsibility, the denial's CARC for denied dollars (CLP03 − CLP04 = their sum)."""
    m = loops["kind"].shape[0]
    cp = np.arange(1, m + 1)
    contractual = loops["charge"] - loops["paid"] - loops["pr"] - loops["denied"]
    pieces = []
    for group, carc, amount in (
        ("CO", np.full(m, "45"), contractual),
        ("PR", np.full(m, "2"), loops["pr"]),
        ("CO", np.array(CAT_CARC)[loops["category"]], loops["denied"]),
    ):
        keep = amount != 0
        pieces.append(
            pl.DataFrame(
                {
                    "claim_payment_id": cp[keep],
                    "group_code": group,
                    "carc": carc[keep],
                    "amount_cents": amount[keep],
                }
            )
        )
    out = pl.concat(pieces).sort("claim_payment_id", maintain_order=True)
    return out.with_columns(
        pl.int_range(1, pl.len() + 1).alias("id"),
        (pl.int_range(pl.len()).over("claim_payment_id") + 1).alias("seq"),
        pl.lit("claim").alias("level"),
    )


def synthetic_frames(n: int, seed: int = 7) -> Frames:
    from metrics.frames import prepare

    return prepare(store_tables(n, seed))
