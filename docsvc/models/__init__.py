"""All models, imported here so Alembic and the app see one metadata."""

from docsvc.models.audit import AuditEvent, AuditHead
from docsvc.models.base import Base
from docsvc.models.bundles import Bundle, BundleVolume
from docsvc.models.cases import Case, Complaint, Inspection, Party, Property, Violation
from docsvc.models.disclosure import (
    DisclosureCase,
    DisclosureException,
    DisclosureItem,
    DisclosureRequest,
    Redaction,
    Release,
    ScanFinding,
)
from docsvc.models.documents import BuildingInspectorNotice, Document, ReturnReceipt, ServiceRecord
from docsvc.models.enforcement import (
    Extension,
    PatrolArea,
    Permit,
    PermitAction,
    PropertyReview,
    Referral,
)
from docsvc.models.files import Attachment, Blob
from docsvc.models.money import (
    Appeal,
    Citation,
    FundEntry,
    LedgerEntry,
    Lien,
    OutreachActivity,
    Settlement,
    Voucher,
)
from docsvc.models.reference import CaseCounter, Jurisdiction
from docsvc.models.retention import DispositionItem, DispositionRun, Hold, HoldScope
from docsvc.models.search import Job, SearchEntry
from docsvc.models.submissions import FormSubmission
from docsvc.models.users import ApiToken, LoginThrottle, User

__all__ = [
    "ApiToken",
    "Appeal",
    "Attachment",
    "AuditEvent",
    "AuditHead",
    "Base",
    "Blob",
    "BuildingInspectorNotice",
    "Bundle",
    "BundleVolume",
    "Case",
    "CaseCounter",
    "Citation",
    "Complaint",
    "DisclosureCase",
    "DisclosureException",
    "DisclosureItem",
    "DisclosureRequest",
    "DispositionItem",
    "DispositionRun",
    "Document",
    "Extension",
    "FormSubmission",
    "FundEntry",
    "Hold",
    "HoldScope",
    "Inspection",
    "Job",
    "Jurisdiction",
    "LedgerEntry",
    "Lien",
    "LoginThrottle",
    "OutreachActivity",
    "Party",
    "PatrolArea",
    "Permit",
    "PermitAction",
    "Property",
    "PropertyReview",
    "Redaction",
    "Referral",
    "Release",
    "ReturnReceipt",
    "ScanFinding",
    "SearchEntry",
    "ServiceRecord",
    "Settlement",
    "User",
    "Violation",
    "Voucher",
]
