"""Every canonical table, importable from one place (Alembic's autogenerate reads ``Base``)."""

from rcmwatch.store.models.base import Base
from rcmwatch.store.models.claims import (
    AckError,
    AckSet,
    Claim,
    ClaimLine,
    ClaimOtherPayer,
    ClaimStatus,
    ClaimVersion,
    Diagnosis,
    Encounter,
    Submission,
)
from rcmwatch.store.models.erp import Payment, Posting, Receivable, Revenue, WriteOff
from rcmwatch.store.models.integration import (
    InboundFile,
    IngestWarning,
    Interchange,
    InterfaceMessage,
)
from rcmwatch.store.models.operations import (
    AppState,
    AuditAnchor,
    AuditEvent,
    CollectorRun,
    DqFailingKey,
    DqResult,
    DqRun,
    Job,
    MetricSnapshot,
    SchedulerLock,
    SourceState,
)
from rcmwatch.store.models.people import Guarantor, GuarantorPhi, Patient, PatientPhi
from rcmwatch.store.models.reference import (
    AppUser,
    Facility,
    FacilityNpi,
    FeeScheduleEntry,
    Payer,
    PayerIdentifier,
    Role,
    UserFacility,
    UserRole,
)
from rcmwatch.store.models.remits import (
    Adjustment,
    ClaimPayment,
    ProviderAdjustment,
    RemarkCode,
    RemitTransaction,
    ServiceLinePayment,
)
from rcmwatch.store.models.work import (
    AutomatedDecision,
    CarcCategory,
    GovernedVersion,
    Override,
    WorkItem,
)

__all__ = [
    "AckError", "AckSet", "Adjustment", "AppState", "AppUser", "AuditAnchor", "AuditEvent",
    "AutomatedDecision", "Base", "CarcCategory", "Claim", "ClaimLine", "ClaimOtherPayer",
    "ClaimPayment", "ClaimStatus", "ClaimVersion", "CollectorRun", "Diagnosis", "DqFailingKey",
    "DqResult", "DqRun", "Encounter", "Facility", "FacilityNpi", "FeeScheduleEntry",
    "GovernedVersion", "Guarantor", "GuarantorPhi", "InboundFile", "IngestWarning", "Interchange",
    "InterfaceMessage", "Job", "MetricSnapshot", "Override", "Patient", "PatientPhi", "Payer",
    "PayerIdentifier", "Payment", "Posting", "ProviderAdjustment", "Receivable", "RemarkCode",
    "RemitTransaction", "Revenue", "Role", "SchedulerLock", "ServiceLinePayment", "SourceState",
    "Submission", "UserFacility", "UserRole", "WorkItem", "WriteOff",
]  # fmt: skip
