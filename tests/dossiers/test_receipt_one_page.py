"""Mẫu 01 fits one A5 page, signatures included, and is signed with the name as written."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from pypdf import PdfReader

from dossiers import slips
from portal.models import Membership, Role
from portal.names import full_name_fields
from procedures.models import ProcedureDocument
from tests.dossiers.conftest import counter_dossier, vn

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk_officer_mai(commune):
    user = get_user_model().objects.create_user(
        username="mai", password="pw-mai", **full_name_fields("Lò Thị Mai")
    )
    Membership.objects.create(user=user, unit=commune, role=Role.DESK)
    return user


def test_a_long_receipt_stays_on_one_page_signed_lo_thi_mai(
    certified_contract, commune, desk_officer_mai
):
    for n in range(8):
        ProcedureDocument.objects.create(
            procedure=certified_contract,
            name=f"Bản sao giấy tờ chứng minh quyền sở hữu, quyền sử dụng tài sản số {n + 1} "
            "do cơ quan có thẩm quyền cấp (nếu có)",
            order=n + 2,
        )
    dossier = counter_dossier(certified_contract, commune, desk_officer_mai, vn(2026, 3, 2, 9, 15))
    reader = PdfReader(io.BytesIO(slips.slip_pdf(dossier=dossier, form="receipt")))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Lò Thị Mai" in text
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in text
