"""The submission wizard, driven page by page with the test client."""

from __future__ import annotations

import pytest
from django.urls import reverse

from citizens.models import Draft
from dossiers.models import Dossier, DossierFile
from tests.citizens.conftest import ADDRESS, ID_NUMBER, NAME, PHONE, key_from_sms, sms_for, upload

pytestmark = pytest.mark.django_db


def test_a_full_submission_creates_one_dossier_and_one_sms_with_a_working_key(
    wizard, commune, django_capture_on_commit_callbacks, client
):
    with django_capture_on_commit_callbacks(execute=True):
        response = wizard.all_steps(commune)
    assert response.status_code == 302
    draft = Draft.objects.get(token=wizard.token)
    assert response.url == reverse("citizen-done", args=[wizard.procedure.code, draft.token])
    dossier = Dossier.objects.get()
    assert draft.dossier == dossier
    assert dossier.status == Dossier.Status.SUBMITTED
    assert dossier.channel == "online"
    assert dossier.unit == commune
    assert (dossier.applicant_name, dossier.applicant_id_number, dossier.applicant_phone) == (
        NAME,
        ID_NUMBER,
        PHONE,
    )
    assert dossier.applicant_address == ADDRESS
    assert dossier.files.filter(kind=DossierFile.Kind.SUBMISSION).count() == 2
    messages = sms_for(dossier)
    assert len(messages) == 1
    assert messages[0].to == PHONE
    assert dossier.code in messages[0].body
    key = key_from_sms(messages[0].body)

    page = client.get(response.url)
    assert dossier.code in page.content.decode()
    assert key not in page.content.decode()

    lookup = client.post(reverse("citizen-lookup"), {"code": dossier.code, "key": key})
    assert lookup.status_code == 302
    detail = client.get(lookup.url).content.decode()
    assert ID_NUMBER in detail  # unmasked with the key


def test_it_shows_step_n_of_m(wizard):
    wizard.start()
    page = wizard.client.get(wizard.url("don-vi")).content.decode()
    assert "Bước 1/6" in page
    page = wizard.client.get(wizard.url("nguoi-nop")).content.decode()
    assert "Bước 2/6" in page


def test_a_procedure_with_one_unit_skips_the_unit_step(client, commune, birth_registration):
    birth_registration.units.set([commune])
    response = client.post(reverse("citizen-start", args=[birth_registration.code]))
    assert response.url.endswith("/nguoi-nop/")
    assert "Bước 1/5" in client.get(response.url).content.decode()


# --- Refusals: each keeps the draft and makes no dossier ---------------------------------


def _draft(wizard) -> Draft:
    return Draft.objects.get(token=wizard.token)


def _to_documents(wizard, commune):
    wizard.start()
    wizard.unit(commune.code)
    wizard.applicant()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("anh.pdf", None, "không đúng với đuôi"),
        ("rong.pdf", b"", "rỗng"),
        ("chuong-trinh.exe", b"MZ" + b"\0" * 50, "định dạng không được chấp nhận"),
    ],
)
def test_a_refused_file_is_reported_next_to_its_document_and_nothing_is_lost(
    wizard, commune, name, content, message
):
    from tests.citizens.conftest import image_bytes

    _to_documents(wizard, commune)
    doc = wizard.procedure.documents.order_by("order").first()
    good = upload("giay-chung-sinh.pdf")
    other = wizard.procedure.documents.order_by("order").last()
    bad = upload(name, image_bytes() if content is None else content)
    response = wizard.documents({doc.pk: [bad], other.pk: [good]})
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert f'id="id_document_{doc.pk}-error"' in page
    assert f'href="#id_document_{doc.pk}"' in page  # the summary links to the control
    draft = _draft(wizard)
    assert list(draft.files.values_list("original_name", flat=True)) == ["giay-chung-sinh.pdf"]
    assert draft.data["applicant"]["full_name"] == NAME
    assert "documents" not in draft.data["valid"]
    assert Dossier.objects.count() == 0


def test_an_over_limit_file_answers_413_with_the_message_next_to_it(wizard, commune, settings):
    _to_documents(wizard, commune)
    settings.UPLOAD_MAX_BYTES = 50
    doc = wizard.procedure.documents.first()
    response = wizard.documents({doc.pk: [upload("lon.pdf")]})
    assert response.status_code == 413
    assert "vượt quá dung lượng" in response.content.decode()
    assert _draft(wizard).files.count() == 0
    assert Dossier.objects.count() == 0


