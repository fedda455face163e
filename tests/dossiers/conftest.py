"""Fixtures of the officers' workflow: more personas and dossiers in every state."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dossiers.models import Dossier
from dossiers.services import actions, reception
from dossiers.services.core import Applicant, IncomingFile, dossier_create, dossier_transition
from portal.models import Role
from tests.conftest import make_officer

VN = ZoneInfo("Asia/Ho_Chi_Minh")
S = Dossier.Status
APPLICANT = Applicant(
    name="Nguyễn Văn An",
    id_number="012345678901",
    phone="0912345678",
    address="Bản Nà Khoa, xã Mường Khoa",
    email="an@example.vn",
)


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN)


@pytest.fixture
def admin_officer(district):
    """An administrator of the district: every unit below it, every action."""
    return make_officer("admin_officer", district, Role.ADMIN)


@pytest.fixture
def reporting(district):
    return make_officer("reporting", district, Role.REPORTING)


PDF_BYTES = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def pdf_upload(name: str = "scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def incoming(document=None, name: str = "scan.pdf") -> IncomingFile:
    return IncomingFile(
        document=document,
        upload=pdf_upload(name),
        name=name,
        extension=".pdf",
        content_type="application/pdf",
    )


def counter_dossier(procedure, unit, actor, at: datetime | None = None) -> Dossier:
    """A dossier received at the counter by `actor`, every document of the checklist ticked."""
    dossier, _ = reception.dossier_receive_at_counter(
        procedure=procedure,
        unit=unit,
        channel="counter",
        applicant=APPLICANT,
        actor=actor,
        checklist=list(procedure.documents.values_list("pk", flat=True)),
        at=at,
    )
    return dossier


def online_dossier(procedure, unit, *, at: datetime | None = None) -> Dossier:
    dossier, _ = dossier_create(
        procedure=procedure,
        unit=unit,
        channel="online",
        applicant=APPLICANT,
        at=at,
        files=[incoming(d) for d in procedure.documents.all()],
    )
    return dossier


def dossier_in_state(state: str, *, procedure, unit, actor) -> Dossier:
    """A fresh online dossier brought to `state` through the services."""
    d = online_dossier(procedure, unit)
    if state == S.SUBMITTED:
        return d
    if state == S.REFUSED:
        return actions.dossier_refuse(dossier=d, actor=actor, reason="Không thuộc thẩm quyền")
    if state == S.SUPPLEMENT_REQUESTED:
        actions.dossier_request_supplement(
            dossier=d,
            actor=actor,
            reason="Thiếu giấy tờ",
            document_ids=[procedure.documents.first().pk],
        )
        return Dossier.objects.get(pk=d.pk)
    d = actions.dossier_receive(dossier=d, actor=actor)
    if state == S.RECEIVED:
        return d
    if state == S.WITHDRAWAL_REQUESTED:
        return dossier_transition(
            dossier=d, to=S.WITHDRAWAL_REQUESTED, actor=None, actor_label="Công dân", note="Xin rút"
        )
    if state == S.STOPPED:
        d = dossier_transition(dossier=d, to=S.WITHDRAWAL_REQUESTED, actor=None, note="Xin rút")
        return actions.dossier_stop(dossier=d, actor=actor, reason="Công dân rút hồ sơ")
    d = actions.dossier_transfer(dossier=d, actor=actor, to_unit=unit)
    if state == S.PROCESSING:
        return d
    if state == S.AWAITING_PAYMENT:
        actions.dossier_request_payment(dossier=d, actor=actor, amount_vnd=8000)
        return Dossier.objects.get(pk=d.pk)
    d = actions.dossier_resolve(
        dossier=d, actor=actor, outcome="approved", result_file=incoming(name="ket-qua.pdf")
    )
    if state == S.RESOLVED:
        return d
    assert state == S.RETURNED
    return actions.dossier_return(
        dossier=d, actor=actor, method="counter", recipient_name="Nguyễn Văn An"
    )
