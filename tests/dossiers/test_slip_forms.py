"""Slips follow the form set of their event's day, and carry a per-agency, per-year number."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dossiers import slips
from dossiers.models import IssuedSlip
from dossiers.services import actions
from dossiers.services.core import dossier_transition
from dossiers.slip_forms import form_set_on
from tests.dossiers.conftest import S, counter_dossier, vn
from tests.dossiers.test_slips import pdf_text

pytestmark = pytest.mark.django_db


def apologize(dossier, head, at):
    actions.dossier_apologize(
        dossier=dossier,
        actor=head,
        reason="Cần xác minh",
        new_due_at=dossier.due_at + timedelta(days=7),
        at=at,
    )


def stop(dossier, officer, at):
    dossier_transition(dossier=dossier, to=S.WITHDRAWAL_REQUESTED, actor=None, at=at)
    actions.dossier_stop(dossier=dossier, actor=officer, reason="Công dân rút hồ sơ", at=at)


def test_a_2026_dossiers_slips_carry_the_circular_03_2025_titles(
    certified_contract, commune, officer, supervisor
):
    dossier = counter_dossier(certified_contract, commune, officer, vn(2026, 12, 1, 9, 0))
    receipt = pdf_text(slips.slip_pdf(dossier=dossier, form="receipt"))
    assert "Thông tư 03/2025/TT-VPCP" in receipt
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in receipt
    assert "quyển số 01/2026" in receipt
    apologize(dossier, supervisor, vn(2026, 12, 1, 10, 0))
    apology = pdf_text(slips.slip_pdf(dossier=dossier, form="apology"))
    assert "PHIẾU XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT" in apology
    assert "Mẫu số 04" in apology
    control = pdf_text(slips.slip_pdf(dossier=dossier, form="control"))
    assert "Mẫu số 06" in control
    stop(dossier, officer, vn(2026, 12, 2, 9, 0))
    notice = pdf_text(slips.slip_pdf(dossier=dossier, form="stop"))
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in notice
    assert "Công dân rút hồ sơ" in notice
    dossier.refresh_from_db()
    assert ("stop", "Mẫu 05 – Thông báo dừng giải quyết hồ sơ") in slips.slip_links(dossier)


def test_a_2020_dossiers_slips_carry_the_circular_01_2018_titles(
    certified_contract, commune, officer, supervisor
):
    dossier = counter_dossier(certified_contract, commune, officer, vn(2020, 10, 5, 9, 0))
    receipt = pdf_text(slips.slip_pdf(dossier=dossier, form="receipt"))
    assert "Thông tư 01/2018/TT-VPCP" in receipt
    apologize(dossier, supervisor, vn(2020, 10, 5, 10, 0))
    apology = pdf_text(slips.slip_pdf(dossier=dossier, form="apology"))
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in apology
    assert "GIA HẠN" not in apology
    control = pdf_text(slips.slip_pdf(dossier=dossier, form="control"))
    assert "Mẫu số 05" in control
    stop(dossier, officer, vn(2020, 10, 6, 9, 0))
    with pytest.raises(slips.SlipUnavailable):
        slips.slip_pdf(dossier=dossier, form="stop")


def test_the_form_set_changes_on_15_september_2025():
    assert form_set_on(vn(2025, 9, 14).date()).circular == "01/2018/TT-VPCP"
    assert form_set_on(vn(2025, 9, 15).date()).circular == "03/2025/TT-VPCP"


def test_slip_numbers_run_per_agency_per_year_and_stay_on_reprint(
    certified_contract, commune, other_commune, officer
):
    first = counter_dossier(certified_contract, commune, officer, vn(2026, 12, 1, 9, 0))
    second = counter_dossier(certified_contract, commune, officer, vn(2026, 12, 1, 10, 0))
    certified_contract.units.add(other_commune)
    from tests.conftest import make_officer

    other = make_officer("other_desk", other_commune, "desk")
    elsewhere = counter_dossier(certified_contract, other_commune, other, vn(2026, 12, 1, 9, 0))
    next_year = counter_dossier(certified_contract, commune, officer, vn(2027, 1, 4, 9, 0))
    for dossier in (first, second, elsewhere, next_year, first):
        slips.slip_pdf(dossier=dossier, form="receipt")
    numbers = {(s.dossier_id, s.year): s.number for s in IssuedSlip.objects.filter(form="receipt")}
    assert numbers == {
        (first.pk, 2026): 1,
        (second.pk, 2026): 2,
        (elsewhere.pk, 2026): 1,
        (next_year.pk, 2027): 1,
    }
    assert "Số: 2/TNHS" in pdf_text(slips.slip_pdf(dossier=second, form="receipt"))
