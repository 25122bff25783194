"""Inspect's fast path for 835 batches: the ``era`` totals without flattening.

``rcmwatch edi inspect`` needs ten numbers per batch (DESIGN.md's ``era`` fields) and the warnings
a full flattening would raise. Nearly every batch raises none, and building the summary frames
(:class:`collectors.edi.remittance.RemittanceFlattener`, ~50 queries a batch) is most of
inspect's time. So this module first checks, with a few vectorised tests over every segment the
flattener could read, that the batch *cannot* warn:

- no SVC, CAS, LQ, MOA or MIA outside a claim (structure);
- CLP03/CLP04 and SVC02/SVC03 present; every CAS triplet and PLB pair the flattener keeps has
  its reason and its amount (missing);
- every amount it converts (BPR02, CLP03-05, SVC02-03, AMT*B6, CAS and PLB amounts, TS305-06)
  empty or of the common shape, every date (BPR16, DTM*405/232/233/050/150/151/472, PLB02,
  TS303) empty or eight digits forming a real date (amount, date);
- no composite (SVC01, SVC06, PLB03-13) using another separator than ISA16 (composite);
- every service line, claim and transaction balances (balance);
- at most one BPR per transaction (the flattener reads the first; with one, "first" is "all").

The tests look at every candidate segment, not only the first of its loop that the flattener
reads, so they are conservative: a batch failing any of them goes through the flattener, which
words the warnings, and one passing them has exactly the flattener's totals (denials classified
per KPI.md §2 as :func:`metrics.denial.classify_denials` does; tests/edi/test_remit_quick.py holds
the two paths equal). BPR, PLB and TS3 (one or two per transaction) are read in Python with the
scalar twins of the money and date rules; the rest takes two rounds of queries a batch: the loop
context, then every check and total together.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import polars as pl

from collectors.edi import frame_values as V
from collectors.edi.dates import is_simple_date, simple_date_expr
from collectors.edi.era import EraTotals
from collectors.edi.money import simple_cents, simple_cents_expr
from collectors.edi.remittance_layout import (
    CAS_TRIPLETS,
    CLAIM_BOUNDARY_TAGS,
    CLAIM_DATES,
    LINE_END_DATES,
    LINE_START_DATES,
    LOOP_TAGS,
    PLB_PAIRS,
    PREDETERMINATION_STATUS,
    REVERSAL_STATUS,
    TAGS,
)
from collectors.edi.segment_frames import SegmentBatch
from collectors.edi.values import split_code
from rcmwatch.reference.carc_map import NON_DENIAL_CARCS, PENDING_CARCS

_STRUCTURE_TAGS = ("SVC", "CAS", "LQ", "MOA", "MIA")
_SPARSE_TAGS = ("BPR", "PLB", "TS3")
_CHECKED_DATES = ("405", *CLAIM_DATES, *LINE_START_DATES, *LINE_END_DATES)
_FULL_DENIAL_STATUS = "4"
_NOT_ADJUDICATIONS = (REVERSAL_STATUS, PREDETERMINATION_STATUS)
_NOT_DENIALS = sorted(NON_DENIAL_CARCS | PENDING_CARCS)
# CARCs as the table writes them: normalise_carc leaves these unchanged, so as sent = normalised.
_CANONICAL_CARC = "^(?:[1-9][0-9]*|[A-Z][A-Z0-9]*)$"
_I64 = pl.Int64
_e = V.element_column
_TRIPLET = ("group", "reason", "amount")  # CAS01, then triplet 1: CAS02-03 (quantity unread)


def _money_ok(value: pl.Expr, required: bool = False) -> pl.Expr:
    """The amount (as sent) converts silently: common shape, or empty/absent unless
    ``required`` (the flattener then warns that it is missing)."""
    sent = V.null_if_empty(value)
    simple = simple_cents_expr(sent)[1]
    return (simple & sent.is_not_null()).fill_null(False) if required else simple


def _cents(value: pl.Expr) -> pl.Expr:
    """Cents of an amount of the common shape (0 when empty or absent)."""
    return simple_cents_expr(value)[0].fill_null(0)


def _date_ok(value: pl.Expr) -> pl.Expr:
    """The date (as sent) is empty, absent or of the common shape (collectors.edi.dates)."""
    return simple_date_expr(V.null_if_empty(value))[1].fill_null(True)


def _no_alternative(value: pl.Expr, declared: str) -> pl.Expr:
    """No other component separator than ISA16 in the composite (trimmed as the flattener does)."""
    return V.alternative_separator(value.str.strip_chars(V.BLANKS), declared).is_null()


def _amount(value: str | None, required: bool = False) -> int | None:
    """Cents of an amount that converts silently (0 when empty or absent and not ``required``);
    None when the flattener could warn."""
    if not value:
        return None if required else 0
    return simple_cents(value)


def _sparse_segments(
    rows: Iterable[tuple[int, str, str]], sep: str, declared: str
) -> tuple[defaultdict[int, int], defaultdict[int, int]] | None:
    """BPR02 and the ΣPLB amounts per transaction, or None when a BPR, PLB or TS3 could warn.

    These segments are few (one or two per transaction), so Python reads them with the scalar
    twins of the money and date rules: planning the queries for them cost more than running all
    the others (~15 ms a batch, most of it the PLB pairs' expressions).
    """
    payments: defaultdict[int, int] = defaultdict(int)
    adjustments: defaultdict[int, int] = defaultdict(int)
    for txn, name, text in rows:
        el = text.split(sep)
        n = len(el)
        if name == "BPR":
            cents = _amount(_at(el, 2))
            if cents is None or txn in payments or not _date_ok_at(el, 16):
                return None  # the flattener reads the first BPR only: with one, first is all
            payments[txn] = cents
        elif name == "PLB":
            if not _date_ok_at(el, 2):
                return None
            kept = min((n - 2) // 2, PLB_PAIRS)
            for position in range(3, 3 + 2 * PLB_PAIRS, 2):
                reason = _at(el, position)
                if reason is not None and split_code(reason.strip(V.BLANKS), declared)[1]:
                    return None  # a composite on another separator than ISA16
                if (position - 3) // 2 >= kept:
                    continue
                cents = _amount(_at(el, position + 1), required=True)
                if cents is None or not (reason or "").strip(V.BLANKS):
                    return None
                adjustments[txn] += cents
        elif not _date_ok_at(el, 3) or _amount(_at(el, 5)) is None or _amount(_at(el, 6)) is None:
            return None  # TS3
    return payments, adjustments


def _at(el: list[str], index: int) -> str | None:
    """Element ``index`` of a split segment, None past its end."""
    return el[index] if index < len(el) else None


def _date_ok_at(el: list[str], index: int) -> bool:
    """Element ``index`` is absent, empty or a date of the common shape."""
    return index >= len(el) or not el[index] or is_simple_date(el[index])


def _all(condition: pl.Expr) -> pl.Expr:
    return condition.fill_null(False).all()


@dataclass(frozen=True)
class _Expressions:
    """Everything :func:`quick_era` evaluates, for one element and component separator.

    Built once per separator pair (building Polars expressions costs more Python time than a
    4 MB batch's queries take to run).
    """

    context: tuple[pl.Expr, ...]
    checks: dict[str, tuple[int, pl.Expr | None, pl.Expr]]  # tag -> (last element, filter, ok)
    clp: tuple[pl.Expr, ...]
    svc: tuple[pl.Expr, ...]
    cas_first: tuple[pl.Expr, ...]
    cas_more: tuple[pl.Expr, ...]
    triplets: tuple[pl.Expr, ...]
    claim_flags: tuple[pl.Expr, ...]
    claims: tuple[pl.Expr, ...]


@lru_cache(maxsize=16)
def _expressions(sep: str, declared: str) -> _Expressions:
    tag = pl.col("tag")
    in_claim = pl.when(tag.is_in(CLAIM_BOUNDARY_TAGS)).then(tag).forward_fill() == "CLP"
    loop = pl.when(tag.is_in(LOOP_TAGS)).then(tag).forward_fill()
    context = (
        tag,
        pl.col("text"),
        pl.col("transaction_index").alias("txn"),
        pl.col("element1").alias("q1"),
        in_claim.fill_null(False).alias("in_claim"),
        (in_claim & (loop == "SVC")).fill_null(False).alias("in_line"),
        # Running numbers, ascending in file order: flagged sorted, so that grouping and
        # joining on them take Polars' sorted fast paths.
        (tag == "CLP").cast(_I64).cum_sum().set_sorted().alias("claim"),
        (tag == "SVC").cast(_I64).cum_sum().set_sorted().alias("line"),
    )
    q1 = pl.col("q1")
    checks = {
        "DTM": (2, q1.is_in(_CHECKED_DATES), _all(_date_ok(_e(2)))),
        "AMT": (2, q1 == "B6", _all(_money_ok(_e(2)))),
    }
    # CLP and SVC: required amounts of the common shape, composites on ISA16.
    clp = (
        pl.col("claim"),
        pl.col("txn"),
        (_money_ok(_e(3), True) & _money_ok(_e(4), True) & _money_ok(_e(5))).alias("ok"),
        _e(2).str.strip_chars(V.BLANKS).alias("status"),
        _cents(_e(3)).alias("charge"),
        _cents(_e(4)).alias("paid"),
        _cents(_e(5)).alias("responsibility"),
    )
    svc = (
        pl.col("line"),
        (
            _money_ok(_e(2), True)
            & _money_ok(_e(3), True)
            & _no_alternative(q1, declared).fill_null(True)
            & _no_alternative(_e(6), declared).fill_null(True)
        ).alias("ok"),
        (_cents(_e(2)) - _cents(_e(3))).alias("balance"),
    )
    keys = (pl.col("cas"), pl.col("claim"), pl.col("line"), pl.col("in_line"))
    cas_first = (
        *keys,
        *(_e(i).alias(name) for i, name in enumerate(_TRIPLET, start=1)),
    )
    el, k = pl.col("el"), pl.col("k")
    cas_more = (
        *keys,
        el.list.get(1).alias("group"),
        *(
            el.list.get(i + 3 * k, null_on_oob=True).alias(name)
            for i, name in enumerate(_TRIPLET[1:], start=2)
        ),
    )
    # A kept triplet needs a reason and an amount; one with nothing in it is skipped silently,
    # but the test does not tell that case apart (it falls back). Reason codes must be written as
    # the CARC table writes them (``45``, ``A2``; not ``045``), so "as sent" = normalised.
    triplets = (
        pl.col("claim"),
        pl.col("line"),
        pl.col("in_line"),
        (_money_ok(pl.col("amount"), True) & pl.col("reason").str.contains(_CANONICAL_CARC)).alias(
            "ok"
        ),
        _cents(pl.col("amount")).alias("amount"),
        pl.col("group").str.strip_chars(V.BLANKS).alias("group"),
        pl.col("reason"),
    )
    # Denials as KPI.md §2 (metrics.denial.classify_denials), per claim from its triplets.
    amount = pl.col("amount")
    claim_flags = (
        ((amount > 0) & ~pl.col("reason").is_in(_NOT_DENIALS)).any().alias("denial"),
        ((pl.col("group") == "PR") & (amount > 0)).any().alias("pr"),
        amount.sum().alias("cas"),
    )
    status = pl.col("status")
    adjudication = ~status.is_in(_NOT_ADJUDICATIONS).fill_null(False)
    full = adjudication & (
        (status == _FULL_DENIAL_STATUS).fill_null(False)
        | ((pl.col("paid") == 0) & ~pl.col("pr") & pl.col("denial"))
    )
    claims = (
        _all(pl.col("ok") & (pl.col("charge") - pl.col("paid") == pl.col("cas"))).alias("ok"),
        pl.len().alias("claims"),
        pl.col("charge").sum(),
        pl.col("paid").sum(),
        pl.col("responsibility").sum(),
        full.sum().alias("denied"),
        (adjudication & ~full & pl.col("denial")).sum().alias("partial"),
        (status == REVERSAL_STATUS).sum().alias("reversals"),
    )
    return _Expressions(
        context, checks, clp, svc, cas_first, cas_more, triplets, claim_flags, claims
    )


def quick_era(batch: SegmentBatch, indices: list[int]) -> EraTotals | None:
    """The era totals of the batch's 835s (``indices``) when the batch cannot warn, else None."""
    sep = batch.delimiters.element
    x = _expressions(sep, batch.delimiters.component)
    tag = pl.col("tag")
    # Tags as categories: the many tag tests below then compare small integers, not strings.
    ctx = (
        batch.frame.lazy()
        .with_columns(tag.cast(pl.Categorical))
        .filter(pl.col("transaction_index").is_in(indices) & tag.is_in(TAGS))
        .select(x.context)
        .collect()  # once: every query below reads it (a lazy one was re-run or re-planned)
    ).lazy()

    def rows(name: str, last: int) -> pl.LazyFrame:
        return ctx.filter(tag == name).with_columns(V.leading_elements(sep, last))

    structure = ctx.filter(tag.is_in(_STRUCTURE_TAGS)).select(ok=pl.col("in_claim").all())
    sparse_rows = ctx.filter(tag.is_in(_SPARSE_TAGS)).select("txn", "tag", "text")
    checks = []
    for name, (last, condition, ok) in x.checks.items():
        source = rows(name, last)
        checks.append((source if condition is None else source.filter(condition)).select(ok=ok))
    clp = rows("CLP", 5).select(x.clp)
    svc = rows("SVC", 6).select(x.svc)
    # CAS: the first triplet straight from its elements; segments with more triplets (rare) from
    # a split, one row per further triplet the flattener keeps (it reaches it, at most 6).
    cas = ctx.filter(tag == "CAS").with_row_index("cas")
    first = cas.with_columns(V.leading_elements(sep, 3)).select(x.cas_first)
    more = (
        cas.filter(pl.col("text").str.count_matches(sep, literal=True) >= 5)
        .with_columns(el=pl.col("text").str.split(sep))
        .with_columns(
            k=pl.int_ranges(1, pl.min_horizontal(pl.col("el").list.len() // 3, CAS_TRIPLETS))
        )
        .explode("k")
        .filter(pl.col("k").is_not_null())
        .select(x.cas_more)
    )
    # First triplets and further ones, back in file order (still ascending by claim and line).
    triplets = (
        pl.concat([first, more])
        .sort("cas", maintain_order=True)
        .with_columns(pl.col("claim", "line").set_sorted())
        .select(x.triplets)
    )

    # Everything below is exact only for a batch that passes every test; they run together.
    claim_flags = triplets.group_by("claim").agg(x.claim_flags)
    claims = (
        clp.join(claim_flags, on="claim", how="left")
        .with_columns(pl.col("denial", "pr").fill_null(False), pl.col("cas").fill_null(0))
        .select(x.claims)
    )
    line_cas = triplets.filter("in_line").group_by("line").agg(cas=pl.col("amount").sum())
    lines = svc.join(line_cas, on="line", how="left").select(
        ok=_all(pl.col("ok") & (pl.col("balance") == pl.col("cas").fill_null(0)))
    )
    triplets_ok = triplets.select(ok=_all(pl.col("ok")))
    paid = clp.group_by("txn").agg(pl.col("paid").sum())
    sparse_out, *verdicts, claims_out, paid_out = pl.collect_all(
        [sparse_rows, structure, *checks, triplets_ok, lines, claims, paid]
    )
    if not all(v.item(0, "ok") is not False for v in verdicts) or claims_out.item(0, "ok") is False:
        return None  # a structure, shape, missing-value or balance warning could follow
    sparse = _sparse_segments(sparse_out.iter_rows(), sep, batch.delimiters.component)
    if sparse is None:
        return None
    payments, adjustments = sparse
    payment, provider_adjustments = sum(payments.values()), sum(adjustments.values())
    # Transactions: BPR02 = ΣCLP04 − ΣPLB, each 835 of the batch (one without BPR has 0).
    for txn, claims_paid in paid_out.iter_rows():
        payments[txn] -= claims_paid
    if any(payments[txn] + adjustments[txn] for txn in payments.keys() | adjustments.keys()):
        return None
    c = claims_out.row(0, named=True)
    return EraTotals(
        claims=int(c["claims"]),
        charge=int(c["charge"] or 0),
        paid=int(c["paid"] or 0),
        patient_responsibility=int(c["responsibility"] or 0),
        provider_adjustments=provider_adjustments,
        payment=payment,
        denied=int(c["denied"] or 0),
        partially_denied=int(c["partial"] or 0),
        reversals=int(c["reversals"] or 0),
        balanced=True,
    )
