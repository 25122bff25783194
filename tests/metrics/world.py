"""A tiny canonical world for KPI tests: claims, acknowledgments, remits, ERP and work records
written as store rows (every NOT NULL column filled), turned into frames exactly as the loader
does (:func:`metrics.frames.prepare`) or written to a real store with the bulk path.

Money is given in cents, times as aware UTC datetimes (``at("2024-05-10 09:00")``)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime

import polars as pl

from metrics.frames import Frames, prepare

# Parents before children (foreign keys).
WRITE_ORDER = (
    "facility",
    "payer",
    "inbound_file",
    "submission",
    "claim",
    "claim_version",
    "ack_set",
    "ack_link",
    "claim_status",
    "remit_transaction",
    "claim_payment",
    "service_line_payment",
    "adjustment",
    "fee_schedule_entry",
    "receivable",
    "posting",
    "write_off",
    "payment",
    "revenue",
    "work_item",
    "automated_decision",
    "override",
    "interface_message",
    "source_state",
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def day(text: str) -> date:
    return date.fromisoformat(text)


class World:
    def __init__(self) -> None:
        self.rows: dict[str, list[dict]] = defaultdict(list)
        self._next: dict[str, int] = defaultdict(int)
        self.claim_ids: dict[str, int] = {}
        self.claim_submission: dict[int, int] = {}
        self.remit_payer: dict[int, int | None] = {}
        self._seq: dict[int, int] = defaultdict(int)
        self._file: int | None = None

    def _add(self, table: str, **row) -> int:
        self._next[table] += 1
        row.setdefault("id", self._next[table])
        self.rows[table].append(row)
        return row["id"]

    def _source(self, table: str) -> dict:
        return {"source": "erp", "source_key": f"{table}-{self._next[table] + 1}"}

    # --- reference --------------------------------------------------------------------

    def facility(self, code: str) -> int:
        return self._add("facility", code=code, name=code.title(), kind="hospital")

    def payer(
        self, code: str, payer_class: str = "commercial", *, filing_days=None, appeal_days=None
    ) -> int:
        return self._add(
            "payer",
            code=code,
            name=code,
            payer_class=payer_class,
            timely_filing_days=filing_days,
            appeal_limit_days=appeal_days,
            origin="seed",
            needs_mapping=False,
        )

    def file(self, kind: str = "837", *, is_test: bool = False) -> int:
        n = self._next["inbound_file"] + 1
        return self._add(
            "inbound_file",
            sha256=f"{n:064x}",
            path=f"inbound/{n}.{kind}",
            size_bytes=100,
            received_at=at("2024-01-01 00:00"),
            source="test",
            status="ingested",
            file_kind=kind,
            is_test=is_test,
        )

    # --- claims -----------------------------------------------------------------------

    def submission(self, submitted_at: datetime, *, is_test: bool = False) -> int:
        fid = self.file("837", is_test=is_test)
        n = self._next["submission"] + 1
        return self._add(
            "submission",
            inbound_file_id=fid,
            seq=1,
            interchange_sender="HOSP",
            interchange_receiver="CH",
            interchange_control=f"{n:09d}",
            is_test=is_test,
            gs_sender="HOSP",
            gs_receiver="CH",
            gs_control=str(n),
            gs_at=submitted_at,
            st_control=f"{n:04d}",
            submitted_at=submitted_at,
            claim_type="P",
            claim_count=1,
        )

    def claim(
        self,
        pcn: str,
        submitted_at: datetime,
        *,
        facility: int | None = None,
        payer: int | None = None,
        charge: int = 10_000,
        service_from: date | None = None,
        sequence: str = "primary",
        is_test: bool = False,
        voided_at: datetime | None = None,
        submission: int | None = None,
    ) -> int:
        sub = submission or self.submission(submitted_at, is_test=is_test)
        cid = self._add(
            "claim",
            pcn=pcn,
            claim_type="P",
            facility_id=facility,
            payer_id=payer,
            first_submission_id=sub,
            first_submitted_at=submitted_at,
            service_from=service_from,
            voided_at=voided_at,
            is_test=is_test,
        )
        self.claim_ids[pcn] = cid
        self.claim_submission[cid] = sub
        self._version(cid, sub, "1", charge, payer, facility, sequence)
        return cid

    def _version(self, cid, sub, frequency, charge, payer, facility, sequence) -> int:
        self._seq[sub] += 1
        return self._add(
            "claim_version",
            claim_id=cid,
            submission_id=sub,
            seq=self._seq[sub],
            frequency_code=frequency,
            charge_cents=charge,
            payer_id=payer,
            facility_id=facility,
            payer_sequence=sequence,
        )

    def replacement(self, pcn: str, submitted_at: datetime, *, charge: int = 10_000) -> int:
        sub = self.submission(submitted_at)
        return self._version(self.claim_ids[pcn], sub, "7", charge, None, None, "primary")

    def ack(
        self,
        pcn_or_submission,
        code: str = "A",
        *,
        when: datetime | None = None,
        group_level: bool = False,
        is_test: bool = False,
    ) -> int:
        sub = self._submission_of(pcn_or_submission)
        fid = self.file("999", is_test=is_test)
        aid = self._add(
            "ack_set",
            inbound_file_id=fid,
            seq=1,
            interchange_sender="CH",
            interchange_receiver="HOSP",
            is_test=is_test,
            acknowledged_at=when,
            ak1_functional_id="HC",
            ak1_group_control="1",
            ak2_set_id=None if group_level else "837",
            ak2_set_control=None if group_level else "0001",
            ik5_code=None if group_level else code,
            ak9_code=code if group_level else "A",
            link_status="linked",
        )
        self.rows["ack_link"].append({"ack_set_id": aid, "submission_id": sub})
        return aid

    def _submission_of(self, key) -> int:
        if isinstance(key, str):
            return self.claim_submission[self.claim_ids[key]]
        return key

    def status(
        self,
        pcn: str,
        category: str,
        *,
        when: datetime | None = None,
        rejected_above: bool = False,
        is_test: bool = False,
        submission: int | None = None,
    ) -> int:
        cid = self.claim_ids[pcn]
        fid = self.file("277", is_test=is_test)
        return self._add(
            "claim_status",
            inbound_file_id=fid,
            seq=1,
            is_test=is_test,
            hl_id="4",
            hl_parent_id="3",
            hl_level="PT",
            pcn=pcn,
            status_category=category,
            status_code="20",
            reported_at=when,
            rejected_above=rejected_above,
            claim_id=cid,
            submission_id=submission or self.claim_submission[cid],
        )

    # --- remits -----------------------------------------------------------------------

    def remit(
        self,
        production: date | None,
        *,
        received_at: datetime | None = None,
        payer: int | None = None,
        balanced: bool = True,
        is_test: bool = False,
    ) -> int:
        fid = self.file("835", is_test=is_test)
        received = received_at or datetime.combine(production, datetime.min.time(), UTC)
        rid = self._add(
            "remit_transaction",
            inbound_file_id=fid,
            seq=1,
            is_test=is_test,
            payment_cents=0,
            payer_id=payer,
            production_date=production,
            received_at=received,
            balanced=balanced,
            imbalance_cents=0 if balanced else 1,
        )
        self.remit_payer[rid] = payer
        return rid

    def loop(
        self,
        remit: int,
        pcn: str,
        *,
        charge: int,
        paid: int,
        pr: int = 0,
        status_code: str = "1",
        denial: str | None = "none",
        denied: int = 0,
        category: str | None = None,
        payer: int | None = None,
        sequence: str | None = "primary",
        reverses: int | None = None,
        predetermination: bool = False,
        balanced: bool = True,
        cas: tuple[tuple[str, str, int], ...] = (),
        lines: tuple[tuple[str, int, int, float], ...] = (),
        carc_map_version: int | None = 1,
        matched: bool = True,
    ) -> int:
        self._seq[-remit] += 1
        is_reversal = status_code == "22"
        cpid = self._add(
            "claim_payment",
            remit_transaction_id=remit,
            seq=self._seq[-remit],
            pcn=pcn,
            claim_id=self.claim_ids.get(pcn) if matched else None,
            payer_id=payer if payer is not None else self.remit_payer[remit],
            status_code=status_code,
            charge_cents=charge,
            paid_cents=paid,
            patient_responsibility_cents=pr,
            payer_claim_number=f"X{pcn}",
            is_reversal=is_reversal,
            is_predetermination=predetermination,
            reverses_claim_payment_id=reverses,
            orphan_reversal=is_reversal and reverses is None,
            payer_sequence=sequence,
            denial_kind=None if (is_reversal or predetermination) else denial,
            denied_cents=denied,
            denial_category=category,
            carc_map_version=None if (is_reversal or predetermination) else carc_map_version,
            balanced=balanced,
            imbalance_cents=0 if balanced else 1,
        )
        for i, (group, carc, amount) in enumerate(cas, start=1):
            self._add(
                "adjustment",
                claim_payment_id=cpid,
                seq=i,
                level="claim",
                group_code=group,
                carc=carc,
                amount_cents=amount,
            )
        for i, (code, line_charge, line_paid, units) in enumerate(lines, start=1):
            self._add(
                "service_line_payment",
                claim_payment_id=cpid,
                seq=i,
                procedure_qualifier="HC",
                procedure_code=code,
                charge_cents=line_charge,
                paid_cents=line_paid,
                units=units,
                balanced=True,
                imbalance_cents=0,
            )
        return cpid

    def fee(
        self,
        payer: int,
        code: str,
        cents: int,
        *,
        modifier: str = "",
        start: date = date(2020, 1, 1),
        end: date | None = None,
    ) -> int:
        return self._add(
            "fee_schedule_entry",
            payer_id=payer,
            code_system="CPT",
            code=code,
            modifier=modifier,
            expected_allowed_cents=cents,
            effective_from=start,
            effective_to=end,
        )

    # --- ERP, work, integration -------------------------------------------------------

    def receivable(
        self,
        pcn: str | None,
        cents: int,
        *,
        kind: str = "insurance",
        service: date | None = None,
        opened: date | None = None,
        facility: int | None = None,
        payer: int | None = None,
    ) -> int:
        return self._add(
            "receivable",
            **self._source("receivable"),
            pcn=pcn,
            claim_id=self.claim_ids.get(pcn) if pcn else None,
            facility_id=facility,
            payer_id=payer,
            kind=kind,
            service_date=service,
            opened_on=opened,
            balance_cents=cents,
        )

    def posting(
        self,
        claim_payment: int | None,
        posted_at: datetime,
        *,
        cents: int = 0,
        manual: bool = False,
        pcn: str | None = None,
        kind: str = "payment",
    ) -> int:
        return self._add(
            "posting",
            **self._source("posting"),
            pcn=pcn,
            claim_id=self.claim_ids.get(pcn) if pcn else None,
            claim_payment_id=claim_payment,
            kind=kind,
            amount_cents=cents,
            posted_at=posted_at,
            is_manual=manual,
        )

    def write_off(
        self,
        cents: int,
        posted_at: datetime,
        *,
        reason: str = "denial",
        facility: int | None = None,
        pcn: str | None = None,
    ) -> int:
        return self._add(
            "write_off",
            **self._source("write_off"),
            pcn=pcn,
            claim_id=self.claim_ids.get(pcn) if pcn else None,
            facility_id=facility,
            reason=reason,
            amount_cents=cents,
            posted_at=posted_at,
        )

    def payment(
        self,
        cents: int,
        posted_at: datetime,
        *,
        payer_type: str = "payer",
        facility: int | None = None,
        payer: int | None = None,
        pcn: str | None = None,
    ) -> int:
        return self._add(
            "payment",
            **self._source("payment"),
            pcn=pcn,
            claim_id=self.claim_ids.get(pcn) if pcn else None,
            facility_id=facility,
            payer_id=payer,
            payer_type=payer_type,
            amount_cents=cents,
            posted_at=posted_at,
        )

    def revenue(self, month: date, *, gross: int, net: int, facility: int | None = None) -> int:
        return self._add(
            "revenue",
            **self._source("revenue"),
            facility_id=facility,
            period=month,
            gross_charges_cents=gross,
            net_revenue_cents=net,
        )

    def work_item(
        self,
        opened_at: datetime,
        *,
        stage: str = "denial",
        type: str = "denial",
        subject: str = "x",
        subject_type: str = "claim",
        due_at=None,
        resolved_at=None,
        status: str = "open",
        by_person=None,
        cents: int = 0,
        facility: int | None = None,
        exception_type: str | None = None,
        assignee: str | None = None,
    ) -> int:
        return self._add(
            "work_item",
            **self._source("work_item"),
            type=type,
            stage=stage,
            exception_type=exception_type,
            subject_type=subject_type,
            subject_key=subject,
            facility_id=facility,
            amount_cents=cents,
            opened_at=opened_at,
            due_at=due_at,
            assignee=assignee,
            status=status,
            resolved_at=resolved_at,
            resolved_by_person=by_person,
        )

    def decision(
        self,
        decided_at: datetime,
        *,
        kind: str = "rule",
        decider: str = "r1",
        version: str = "1",
        facility: int | None = None,
        exception_type: str | None = None,
    ) -> int:
        return self._add(
            "automated_decision",
            **self._source("automated_decision"),
            decider_kind=kind,
            decider_id=decider,
            decider_version=version,
            subject_type="claim",
            subject_key="x",
            decision="route",
            decided_at=decided_at,
            facility_id=facility,
            exception_type=exception_type,
        )

    def override(self, decision: int, overridden_at: datetime, *, user: str = "ann") -> int:
        return self._add(
            "override",
            **self._source("override"),
            decision_id=decision,
            user_name=user,
            new_outcome="other",
            reason_code="R1",
            overridden_at=overridden_at,
        )

    def message(
        self,
        created_at: datetime,
        status: str,
        *,
        interface: str = "adt",
        queue: str = "q1",
        completed_at: datetime | None = None,
    ) -> int:
        return self._add(
            "interface_message",
            **self._source("interface_message"),
            interface=interface,
            queue=queue,
            status=status,
            attempts=1,
            created_at=created_at,
            completed_at=completed_at,
        )

    def source_state(self, source: str, cadence_s: int, *, last_success=None, newest=None) -> None:
        self.rows["source_state"].append(
            {
                "source": source,
                "kind": "sql",
                "cadence_seconds": cadence_s,
                "last_success_at": last_success,
                "newest_record_at": newest,
                "healthy": True,
            }
        )

    # --- outputs ----------------------------------------------------------------------

    def table(self, name: str) -> pl.DataFrame:
        rows = self.rows.get(name, [])
        if not rows:
            return pl.DataFrame()
        names = list(dict.fromkeys(k for row in rows for k in row))
        return pl.DataFrame(
            [{k: row.get(k) for k in names} for row in rows], infer_schema_length=None
        )

    def frames(self) -> Frames:
        from metrics.frames import TABLES

        return prepare({t: self.table(t) for t in TABLES if self.rows.get(t)})

    def write(self, store) -> None:
        """Every row into ``store`` (ids as given), through the bulk write path."""
        from rcmwatch.store import bulk
        from rcmwatch.store.models import Base

        with store.write() as conn:
            for name in WRITE_ORDER:
                frame = self.table(name)
                if frame.height:
                    frame = frame.with_columns(
                        pl.col(c).cast(pl.Int64) for c, t in frame.schema.items() if t == pl.Null
                    )
                    bulk.insert_frame(conn, Base.metadata.tables[name], frame)
            if conn.dialect.name == "postgresql":
                from sqlalchemy import text

                for name in WRITE_ORDER:
                    if name not in ("source_state", "ack_link") and self.rows.get(name):
                        conn.execute(
                            text(
                                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                f'(SELECT MAX(id) FROM "{name}"))'
                            )
                        )