def test_a_path_in_the_file_name_is_stripped_and_the_file_stored_under_a_random_name(
    wizard, commune, settings
):
    _to_documents(wizard, commune)
    doc = wizard.procedure.documents.first()
    response = wizard.documents({doc.pk: [upload("../../../etc/to-khai.pdf")]}, action="upload")
    assert response.status_code == 302
    row = _draft(wizard).files.get()
    assert row.original_name == "to-khai.pdf"
    stored = (settings.MEDIA_ROOT / row.file.name).resolve()
    assert stored.is_relative_to((settings.MEDIA_ROOT / "drafts").resolve())
    assert "to-khai" not in row.file.name


def test_an_over_long_file_name_is_shortened(wizard, commune):
    _to_documents(wizard, commune)
    doc = wizard.procedure.documents.first()
    wizard.documents({doc.pk: [upload("b" * 300 + ".pdf")]}, action="upload")
    assert _draft(wizard).files.get().original_name == "b" * 150 + ".pdf"


def test_a_missing_required_document_stops_the_step_and_the_submission(wizard, commune):
    _to_documents(wizard, commune)
    first, _second = wizard.procedure.documents.order_by("order")
    response = wizard.documents({first.pk: [upload()]})
    assert response.status_code == 200
    assert "Vui lòng đính kèm “Giấy chứng sinh”" in response.content.decode()
    wizard.delivery()
    # The last step sends back to the incomplete step; no dossier.
    response = wizard.client.get(wizard.url("xac-nhan"))
    assert response.url == wizard.url("giay-to")
    assert wizard.confirm().url == wizard.url("giay-to")
    assert Dossier.objects.count() == 0


def test_removing_a_file_makes_a_required_document_missing_again(wizard, commune):
    _to_documents(wizard, commune)
    assert wizard.documents().status_code == 302
    assert "documents" in _draft(wizard).data["valid"]
    row = _draft(wizard).files.first()
    wizard.post("giay-to", {"remove": row.pk})
    assert "documents" not in _draft(wizard).data["valid"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone", "024 3825 1234", "Số điện thoại di động không hợp lệ"),
        ("phone", "12345", "Số điện thoại di động không hợp lệ"),
        ("id_number", "12345678901", "gồm đúng 12 chữ số"),
        ("id_number", "01234567890A", "gồm đúng 12 chữ số"),
        ("full_name", "", "Vui lòng nhập họ và tên"),
        ("ward", "3598", "không thuộc tỉnh"),  # a commune of Lai Châu chosen with Hà Nội
    ],
)
def test_a_bad_applicant_field_is_refused_and_what_was_typed_is_kept(
    wizard, commune, client, field, value, message
):
    wizard.start()
    wizard.unit(commune.code)
    changes = {field: value}
    if field == "ward":
        changes["province"] = "1"
    response = wizard.applicant(**changes)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert 'class="error-summary"' in page
    assert 'aria-invalid="true"' in page
    saved = _draft(wizard).data["applicant"]
    assert saved[field] == value
    assert saved["street"] == "Bản Nà Bó"
    assert "applicant" not in _draft(wizard).data["valid"]
    # A closed tab: coming back shows the same input and the same error.
    again = client.get(wizard.url("nguoi-nop")).content.decode()
    assert message in again
    assert "Bản Nà Bó" in again
    assert Dossier.objects.count() == 0


def test_the_phone_is_normalised_to_e164(wizard, commune):
    wizard.start()
    wizard.unit(commune.code)
    wizard.applicant(phone="+84 912.345.678")
    assert _draft(wizard).data["applicant"]["phone_e164"] == "+84912345678"


def test_an_organisation_needs_its_name_and_a_tax_code(wizard, commune):
    wizard.start()
    wizard.unit(commune.code)
    response = wizard.applicant(kind="organisation", organisation_name="", id_number="0101")
    page = response.content.decode()
    assert "Vui lòng nhập tên tổ chức" in page
    assert "Mã số doanh nghiệp" in page
    response = wizard.applicant(
        kind="organisation", organisation_name="HTX Mường Khoa", id_number="0101234567-001"
    )
    assert response.status_code == 302


def test_no_declaration_means_no_dossier_and_the_draft_stays(wizard, commune):
    wizard.to_confirmation(commune)
    response = wizard.confirm(declaration=None)
    assert response.status_code == 200
    assert "Tôi xin chịu trách nhiệm trước pháp luật về lời khai trên" in response.content.decode()
    assert Dossier.objects.count() == 0
    assert _draft(wizard).files.count() == 2
    assert wizard.confirm().status_code == 302
    assert Dossier.objects.count() == 1


