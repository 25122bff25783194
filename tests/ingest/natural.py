"""The store's canonical content on natural keys, so two stores can be compared whatever order
(or backend) their rows were written in: every surrogate id — a row's own and every foreign key —
is replaced by the natural key of the row it names (file content hash, sequence numbers, patient
control number, payer code...)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select, text

from rcmwatch.store.models import Base

# table → columns that identify a row without surrogate ids (foreign keys are resolved).
NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "inbound_file": ("sha256",),
    "interchange": ("inbound_file_id", "seq"),
    "payer": ("code",),
    "payer_identifier": ("kind", "value"),
    "facility": ("code",),
    "patient": ("patient_key",),
    "claim": ("pcn",),
    "submission": ("inbound_file_id", "seq"),
    "claim_version": ("submission_id", "seq"),
    "claim_line": ("claim_version_id", "line_number"),
    "diagnosis": ("claim_version_id", "seq"),
    "claim_other_payer": ("claim_version_id", "seq"),
    "ack_set": ("inbound_file_id", "seq"),
    "ack_error": ("ack_set_id", "seq"),
    "ack_link": ("ack_set_id", "submission_id"),
    "claim_status": ("inbound_file_id", "seq"),
    "remit_transaction": ("inbound_file_id", "seq"),
    "claim_payment": ("remit_transaction_id", "seq"),
    "service_line_payment": ("claim_payment_id", "seq"),
    "adjustment": ("claim_payment_id", "seq"),
    "provider_adjustment": ("remit_transaction_id", "seq"),
    "remark_code": ("claim_payment_id", "seq"),
    "work_item": ("source", "source_key"),
}
# Landing metadata that legitimately differs between runs (when, from where).
VOLATILE = {"id", "received_at", "parsed_at", "path", "created_at", "source"}
CANONICAL = tuple(NATURAL_KEYS)


def dump(store, tables=CANONICAL) -> dict[str, list[tuple]]:
    meta = Base.metadata
    rows: dict[str, list[dict]] = {}
    with store.read() as conn:
        for name in NATURAL_KEYS:
            table = meta.tables[name]
            rows[name] = [dict(r) for r in conn.execute(select(table)).mappings()]
    keys: dict[str, dict[int, tuple]] = {}

    def key_of(name: str, row: dict) -> tuple:
        table = meta.tables[name]
        out = []
        for col in NATURAL_KEYS[name]:
            out.append(resolve(table.c[col], row[col]))
        return tuple(out)

    def resolve(column, value):
        if value is None or not column.foreign_keys:
            return _plain(value)
        (fk,) = column.foreign_keys
        target = fk.column.table.name
        if target not in keys:
            keys[target] = {r["id"]: key_of(target, r) for r in rows[target]}
        return (target, keys[target][value])

    out: dict[str, list[tuple]] = {}
    for name in tables:
        table = meta.tables[name]
        cols = [c for c in table.columns if c.name not in VOLATILE]
        out[name] = sorted(
            (tuple((c.name, resolve(c, r[c.name])) for c in cols) for r in rows[name]),
            key=repr,
        )
    return out


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    return value


def table_counts(store) -> dict[str, int]:
    with store.read() as conn:
        return {
            t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar()
            for t in Base.metadata.tables
        }


def totals_and_counts(url: str, totals_sql: str) -> tuple[tuple, dict[str, int]]:
    """One row of totals (``totals_sql``: counts, money sums) and every table's row count, of
    the store at ``url``: what "exactly the same rows" is compared on across stores."""
    from rcmwatch.store.engine import open_store_url

    store = open_store_url(url)
    with store.read() as conn:
        row = tuple(conn.execute(text(totals_sql)).one())
    counts = table_counts(store)
    store.dispose()
    return row, counts
