"""The one writer of a dossier's status, and dossier creation."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dossiers.models import Dossier, DossierFile
from dossiers.services.codes import dossier_code_next
from dossiers.services.events import event_append
from dossiers.services.keys import update_key_generate, update_key_hash
from dossiers.signals import dossier_event
from dossiers.transitions import ALLOWED, PAUSED
from portal.exceptions import InvalidTransition
from procedures import clock
from procedures.calendar import procedure_time_limit, unit_office_hours, work_calendar
from procedures.fees import fee_compute
from procedures.models import Channel, Procedure, ProcedureDocument, Unit
from procedures.receiving import reception_route
from procedures.units import unit_assert_open

if TYPE_CHECKING:
    from dossiers.actions import OfficerAction
    from dossiers.models import DossierEvent
    from dossiers.signatures import FileSeal
    from signing.checks import SignatureCheck

S = Dossier.Status


@transaction.atomic
def dossier_transition(
    *,
    dossier: Dossier,
    to: str,
    actor: AbstractBaseUser | None,
    note: str = "",
    details: dict[str, Any] | None = None,
    changes: dict[str, Any] | None = None,
    at: datetime | None = None,
    actor_label: str = "",
    notify: bool = True,
    notify_context: dict[str, Any] | None = None,
    expected_from: Iterable[str] | None = None,
) -> Dossier:
    """Move `dossier` to `to`. The only code that assigns Dossier.status.

    Steps: lock the row again; check the move on the locked row (and `expected_from`, the
    states the calling action accepts); keep the deadline clock (start at reception, pause in
    supplement/payment, shift the due time on resume); apply `changes` (fields the action sets
    alongside); save; append one chained event; hand it to the listening apps
    (dossiers.signals.dossier_event: the applicant's message, the report summaries, ...).
    """
    at = at or timezone.now()
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    from_status = locked.status
    allowed_from = set(expected_from) if expected_from is not None else None
    if to not in ALLOWED[from_status] or (
        allowed_from is not None and from_status not in allowed_from
    ):
        raise InvalidTransition(
            _("Hồ sơ đang ở trạng thái “%(state)s”, không thể thực hiện thao tác này.")
            % {"state": S(from_status).label},
            extra={"status": from_status, "to": to},
        )
    fields = {"status", "updated_at"}
    locked.status = to
    if from_status == S.SUBMITTED and to == S.RECEIVED:
        locked.received_at = at
        locked.due_at = dossier_compute_due(dossier=locked, received_at=at)
        fields |= {"received_at", "due_at"}
    if to in PAUSED and from_status not in PAUSED:
        locked.paused_at = at
        fields.add("paused_at")
    if from_status in PAUSED and to not in PAUSED:
        if locked.due_at and locked.paused_at:
            locked.due_at = clock.resume_due_at(
                locked.due_at,
                paused_at=locked.paused_at,
                resumed_at=at,
                hours=unit_office_hours(locked.unit),
                calendar=work_calendar(locked.unit),
            )
            fields.add("due_at")
        locked.paused_at = None
        fields.add("paused_at")
    for name, value in (changes or {}).items():
        if name == "status":
            raise ValueError("status is set by `to`, not through changes")
        setattr(locked, name, value)
        fields.add(name)
    locked.save(update_fields=sorted(fields))
    event = event_append(
        dossier=locked,
        from_status=from_status,
        to_status=to,
        actor=actor,
        actor_label=actor_label,
        unit_id=locked.handling_unit_id,
        at=at,
        note=note,
        details=details,
    )
    dossier_event.send(
        sender=Dossier, event=event, dossier=locked, context=notify_context or {}, notify=notify
    )
    return locked


def officer_transition(
    action: OfficerAction, *, details: dict[str, Any] | None = None, **transition: Any
) -> Dossier:
    """dossier_transition (`transition`: its arguments) as the officer action `action`
    (dossiers.actions): only from the states it starts from, its event's details naming it."""
    details = {"action": action.name, **(details or {})}
    return dossier_transition(expected_from=action.states, details=details, **transition)


def dossier_lock_with_due(action: OfficerAction, *, dossier: Dossier, refusal: str) -> Dossier:
    """`dossier` locked, in a state `action` starts from and with a due time (an apology or an
    extension moves it); else InvalidTransition, `refusal` naming the state as %(state)s."""
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if locked.status not in action.states or locked.due_at is None:
        raise InvalidTransition(
            refusal % {"state": S(locked.status).label}, extra={"status": locked.status}
        )
    return locked


def dossier_record(
    *, dossier: Dossier, context: dict[str, Any] | None = None, notify: bool = False, **event: Any
) -> DossierEvent:
    """Record an act that leaves the state as it is (an apology, an extension, a unit's
    closing): an event chained like a move (`event`: event_build's fields; the actor named by
    person_name unless `actor_label` is given), handed to the listening apps like a move's.
    The caller holds the dossier's row lock."""
    event.setdefault("actor_label", person_name(event.get("actor")))
    recorded = event_append(
        dossier=dossier,
        from_status=dossier.status,
        to_status=dossier.status,
        unit_id=dossier.handling_unit_id,
        **event,
    )
    dossier_event.send(
        sender=Dossier, event=recorded, dossier=dossier, context=context or {}, notify=notify
    )
    return recorded


def person_name(user: AbstractBaseUser | None) -> str:
    """A user as events and slips name them: the full name, else the username."""
    if user is None:
        return ""
    return str(user.get_full_name() or user.get_username())


def dossier_compute_due(*, dossier: Dossier, received_at: datetime) -> datetime:
    """The appointment time: the procedure's limit for the channel, on the unit's hours."""
    limit = procedure_time_limit(dossier.procedure, dossier.channel)
    return clock.due_at(
        received_at,
        limit,
        hours=unit_office_hours(dossier.unit),
        calendar=work_calendar(dossier.unit),
    )


@dataclass(frozen=True)
class IncomingFile:
    """A file to attach: already validated by dossiers.uploads (name, extension, content)."""

    document: ProcedureDocument | None
    upload: UploadedFile
    name: str
    extension: str
    content_type: str = ""
    # Set by dossiers.signatures.incoming_sign: the check of the file as it came, and the
    # agency's signature added to it (the upload is then the signed PDF).
    check: SignatureCheck | None = None
    seal: FileSeal | None = None

    def measure(self) -> tuple[int, str]:
        """The upload's size and SHA-256 (hex), read through once; left at its start."""
        digest = hashlib.sha256()
        size = 0
        self.upload.seek(0)
        for chunk in self.upload.chunks():
            digest.update(chunk)
            size += len(chunk)
        self.upload.seek(0)
        return size, digest.hexdigest()


def dossier_file_store(
    *,
    dossier: Dossier,
    incoming: IncomingFile,
    kind: str,
    uploaded_by: AbstractBaseUser | None = None,
) -> DossierFile:
    """Store one file privately with its size, SHA-256 and signature facts (a PDF's
    signatures checked, the agency's own signature recorded)."""
    from dossiers.signatures import file_signature_fields

    size, sha256 = incoming.measure()
    row = DossierFile(
        dossier=dossier,
        document=incoming.document,
        kind=kind,
        token=secrets.token_hex(16),
        extension=incoming.extension,
        original_name=incoming.name,
        size=size,
        sha256=sha256,
        content_type=incoming.content_type,
        uploaded_by=uploaded_by,
        **file_signature_fields(incoming),
    )
    row.file.save(PurePath(incoming.name).name, incoming.upload, save=False)
    row.save()
    return row


@dataclass(frozen=True)
class Applicant:
    name: str
    id_number: str
    phone: str
    address: str
    email: str = ""
    kind: str = Dossier.ApplicantKind.PERSON
    organisation_name: str = ""
    # The national account the applicant signed in with (its TechID) and whether VNeID
    # verified the identity: set by the online submission from the server-side sign-in only.
    tech_id: str = ""
    vneid_verified: bool = False
    # The applicant's commune/ward (a Unit of kind commune), when known.
    commune: Unit | None = None

    @classmethod
    def entered(cls, data: Mapping[str, Any], *, commune: Unit | None) -> Applicant:
        """The applicant as a form or an API body names it (`applicant_name`, …)."""
        return cls(
            name=data["applicant_name"],
            id_number=data["applicant_id_number"],
            phone=data["applicant_phone"],
            address=data["applicant_address"],
            email=data["applicant_email"],
            kind=data.get("applicant_kind", Dossier.ApplicantKind.PERSON),
            organisation_name=data.get("organisation_name", ""),
            commune=commune,
        )


@transaction.atomic
def dossier_create(
    *,
    procedure: Procedure,
    unit: Unit,
    channel: str,
    applicant: Applicant,
    files: Sequence[IncomingFile] = (),
    delivery: str = Dossier.Delivery.COUNTER,
    delivery_address: str = "",
    payment_method: str = "",
    actor: AbstractBaseUser | None = None,
    citizen: AbstractBaseUser | None = None,
    idempotency_key: str | None = None,
    note: str = "",
    at: datetime | None = None,
) -> tuple[Dossier, str]:
    """Create a dossier with its code, files and first event; return it and its update key.

    A unit that no longer exists at `at` refuses (UnitClosed, naming its successor): every
    path - wizard, API, counter, post - comes through here. Online dossiers start as
    `submitted` (the clock starts at reception); counter and postal ones are received at
    once, with their due time. The first event queues the SMS with the
    code and the key after commit. A repeated idempotency_key returns the existing dossier
    (with an empty key: the first SMS already carries it).
    """
    at = at or timezone.now()
    if idempotency_key:
        existing = Dossier.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing, ""
    unit_assert_open(unit=unit, at=at)
    # Who may receive it, and who handles it (Decree 118/2025: procedures.receiving).
    route = reception_route(
        procedure=procedure, unit=unit, applicant_commune=applicant.commune, at=at
    )
    if channel == Channel.ONLINE and not procedure.accepts_online:
        raise ValidationError(
            _(
                "Thủ tục này chưa cung cấp dịch vụ công trực tuyến; vui lòng nộp trực tiếp hoặc "
                "qua bưu chính."
            )
        )
    if delivery == Dossier.Delivery.POST and not delivery_address.strip():
        raise ValidationError({"delivery_address": _("Vui lòng nhập địa chỉ nhận kết quả.")})
    key = update_key_generate()
    code = dossier_code_next(unit=unit, at=at)
    online = channel == Channel.ONLINE
    dossier = Dossier(
        code=code,
        procedure=procedure,
        unit=unit,
        handling_unit=route.handling,
        channel=channel,
        status=S.SUBMITTED,
        applicant_kind=applicant.kind,
        applicant_name=applicant.name.strip(),
        applicant_id_number=applicant.id_number.strip(),
        applicant_phone=applicant.phone,
        applicant_email=applicant.email,
        applicant_address=applicant.address.strip(),
        applicant_commune=applicant.commune,
        organisation_name=applicant.organisation_name,
        applicant_tech_id=applicant.tech_id,
        applicant_vneid_verified=applicant.vneid_verified,
        delivery=delivery,
        delivery_address=delivery_address.strip(),
        payment_method=payment_method,
        fee_vnd=procedure_fee(procedure=procedure, channel=channel),
        update_key_hash=update_key_hash(code=code, key=key),
        citizen=citizen,
        idempotency_key=idempotency_key or None,
        submitted_at=at,
        note=note,
        assigned_to=None if online else actor,
    )
    # The related rows came in as loaded instances: checking again that they exist would be
    # three more queries in every submission.
    dossier.full_clean(
        exclude=[
            "update_key_hash",
            "procedure",
            "unit",
            "handling_unit",
            "applicant_commune",
            "citizen",
            "assigned_to",
        ]
    )
    dossier.save()
    for incoming in files:
        dossier_file_store(
            dossier=dossier, incoming=incoming, kind=DossierFile.Kind.SUBMISSION, uploaded_by=actor
        )
    first = event_append(
        dossier=dossier,
        kind="created",
        to_status=S.SUBMITTED,
        actor=actor,
        actor_label=person_name(actor) if actor is not None else applicant.name,
        unit_id=unit.pk,
        at=at,
        note=note,
        details={
            "channel": channel,
            "files": len(files),
            **({"handling_unit": route.handling.code} if route.handed_over else {}),
        },
    )
    dossier_event.send(
        sender=Dossier, event=first, dossier=dossier, context={"update_key": key}, notify=True
    )
    if not online:
        dossier = dossier_transition(
            dossier=dossier,
            to=S.RECEIVED,
            actor=actor,
            at=at,
            note=_("Tiếp nhận trực tiếp")
            if channel == Channel.COUNTER
            else _("Tiếp nhận qua bưu chính"),
        )
    return dossier, key


def procedure_fee(*, procedure: Procedure, channel: str) -> int:
    """The fee of an ordinary request on the channel (per-page rules: a one-page copy; the
    officer asks the exact amount once the pages are counted). See procedures.fees."""
    return fee_compute(procedure=procedure, channel=channel)
