"""Fixtures of the citizens' tests: real files of each type, the wizard driven page by page."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from dossiers.models import Dossier
from notifications.models import SmsMessage

PHONE_TYPED = "0912 345 678"
PHONE = "+84912345678"
ID_NUMBER = "012345678901"
NAME = "Nguyễn Văn An"
PROVINCE = "12"  # Lai Châu
WARD = "3601"  # Xã Mường Khoa
STREET = "Bản Nà Bó"
ADDRESS = "Bản Nà Bó, Xã Mường Khoa, tỉnh Lai Châu"


@pytest.fixture(autouse=True)
def _citizen_settings(settings):
    settings.MOTCUA_CAPTCHA_TEST_MODE = True
    settings.SMS_BACKEND = "outbox"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    cache.clear()  # throttles and login counters live in the cache
    yield
    cache.clear()


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def image_bytes(fmt: str = "PNG") -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


def zip_bytes(entries: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, text in entries.items():
            z.writestr(name, text)
    return out.getvalue()


def docx_bytes() -> bytes:
    return zip_bytes({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"})


def doc_bytes() -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2040


def upload(name: str = "to-khai.pdf", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes() if content is None else content)


def sms_for(dossier: Dossier) -> list[SmsMessage]:
    return list(SmsMessage.objects.filter(dossier=dossier).order_by("id"))


def key_from_sms(body: str) -> str:
    match = re.search(r"Mã tra cứu(?: mới)?(?: của hồ sơ \S+)?: ([A-Z0-9]{8,})", body)
    assert match, body
    return match.group(1)


APPLICANT_POST = {
    "kind": "person",
    "full_name": NAME,
    "id_number": ID_NUMBER,
    "phone": PHONE_TYPED,
    "email": "an@example.vn",
    "province": PROVINCE,
    "ward": WARD,
    "street": STREET,
}


class Wizard:
    """Drives the submission pages like a browser would."""

    def __init__(self, client: Client, procedure: Any) -> None:
        self.client = client
        self.procedure = procedure
        self.token = ""

    def url(self, slug: str) -> str:
        return reverse("citizen-step", args=[self.procedure.code, self.token, slug])

    def start(self) -> Any:
        response = self.client.post(reverse("citizen-start", args=[self.procedure.code]))
        assert response.status_code == 302, response
        self.token = response.url.rstrip("/").split("/")[-2]
        return response

    def post(self, slug: str, data: dict[str, Any], **kw: Any) -> Any:
        return self.client.post(self.url(slug), data, **kw)

    def unit(self, code: str) -> Any:
        return self.post("don-vi", {"unit": code})

    def applicant(self, **changes: Any) -> Any:
        return self.post("nguoi-nop", {**APPLICANT_POST, **changes})

    def documents(
        self, files: dict[int, list[SimpleUploadedFile]] | None = None, action: str = "continue"
    ) -> Any:
        if files is None:
            files = {d.pk: [upload(f"giay-to-{d.pk}.pdf")] for d in self.procedure.documents.all()}
        data: dict[str, Any] = {"action": action}
        for pk, items in files.items():
            data[f"document_{pk}"] = items
        return self.post("giay-to", data)

    def delivery(self, **data: Any) -> Any:
        return self.post("nhan-ket-qua", {"delivery": "counter", **data})

    def review(self) -> Any:
        return self.post("kiem-tra", {})

    def confirm(self, **changes: Any) -> Any:
        data = {
            "captcha_key": "",
            "captcha_value": "PASSED",
            "payment_method": "none",
            "declaration": "on",
            **changes,
        }
        return self.post("xac-nhan", {k: v for k, v in data.items() if v is not None})

    def to_confirmation(self, unit: Any) -> None:
        """Every page before the confirmation, each answered and accepted."""
        self.start()
        assert self.unit(unit.code).status_code == 302
        assert self.applicant().status_code == 302
        assert self.documents().status_code == 302
        assert self.delivery().status_code == 302
        assert self.review().status_code == 302

    def all_steps(self, unit: Any) -> Any:
        self.to_confirmation(unit)
        return self.confirm()


@pytest.fixture
def wizard(client, birth_registration) -> Wizard:
    return Wizard(client, birth_registration)


@pytest.fixture
def submit_online(commune, birth_registration, django_capture_on_commit_callbacks):
    """Submit an online dossier through the core service; return (dossier, key from the SMS)."""
    from dossiers.services.core import Applicant, IncomingFile, dossier_create
    from procedures.models import Channel

    def make(**kwargs: Any) -> tuple[Dossier, str]:
        files = [
            IncomingFile(
                document=d,
                upload=upload(f"d{d.pk}.pdf"),
                name=f"d{d.pk}.pdf",
                extension=".pdf",
                content_type="application/pdf",
            )
            for d in birth_registration.documents.all()
        ]
        with django_capture_on_commit_callbacks(execute=True):
            dossier, _key = dossier_create(
                procedure=birth_registration,
                unit=commune,
                channel=Channel.ONLINE,
                applicant=Applicant(name=NAME, id_number=ID_NUMBER, phone=PHONE, address=ADDRESS),
                files=files,
                **kwargs,
            )
        key = key_from_sms(sms_for(dossier)[-1].body)
        return dossier, key

    return make


@pytest.fixture
def dossier_and_key(submit_online):
    return submit_online()