def test_a_wrong_captcha_means_no_dossier_and_a_new_challenge(wizard, commune, settings):
    from captcha.models import CaptchaStore

    settings.MOTCUA_CAPTCHA_TEST_MODE = False
    wizard.to_confirmation(commune)
    page = wizard.client.get(wizard.url("xac-nhan"))
    key = page.context["captcha"]["key"]
    response = wizard.confirm(captcha_key=key, captcha_value="WRONG")
    assert response.status_code == 200
    assert "Mã xác nhận không đúng" in response.content.decode()
    assert Dossier.objects.count() == 0
    assert not CaptchaStore.objects.filter(hashkey=key).exists()  # used up
    new = response.context["captcha"]["key"]
    assert new != key
    answer = CaptchaStore.objects.get(hashkey=new).response
    assert wizard.confirm(captcha_key=new, captcha_value=answer.upper()).status_code == 302
    assert Dossier.objects.count() == 1


def test_the_test_answer_is_refused_when_test_mode_is_off(wizard, commune, settings):
    settings.MOTCUA_CAPTCHA_TEST_MODE = False
    wizard.to_confirmation(commune)
    assert wizard.confirm(captcha_value="PASSED").status_code == 200
    assert Dossier.objects.count() == 0


def test_a_duplicate_submit_creates_one_dossier_and_one_sms(
    wizard, commune, django_capture_on_commit_callbacks
):
    from notifications.models import SmsMessage

    wizard.to_confirmation(commune)
    with django_capture_on_commit_callbacks(execute=True):
        first = wizard.confirm()
        second = wizard.confirm()
    assert first.status_code == second.status_code == 302
    assert second.url == first.url
    assert Dossier.objects.count() == 1
    assert SmsMessage.objects.count() == 1


def test_submitting_the_same_draft_twice_through_the_service_returns_the_same_dossier(
    wizard, commune
):
    from citizens.services import draft_submit

    wizard.to_confirmation(commune)
    draft = _draft(wizard)
    first = draft_submit(draft=draft, payment_method="none", captcha_key="", captcha_value="PASSED")
    again = draft_submit(
        draft=Draft.objects.get(pk=draft.pk),
        payment_method="none",
        captcha_key="",
        captcha_value="PASSED",
    )
    assert first.pk == again.pk
    assert Dossier.objects.count() == 1


def test_after_submission_the_draft_files_are_released_and_the_dossier_keeps_copies(
    wizard, commune, django_capture_on_commit_callbacks, settings
):
    with django_capture_on_commit_callbacks(execute=True):
        wizard.all_steps(commune)
    assert _draft(wizard).files.count() == 0
    dossier = Dossier.objects.get()
    for row in dossier.files.all():
        assert row.file.storage.exists(row.file.name)
        assert row.sha256
        assert row.size > 0


# --- Nothing lost, nobody else's draft ---------------------------------------------------


def test_a_draft_resumes_from_the_start_page_after_closing_the_tab(wizard, commune, client):
    wizard.start()
    wizard.unit(commune.code)
    wizard.applicant()
    start = client.get(reverse("citizen-start", args=[wizard.procedure.code]))
    assert wizard.token in start.content.decode()
    page = client.get(wizard.url("nguoi-nop")).content.decode()
    assert NAME in page
    assert "0912 345 678" in page


def test_another_browser_cannot_open_the_draft(wizard, commune):
    from django.test import Client

    wizard.start()
    wizard.applicant()
    assert Client().get(wizard.url("nguoi-nop")).status_code == 404


def test_post_delivery_without_javascript_copies_the_applicant_address(wizard, commune):
    wizard.start()
    wizard.unit(commune.code)
    wizard.applicant()
    response = wizard.delivery(delivery="post", copy_applicant_address="on")
    assert response.status_code == 302
    wizard.documents()
    wizard.review()
    wizard.confirm(payment_method="none")
    assert Dossier.objects.get().delivery_address == ADDRESS


def test_post_delivery_needs_an_address(wizard, commune):
    wizard.start()
    wizard.unit(commune.code)
    wizard.applicant()
    response = wizard.delivery(delivery="post")
    assert response.status_code == 200
    assert "Vui lòng nhập số nhà" in response.content.decode()


def test_the_province_refresh_button_lists_that_province_communes(wizard, commune):
    wizard.start()
    response = wizard.applicant(province="1", ward="", refresh_wards="1")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Phường Hoàn Kiếm" in page
    assert "Vui lòng" not in page  # no errors shown for a refresh


def test_the_wards_endpoint_lists_communes_of_a_province(client):
    data = client.get(reverse("citizen-wards", args=["12"])).json()["wards"]
    assert {"code": "3601", "name": "Xã Mường Khoa"} in data


# --- Levels, fees, confirmation ----------------------------------------------------------


