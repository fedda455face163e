"""Payment pages: citizens' payment page and receipts, officers' reconciliation and actions."""

from __future__ import annotations

import base64
import csv
import io
import re
from datetime import timedelta

import pytest
import zxingcpp
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from dossiers.models import Dossier
from payments import services
from payments.models import Payment
from payments.vietqr import vietqr_read
from tests.payments.conftest import awaiting_payment, submit_online

S = Dossier.Status


def with_lookup_proof(client, code: str, level: str = "key"):
    session = client.session
    session["citizen_access"] = {code: {"level": level, "until": 4_102_444_800}}
    session.save()
    return client


def pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def dossier(residence, commune, district_account):
    return submit_online(residence, commune)


# --- Citizens -------------------------------------------------------------------------------


def test_the_payment_page_needs_the_look_up_proof(client, dossier):
    response = client.get(f"/tra-cuu/ho-so/{dossier.code}/thanh-toan/")
    assert response.status_code == 302
    assert response["Location"].startswith("/tra-cuu/?code=")
    assert not Payment.objects.filter(dossier=dossier).exists()


def test_the_captcha_look_up_opens_neither_the_payment_page_nor_the_receipt(client, dossier):
    payment = services.payment_open(dossier=dossier)
    with_lookup_proof(client, dossier.code, level="captcha")
    page = client.get(f"/tra-cuu/ho-so/{dossier.code}/thanh-toan/")
    assert page.status_code == 302
    assert page["Location"].startswith("/tra-cuu/?code=")
    receipt = client.get(f"/tra-cuu/ho-so/{dossier.code}/bien-lai/{payment.pk}.pdf")
    assert receipt.status_code == 302
    assert receipt["Location"].startswith("/tra-cuu/?code=")
    assert client.post(f"/tra-cuu/ho-so/{dossier.code}/thanh-toan/vnpay/").status_code == 302
    assert not payment.attempts.exists()


def test_the_signed_in_owner_opens_the_payment_page_and_the_receipt(
    client, dossier, django_user_model
):
    owner = django_user_model.objects.create_user(username="citizen-owner")
    Dossier.objects.filter(pk=dossier.pk).update(citizen=owner)
    payment = services.payment_open(dossier=dossier)
    client.force_login(owner)
    assert client.get(f"/tra-cuu/ho-so/{dossier.code}/thanh-toan/").status_code == 200
    receipt = client.get(f"/tra-cuu/ho-so/{dossier.code}/bien-lai/{payment.pk}.pdf")
    assert receipt["Content-Type"] == "application/pdf"


def test_opening_the_payment_page_writes_nothing(client, dossier):
    page = with_lookup_proof(client, dossier.code).get(f"/tra-cuu/ho-so/{dossier.code}/thanh-toan/")
    assert page.status_code == 200
    assert "10.000" in page.content.decode()
    assert not Payment.objects.filter(dossier=dossier).exists()


