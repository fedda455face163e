"""Dossiers (hồ sơ), their files, their append-only event chain and the code sequence
(`dossier.py`); the records of the officers' steps (`records.py`); the numbered slips and the
counter's written guidance (`slips.py`)."""

from dossiers.models.dossier import (
    ACTIVE_STATES,
    OPEN_STATES,
    STATUS_CODES,
    DailySequence,
    Dossier,
    DossierAccess,
    DossierEvent,
    DossierFile,
    dossier_file_path,
)
from dossiers.models.records import Apology, Extension, Handover, Shipment, SupplementRequest
from dossiers.models.slips import CounterGuidance, IssuedSlip, SlipCounter

__all__ = [
    "ACTIVE_STATES",
    "OPEN_STATES",
    "STATUS_CODES",
    "Apology",
    "CounterGuidance",
    "DailySequence",
    "Dossier",
    "DossierAccess",
    "DossierEvent",
    "DossierFile",
    "Extension",
    "Handover",
    "IssuedSlip",
    "Shipment",
    "SlipCounter",
    "SupplementRequest",
    "dossier_file_path",
]