def test_a_level_2_procedure_shows_where_and_how_to_submit(client, certified_contract, commune):
    commune.address = "Bản Mường Khoa"
    commune.save()
    url = reverse("citizen-start", args=[certified_contract.code])
    page = client.get(url).content.decode()
    assert "chưa nhận hồ sơ trực tuyến" in page
    assert "Bản Mường Khoa" in page
    assert "Gửi qua bưu điện" in page
    assert "<form" not in page.split('id="main"')[1].split("</main>")[0].replace(
        'class="lang-switch"', ""
    )
    client.post(url)
    assert Draft.objects.count() == 0


def test_a_level_4_fee_is_shown_and_paid_by_a_listed_method(client, commune):
    from tests.citizens.conftest import Wizard
    from tests.conftest import make_procedure

    procedure = make_procedure(
        code="2.000884",
        name="Chứng thực chữ ký",
        level=4,
        units=[commune],
        fee_vnd=10_000,
        documents=("Giấy tờ",),
    )
    wizard = Wizard(client, procedure)
    wizard.start()
    wizard.applicant()
    wizard.documents()
    wizard.delivery()
    wizard.review()
    page = client.get(wizard.url("xac-nhan")).content.decode()
    assert "10.000 đồng" in page
    # No gateway is configured here: a transfer is offered, no national portal promised.
    assert "Chuyển khoản qua ngân hàng sau khi nộp hồ sơ" in page
    assert "quốc gia" not in page
    assert wizard.confirm(payment_method="none").status_code == 200
    assert wizard.confirm(payment_method="online").status_code == 302
    dossier = Dossier.objects.get()
    assert (dossier.fee_vnd, dossier.payment_method) == (10_000, "online")


def test_the_acknowledgement_pdf_has_the_code_and_the_lookup_link_but_no_key(
    wizard, commune, client, django_capture_on_commit_callbacks
):
    import io

    from pypdf import PdfReader

    with django_capture_on_commit_callbacks(execute=True):
        wizard.all_steps(commune)
    dossier = Dossier.objects.get()
    key = key_from_sms(sms_for(dossier)[0].body)
    response = client.get(
        reverse("citizen-acknowledgement", args=[wizard.procedure.code, wizard.token])
    )
    assert response["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    flat = " ".join(text.split())
    assert dossier.code in flat
    assert f"/tra-cuu/?code={dossier.code}" in flat.replace(" ", "")
    assert key not in flat
    assert "/Image" in response.content.decode("latin-1") or b"/Image" in response.content


def test_the_qr_code_points_to_the_lookup(settings):
    from citizens.pdf import lookup_url

    settings.SITE_URL = "https://motcua.example"
    assert lookup_url("000.41.11.H33-251127-0001") == (
        "https://motcua.example/tra-cuu/?code=000.41.11.H33-251127-0001"
    )


def test_the_privacy_notice_is_shown_before_submitting(wizard, commune):
    wizard.to_confirmation(commune)
    page = wizard.client.get(wizard.url("xac-nhan")).content.decode()
    for words in ("91/2025", "Dữ liệu thu thập", "Mục đích", "Ai được xem", "Thời gian lưu"):
        assert words in page


def test_old_drafts_and_their_files_are_purged(wizard, commune):
    from datetime import timedelta
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    _to_documents(wizard, commune)
    wizard.documents(action="upload")
    draft = _draft(wizard)
    stored = [row.file.name for row in draft.files.all()]
    storage = draft.files.first().file.storage
    call_command("purge_drafts", stdout=StringIO())
    assert Draft.objects.filter(pk=draft.pk).exists()  # recent: kept
    Draft.objects.filter(pk=draft.pk).update(updated_at=timezone.now() - timedelta(days=8))
    out = StringIO()
    call_command("purge_drafts", stdout=out)
    assert "1 draft" in out.getvalue()
    assert not Draft.objects.filter(pk=draft.pk).exists()
    assert stored
    assert not any(storage.exists(name) for name in stored)


def test_a_malformed_file_to_remove_is_a_400(wizard, commune):
    wizard.start()
    wizard.unit(commune.code)
    response = wizard.post("giay-to", {"remove": "²"})
    assert response.status_code == 400


def test_a_name_with_a_line_break_is_refused_and_kept(wizard, commune):
    wizard.start()
    wizard.unit(commune.code)
    typed = "Nguyễn Văn An\nMã tra cứu: ABCD1234"
    response = wizard.applicant(full_name=typed)
    assert response.status_code == 200
    assert "full_name" in response.context["form"].errors
    draft = Draft.objects.get(token=wizard.token)
    assert "applicant" not in draft.data["valid"]
    assert draft.data["applicant"]["full_name"] == typed
