"""What arrives from the outside: landed files (kept raw with their SHA-256 and landing time,
quarantined with a reason when they fail), the interchanges inside them, the integration engine's
messages, and warnings raised while linking (ambiguous links, duplicate control numbers...)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from rcmwatch.store.models.base import Base, CreatedMixin, IdMixin, SourceKeyMixin
from rcmwatch.store.types import Id, Json, UTCDateTime

FILE_STATUSES = ("landed", "ingested", "quarantined")


class InboundFile(IdMixin, Base):
    __tablename__ = "inbound_file"
    sha256: Mapped[str] = mapped_column(String, unique=True)
    path: Mapped[str] = mapped_column(Text)
    size_bytes: Mapped[int]
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    source: Mapped[str] = mapped_column(String, default="cli")
    # Raw bytes when kept in the store; else `path` + `sha256` identify the kept copy.
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String, default="landed")
    quarantine_reason: Mapped[str | None] = mapped_column(Text)
    file_kind: Mapped[str | None] = mapped_column(String)  # 835 | 837 | 999 | 277 | mixed
    parsed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_test: Mapped[bool] = mapped_column(default=False)
    warnings: Mapped[list | None] = mapped_column(Json)


class Interchange(IdMixin, Base):
    """One ISA/IEA envelope; (sender, receiver, control number) repeats are reported, not
    dropped (`duplicate_control_number`)."""

    __tablename__ = "interchange"
    __table_args__ = (
        UniqueConstraint("inbound_file_id", "seq"),
        Index(None, "sender_id", "receiver_id", "control_number"),
    )
    inbound_file_id: Mapped[int] = mapped_column(Id, ForeignKey("inbound_file.id"))
    seq: Mapped[int]
    sender_qualifier: Mapped[str] = mapped_column(String)
    sender_id: Mapped[str] = mapped_column(String)
    receiver_qualifier: Mapped[str] = mapped_column(String)
    receiver_id: Mapped[str] = mapped_column(String)
    control_number: Mapped[str] = mapped_column(String)
    interchange_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    usage: Mapped[str] = mapped_column(String)  # P production | T test
    version: Mapped[str] = mapped_column(String)


class InterfaceMessage(IdMixin, SourceKeyMixin, Base):
    """A message of the integration engine (from its log over SQL or the broker)."""

    __tablename__ = "interface_message"
    __table_args__ = (
        UniqueConstraint("source", "source_key"),
        Index(None, "interface", "created_at"),
        Index(None, "status", "created_at"),
    )
    interface: Mapped[str] = mapped_column(String)
    queue: Mapped[str | None] = mapped_column(String)
    exchange: Mapped[str | None] = mapped_column(String)
    routing_key: Mapped[str | None] = mapped_column(String)
    message_id: Mapped[str | None] = mapped_column(String)
    # received | processed | failed | retrying | dead_lettered
    status: Mapped[str] = mapped_column(String)
    error: Mapped[str | None] = mapped_column(Text)
    error_signature: Mapped[str | None] = mapped_column(String)
    attempts: Mapped[int] = mapped_column(default=0)
    subject_type: Mapped[str | None] = mapped_column(String)
    subject_key: Mapped[str | None] = mapped_column(String)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class IngestWarning(IdMixin, CreatedMixin, Base):
    """Something a person should know about a landed file: ambiguous link, orphan reversal,
    duplicate control number, test interchange, unbalanced remit..."""

    __tablename__ = "ingest_warning"
    __table_args__ = (Index(None, "code", "created_at"),)
    inbound_file_id: Mapped[int | None] = mapped_column(Id, ForeignKey("inbound_file.id"))
    code: Mapped[str] = mapped_column(String)
    subject_type: Mapped[str | None] = mapped_column(String)
    subject_key: Mapped[str | None] = mapped_column(String)
    message: Mapped[str] = mapped_column(Text)