def test_the_payment_page_shows_a_vietqr_that_decodes_to_the_transfer(client, dossier):
    page = with_lookup_proof(client, dossier.code).get(f"/tra-cuu/ho-so/{dossier.code}/thanh-toan/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "10.000" in html
    assert "8888000111222" in html  # the district's account (the commune has none)
    assert "tài khoản minh họa" in html
    data = re.search(r'src="data:image/png;base64,([^"]+)"', html).group(1)
    image = Image.open(io.BytesIO(base64.b64decode(data)))
    decoded = zxingcpp.read_barcodes(image.convert("L"))[0].text
    qr = vietqr_read(decoded)
    assert (qr.bank_bin, qr.account_number, qr.amount_vnd, qr.purpose) == (
        "970405",
        "8888000111222",
        10_000,
        dossier.code,
    )
    assert f'action="/tra-cuu/ho-so/{dossier.code}/thanh-toan/vnpay/"' in html


def test_without_a_merchant_there_is_no_gateway_button(client, settings, dossier):
    settings.VNPAY_HASH_SECRET = ""
    with_lookup_proof(client, dossier.code)
    page = client.get(f"/tra-cuu/ho-so/{dossier.code}/thanh-toan/")
    assert "thanh-toan/vnpay/" not in page.content.decode()
    assert client.post(f"/tra-cuu/ho-so/{dossier.code}/thanh-toan/vnpay/").status_code == 404


def test_going_to_the_gateway_opens_an_order_and_leaves_the_site_by_a_link(client, dossier):
    page = with_lookup_proof(client, dossier.code).post(
        f"/tra-cuu/ho-so/{dossier.code}/thanh-toan/vnpay/"
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert 'http-equiv="refresh"' in html
    assert "https://gateway.invalid/paymentv2/vpcpay.html?" in html
    payment = Payment.objects.get(dossier=dossier)
    assert payment.attempts.count() == 1


def test_the_look_up_page_offers_to_pay(client, dossier):
    page = with_lookup_proof(client, dossier.code).get(f"/tra-cuu/ho-so/{dossier.code}/")
    html = page.content.decode()
    assert "Chưa thanh toán" in html
    assert f"/tra-cuu/ho-so/{dossier.code}/thanh-toan/" in html


def test_the_look_up_page_of_a_free_dossier_says_nothing_about_paying(
    client, birth_registration, commune
):
    free = submit_online(birth_registration, commune)
    html = with_lookup_proof(client, free.code).get(f"/tra-cuu/ho-so/{free.code}/").content
    assert "payment-panel" not in html.decode()


def test_the_notice_pdf_carries_the_vietqr_and_the_receipt_pdf_the_payment(
    client, dossier, officer
):
    with_lookup_proof(client, dossier.code)
    payment = services.payment_open(dossier=dossier)
    notice = client.get(f"/tra-cuu/ho-so/{dossier.code}/bien-lai/{payment.pk}.pdf")
    assert notice["Content-Type"] == "application/pdf"
    text = pdf_text(notice.content)
    assert "GIẤY BÁO NỘP PHÍ" in text.upper()
    assert "VietQR" in text
    services.payment_confirm(dossier=dossier, actor=officer, method="cash", reference="0004567")
    receipt = client.get(f"/tra-cuu/ho-so/{dossier.code}/bien-lai/{payment.pk}.pdf")
    text = pdf_text(receipt.content)
    assert "BIÊN LAI" in text.upper()
    assert payment.receipt_number in text
    assert "0004567" in text
    assert "10.000" in text


def test_a_receipt_of_another_dossier_is_not_found(client, dossier, residence, commune):
    other = services.payment_open(dossier=submit_online(residence, commune))
    response = with_lookup_proof(client, dossier.code).get(
        f"/tra-cuu/ho-so/{dossier.code}/bien-lai/{other.pk}.pdf"
    )
    assert response.status_code == 404


def test_the_fee_rule_is_explained_before_submission(commune):
    from tests.conftest import make_procedure

    procedure = make_procedure(
        code="2.000815", name="Chứng thực bản sao", level=3, units=[commune], fee_vnd=2000
    )
    procedure.fee_rule = {
        "kind": "per_page",
        "first_pages": 2,
        "first_page_vnd": 2000,
        "next_page_vnd": 1000,
        "max_per_copy_vnd": 200_000,
    }
    procedure.save()
    html = Template('{% load payment_tags %}{% fee_explain procedure "online" %}').render(
        Context({"procedure": procedure})
    )
    assert "2.000 đồng/trang cho 2 trang đầu, 1.000 đồng/trang từ trang thứ 3" in html
    assert "tối đa 200.000 đồng mỗi bản" in html


# --- Officers -------------------------------------------------------------------------------


def paid(dossier: Dossier, officer, *, method: str, reference: str, at=None) -> Payment:
    return services.payment_confirm(
        dossier=dossier, actor=officer, method=method, reference=reference, at=at
    )


def test_reconciliation_lists_the_officers_units_by_day_and_method(
    client, officer, other_officer, residence, commune, other_commune
):
    today = timezone.localdate()
    mine = paid(submit_online(residence, commune), officer, method="cash", reference="BL-1")
    paid(submit_online(residence, commune), officer, method="transfer", reference="FT-2")
    theirs = paid(
        submit_online(residence, other_commune), other_officer, method="cash", reference="BL-OTHER"
    )
    client.force_login(officer)
    page = client.get("/can-bo/thanh-toan/", {"start": today, "end": today})
    html = page.content.decode()
    assert page.status_code == 200
    assert mine.dossier.code in html
    assert "FT-2" in html
    assert theirs.dossier.code not in html
    assert "BL-OTHER" not in html
    assert "20.000" in html  # the day's total
    cash_only = client.get(
        "/can-bo/thanh-toan/", {"start": today, "end": today, "method": "cash"}
    ).content.decode()
    assert "BL-1" in cash_only
    assert "FT-2" not in cash_only


def test_reconciliation_exports_csv(client, officer, residence, commune):
    payment = paid(submit_online(residence, commune), officer, method="cash", reference="BL-1")
    client.force_login(officer)
    today = timezone.localdate().isoformat()
    response = client.get("/can-bo/thanh-toan/", {"start": today, "end": today, "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [
        (r["dossier"], r["method"], r["reference"], r["amount_vnd"], r["state"]) for r in rows
    ] == [(payment.dossier.code, "cash", "BL-1", "10000", "paid")]


def test_reconciliation_of_an_earlier_day_leaves_out_today(client, officer, residence, commune):
    yesterday = timezone.now() - timedelta(days=1)
    old = paid(
        submit_online(residence, commune), officer, method="cash", reference="OLD", at=yesterday
    )
    paid(submit_online(residence, commune), officer, method="cash", reference="NEW")
    client.force_login(officer)
    day = timezone.localtime(yesterday).date()
    html = client.get("/can-bo/thanh-toan/", {"start": day, "end": day}).content.decode()
    assert old.dossier.code in html
    assert ">NEW<" not in html


def test_reconciliation_refuses_a_reversed_period(client, officer):
    client.force_login(officer)
    response = client.get("/can-bo/thanh-toan/", {"start": "2026-03-10", "end": "2026-03-01"})
    assert response.status_code == 400
    assert "error-summary" in response.content.decode()


def test_reconciliation_needs_an_officer(client, django_user_model):
    assert client.get("/can-bo/thanh-toan/").status_code == 302
    client.force_login(django_user_model.objects.create_user("citizen", password="x"))
    assert client.get("/can-bo/thanh-toan/").status_code == 403


def test_reconciliation_queries_do_not_grow_with_the_rows(client, officer, residence, commune):
    paid(submit_online(residence, commune), officer, method="cash", reference="1")
    client.force_login(officer)
    with CaptureQueriesContext(connection) as one:
        client.get("/can-bo/thanh-toan/")
    for n in range(4):
        paid(submit_online(residence, commune), officer, method="cash", reference=f"x{n}")
        services.payment_open(dossier=submit_online(residence, commune))
    with CaptureQueriesContext(connection) as five:
        client.get("/can-bo/thanh-toan/")
    assert len(five.captured_queries) == len(one.captured_queries)


def test_an_officer_records_a_transfer_from_the_list(client, officer, residence, commune):
    dossier = submit_online(residence, commune)
    services.payment_open(dossier=dossier)
    client.force_login(officer)
    response = client.post(
        f"/can-bo/thanh-toan/{dossier.code}/xac-nhan/",
        {"method": "transfer", "reference": "FT26110299"},
    )
    assert response.status_code == 302
    payment = Payment.objects.get(dossier=dossier)
    assert (payment.state, payment.reference) == ("paid", "FT26110299")


def test_an_officer_of_another_commune_cannot_record_or_refund(
    client, other_officer, officer, residence, commune
):
    dossier = submit_online(residence, commune)
    client.force_login(other_officer)
    response = client.post(
        f"/can-bo/thanh-toan/{dossier.code}/xac-nhan/", {"method": "cash", "reference": "1"}
    )
    assert response.status_code == 404
    payment = paid(dossier, officer, method="cash", reference="1")
    response = client.post(f"/can-bo/thanh-toan/hoan-tra/{payment.pk}/", {"reason": "x"})
    assert response.status_code == 404
    assert Payment.objects.get(pk=payment.pk).state == "paid"


def test_an_officer_refunds_from_the_list(client, officer, residence, commune):
    payment = paid(submit_online(residence, commune), officer, method="cash", reference="1")
    client.force_login(officer)
    client.post(f"/can-bo/thanh-toan/hoan-tra/{payment.pk}/", {"reason": "Nộp nhầm"})
    assert Payment.objects.get(pk=payment.pk).state == "refunded"


def test_the_officers_dossier_page_shows_payments_and_receipts(
    client, officer, specialist, residence, commune
):
    dossier = awaiting_payment(residence, commune, desk=officer, specialist=specialist)
    payment = Payment.objects.get(dossier=dossier)
    client.force_login(officer)
    html = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert payment.receipt_number in html
    assert f"/can-bo/ho-so/{dossier.code}/bien-lai/{payment.pk}.pdf" in html
    receipt = client.get(f"/can-bo/ho-so/{dossier.code}/bien-lai/{payment.pk}.pdf")
    assert receipt["Content-Type"] == "application/pdf"


def test_the_confirm_payment_action_wants_the_cash_receipt_number(
    client, officer, specialist, residence, commune
):
    dossier = awaiting_payment(residence, commune, desk=officer, specialist=specialist)
    client.force_login(officer)
    url = f"/can-bo/ho-so/{dossier.code}/xac-nhan-thanh-toan/"
    response = client.post(url, {"method": "cash", "reference": ""})
    assert response.status_code == 400
    assert Dossier.objects.get(pk=dossier.pk).status == S.AWAITING_PAYMENT
    client.post(url, {"method": "cash", "reference": "0000321"})
    assert Dossier.objects.get(pk=dossier.pk).status == S.PROCESSING
    assert Payment.objects.get(dossier=dossier).reference == "0000321"


def test_the_confirmation_page_after_submission_offers_to_pay(client, dossier, residence):
    from citizens.models import Draft

    draft = Draft.objects.create(procedure=residence, dossier=dossier, submitted_at=timezone.now())
    session = client.session
    session["citizen_drafts"] = [draft.token]
    session.save()
    html = client.get(f"/nop-ho-so/{residence.code}/{draft.token}/da-nop/").content.decode()
    assert "10.000" in html
    assert f"/tra-cuu/ho-so/{dossier.code}/thanh-toan/" in html
    # The same browser may open the payment page without looking the dossier up again.
    assert client.get(f"/tra-cuu/ho-so/{dossier.code}/thanh-toan/").status_code == 200
