"""The journeys' small world: a district, two communes, a desk, a catalogue with a fee."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal.models import Role
from procedures.models import Unit
from tests.conftest import make_procedure
from tests.e2e.helpers import officer_user

NAME = "Nguyễn Thị Hoa"
ID_NUMBER = "012345678901"
PHONE_TYPED = "0912 345 678"
PHONE = "+84912345678"
STREET = "Bản Nà Bó"


@dataclass
class World:
    district: Unit
    commune: Unit
    other_commune: Unit
    justice_office: Unit
    procedure: Any
    desk: Any
    specialist: Any
    head: Any
    leader: Any


def world_build() -> World:
    province = Unit.objects.create(code="12", name="Tỉnh Lai Châu", kind=Unit.Kind.PROVINCE)
    district = Unit.objects.create(
        code="111", name="Huyện Tân Uyên", kind=Unit.Kind.DISTRICT, parent=province
    )
    Unit.objects.create(
        code="111-TNTKQ",
        name="Bộ phận TN&TKQ huyện Tân Uyên",
        kind=Unit.Kind.AGENCY,
        parent=district,
        e_id="000.00.11.H33",
        is_one_stop_desk=True,
        is_reporting_unit=True,
        report_order=1,
    )
    justice = Unit.objects.create(
        code="111-TP",
        name="Phòng Tư pháp",
        kind=Unit.Kind.AGENCY,
        parent=district,
        e_id="000.02.11.H33",
    )
    commune = Unit.objects.create(
        code="03601",
        name="UBND xã Mường Khoa",
        kind=Unit.Kind.COMMUNE,
        parent=district,
        e_id="000.41.11.H33",
        stat_code="03601",
        is_reporting_unit=True,
        report_order=2,
        address="Bản Mường Khoa, xã Mường Khoa",
    )
    other = Unit.objects.create(
        code="03613",
        name="UBND xã Nậm Sỏ",
        kind=Unit.Kind.COMMUNE,
        parent=district,
        e_id="000.42.11.H33",
        stat_code="03613",
        is_reporting_unit=True,
        report_order=4,
    )
    procedure = make_procedure(
        code="1.001193",
        name="Đăng ký khai sinh",
        level=4,
        units=[commune, other],
        working_days="3",
        fee_vnd=8_000,
        documents=("Tờ khai đăng ký khai sinh", "Giấy chứng sinh"),
    )
    make_procedure(
        code="2.001035",
        name="Chứng thực hợp đồng, giao dịch",
        level=2,
        units=[commune],
        working_days="2",
        fee_vnd=50_000,
        field="Chứng thực",
    )
    return World(
        district=district,
        commune=commune,
        other_commune=other,
        justice_office=justice,
        procedure=procedure,
        desk=officer_user("mot-cua", commune, Role.DESK, full_name="Lò Văn Tiếp"),
        specialist=officer_user("tu-phap", commune, Role.SPECIALIST, full_name="Tòng Thị Xử"),
        head=officer_user("chu-tich", commune, Role.HEAD, full_name="Vàng A Chủ"),
        leader=officer_user("lanh-dao", district, Role.LEADER, full_name="Lù Văn Đạo"),
    )


def online_dossier(world: World, *, at: Any = None) -> Any:
    """An online dossier submitted through the core service (what the wizard calls), by post."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dossiers.models import Dossier
    from dossiers.services.core import Applicant, IncomingFile, dossier_create
    from procedures.models import Channel

    pdf = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    files = [
        IncomingFile(
            document=d,
            upload=SimpleUploadedFile(f"giay-to-{d.pk}.pdf", pdf),
            name=f"giay-to-{d.pk}.pdf",
            extension=".pdf",
            content_type="application/pdf",
        )
        for d in world.procedure.documents.all()
    ]
    address = f"{STREET}, Xã Mường Khoa, tỉnh Lai Châu"
    dossier, _key = dossier_create(
        procedure=world.procedure,
        unit=world.commune,
        channel=Channel.ONLINE,
        applicant=Applicant(name=NAME, id_number=ID_NUMBER, phone=PHONE, address=address),
        files=files,
        delivery=Dossier.Delivery.POST,
        delivery_address=address,
        payment_method="online",
        **({"at": at} if at else {}),
    )
    return dossier
