"""Payment pages.

Citizens (the same proof as the look-up page: a solved captcha or the key in this session,
the draft that made the dossier, or the account that owns it):
    /tra-cuu/ho-so/<code>/thanh-toan/            what is owed, VietQR, the gateway button
    /tra-cuu/ho-so/<code>/thanh-toan/vietqr.png  the VietQR code to save
    /tra-cuu/ho-so/<code>/thanh-toan/<gateway>/  POST: open an order and go to the gateway
    /tra-cuu/ho-so/<code>/bien-lai/<id>.pdf      the notice or receipt
    /tra-cuu/ho-so/<code>/bien-lai-quoc-gia/<attempt>.pdf  the national platform's receipt
Gateways:
    /thanh-toan/<gateway>/ipn/                   server-to-server notification (JSON answer)
    /thanh-toan/<gateway>/ket-qua/               the browser back from the gateway
Officers:
    /can-bo/thanh-toan/                          reconciliation by day and method (CSV too)
    /can-bo/thanh-toan/<code>/xac-nhan/          POST: record cash or a transfer
    /can-bo/thanh-toan/hoan-tra/<id>/            POST: refund
    /can-bo/ho-so/<code>/bien-lai/<id>.pdf       the notice or receipt
    /can-bo/ho-so/<code>/bien-lai-quoc-gia/<attempt>.pdf   the national platform's receipt
"""

from __future__ import annotations

import csv
import json
import logging
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rest_framework.request import Request

from citizens.models import Draft
from citizens.views.common import access_level, lookup_path, session_draft_tokens
from dossiers.access import dossier_get_for_officer, officer_unit_ids
from dossiers.models import Dossier
from payments import online, selectors, services
from payments.bank_apps import bank_app_links
from payments.forms import PaymentConfirmForm, ReconciliationForm, RefundForm
from payments.gateways import GATEWAY_NAMES, gateway_get
from payments.gateways.base import Answer
from payments.gateways.national import national_configured
from payments.models import Payment
from payments.receipts import payment_receipt_pdf
from payments.vietqr import qr_data_uri, qr_png
from portal.exceptions import PortalError
from portal.spreadsheets import csv_value
from portal.throttling import rate_limit
from procedures.fees import fee_lines, money

logger = logging.getLogger(__name__)


def gateways_enabled() -> list[str]:
    """Gateways with a merchant configured, the national platform first (NATIONAL_PAY_URL,
    _PARTNER_CODE and _SECRET; VNPay: VNPAY_TMN_CODE and VNPAY_HASH_SECRET)."""
    names = []
    if national_configured():
        names.append("national")
    if settings.VNPAY_TMN_CODE and settings.VNPAY_HASH_SECRET:
        names.append("vnpay")
    return [n for n in names if n in GATEWAY_NAMES]


# --- Citizens ---------------------------------------------------------------------------------


def citizen_may_pay(request: HttpRequest, dossier: Dossier) -> bool:
    """The update key proven in this session (a look-up with the key), the browser that
    submitted the dossier, or the owning account. A look-up with the captcha is not enough:
    the notice and the receipt print the applicant's name and address in full."""
    if access_level(request, dossier.code) == "key":
        return True
    if request.user.is_authenticated and dossier.citizen_id == request.user.pk:
        return True
    tokens = session_draft_tokens(request)
    return bool(tokens) and Draft.objects.filter(token__in=tokens, dossier=dossier).exists()


def _citizen_dossier(request: HttpRequest, code: str) -> Dossier | None:
    dossier = (
        Dossier.objects.select_related("procedure", "unit", "unit__parent")
        .filter(code=code)
        .first()
    )
    if dossier is None or not citizen_may_pay(request, dossier):
        return None
    return dossier


def _to_lookup(request: HttpRequest, code: str) -> HttpResponse:
    messages.info(
        request,
        _(
            "Vui lòng tra cứu hồ sơ bằng mã hồ sơ và mã tra cứu (trong tin nhắn SMS "
            "gửi khi nộp hồ sơ) để thanh toán phí, lệ phí."
        ),
    )
    return redirect(lookup_path(code))


def payment_panel_context(*, dossier: Dossier) -> dict[str, object]:
    """What the payment box shows (also on the confirmation and look-up pages)."""
    payment = selectors.payment_current(dossier=dossier)
    owed = selectors.payment_owed(dossier=dossier)
    payload = selectors.payment_vietqr(dossier=dossier, amount_vnd=owed)
    account = selectors.payment_account_for(unit=dossier.unit)
    closed_reason = selectors.payment_closed_reason(dossier=dossier)
    due = selectors.payment_is_due(dossier=dossier)
    return {
        "dossier": dossier,
        "payment": payment,
        "owed_vnd": owed,
        "state": selectors.dossier_payment_state(dossier=dossier),
        "vietqr": qr_data_uri(payload) if payload and due else None,
        "vietqr_payload": payload if due else None,
        "bank_links": bank_app_links(
            bank_bin=account.bank_bin,
            account_number=account.account_number,
            account_name=account.account_name,
            amount_vnd=owed,
            content=dossier.code,
        )
        if account is not None and payload and due and not account.is_demo
        else [],
        "account": account,
        "gateways": gateways_enabled(),
        # The pay button and the ways to pay only when due (the services' own rule).
        "due": due,
        "closed_reason": closed_reason,
    }


@require_GET
def payment_page(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _citizen_dossier(request, code)
    if dossier is None:
        return _to_lookup(request, code)
    # A GET writes nothing: before anything is asked the dossier's fee is owed (level 4 pays
    # at submission), and the payment is recorded when an order is opened or money arrives.
    context = payment_panel_context(dossier=dossier)
    payment = context["payment"]
    if isinstance(payment, Payment):
        context["fee_detail"], context["fee_total"] = payment.fee_detail, payment.amount_vnd
    elif context["due"]:
        lines = fee_lines(procedure=dossier.procedure, channel=dossier.channel)
        context["fee_detail"] = [line.as_dict() for line in lines]
        context["fee_total"] = sum(line.amount_vnd for line in lines)
    context["payments"] = selectors.dossier_payments(dossier=dossier).exclude(
        state=Payment.State.AWAITING
    )
    return render(request, "payments/pay.html", context)


@require_GET
def payment_qr_png(request: HttpRequest, code: str) -> HttpResponse:
    """The VietQR code as a PNG to save ("Tải ảnh QR"): a phone cannot scan its own screen,
    but a banking app can read a saved image."""
    dossier = _citizen_dossier(request, code)
    if dossier is None:
        return _to_lookup(request, code)
    if not selectors.payment_is_due(dossier=dossier):
        raise Http404
    payload = selectors.payment_vietqr(
        dossier=dossier, amount_vnd=selectors.payment_owed(dossier=dossier)
    )
    if not payload:
        raise Http404
    response = HttpResponse(qr_png(payload, box_size=10), content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="vietqr-{dossier.code}.png"'
    response["Cache-Control"] = "private, no-store"
    return response


def gateway_order_url(request: HttpRequest | Request, dossier: Dossier, gateway: str) -> str:
    """Open an order at the gateway for what the dossier owes (the page's or the API's
    request); where to send the browser, which the gateway sends back to our return page."""
    return online.payment_gateway_start(
        dossier=dossier,
        gateway=gateway_get(gateway),
        return_url=request.build_absolute_uri(reverse("payment-return", args=[gateway])),
        client_ip=str(request.META.get("REMOTE_ADDR") or "127.0.0.1"),
    )


@require_POST
@rate_limit("key")  # per client (portal.throttling)
def payment_start(request: HttpRequest, code: str, gateway: str) -> HttpResponse:
    """Open an order and send the browser to the gateway.

    The CSP's form-action does not let a form's redirect leave the site, so the answer is a
    page that goes on to the gateway by itself, with a link for browsers that do not.
    """
    if gateway not in gateways_enabled():
        raise Http404
    dossier = _citizen_dossier(request, code)
    if dossier is None:
        return _to_lookup(request, code)
    try:
        url = gateway_order_url(request, dossier, gateway)
    except PortalError as exc:
        messages.error(request, str(exc.message))
        return redirect("payment-page", dossier.code)
    return render(
        request,
        "payments/redirect.html",
        {"url": url, "dossier": dossier, "gateway": gateway_get(gateway)},
    )


@csrf_exempt  # a server-to-server call, authenticated by the gateway's signature
@require_http_methods(["GET", "POST"])
def payment_ipn(request: HttpRequest, gateway: str) -> JsonResponse:
    if gateway not in GATEWAY_NAMES:
        raise Http404
    backend = gateway_get(gateway)
    params = _notification_params(request)
    try:
        answer = online.payment_notification_handle(gateway=backend, params=params)
    except Exception:  # the gateway must get an answer; it retries on 99
        logger.exception("payment IPN from %s failed", gateway)
        answer = Answer.UNKNOWN_ERROR
    return JsonResponse(backend.notification_answer(answer, params))


def _notification_params(request: HttpRequest) -> dict[str, Any]:
    """The query (VNPay's GET), the form, or a JSON object (the national platform's CONFIRM)."""
    if request.method == "GET":
        return request.GET.dict()
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}
    return request.POST.dict()


@require_GET
def payment_return(request: HttpRequest, gateway: str) -> HttpResponse:
    if gateway not in GATEWAY_NAMES:
        raise Http404
    result = online.payment_return_read(gateway=gateway_get(gateway), params=request.GET.dict())
    attempt = result["attempt"]
    payment = None
    if attempt is not None:
        payment = Payment.objects.select_related("dossier").get(pk=attempt.payment_id)
    status = 200 if result["valid"] else 400
    return render(
        request,
        "payments/return.html",
        {
            "result": result,
            "attempt": attempt,
            "payment": payment,
            "dossier": payment.dossier if payment else None,
        },
        status=status,
    )


@require_GET
def citizen_receipt(request: HttpRequest, code: str, payment_id: int) -> HttpResponse:
    dossier = _citizen_dossier(request, code)
    if dossier is None:
        return _to_lookup(request, code)
    return _receipt_response(dossier, payment_id)


@require_GET
def citizen_bill(request: HttpRequest, code: str, attempt_id: int) -> HttpResponse:
    """The national platform's own receipt of an online payment (GET_BILL)."""
    dossier = _citizen_dossier(request, code)
    if dossier is None:
        return _to_lookup(request, code)
    return _bill_response(dossier, attempt_id)


def _bill_response(dossier: Dossier, attempt_id: int) -> HttpResponse:
    attempt = selectors.payment_bill_for(dossier=dossier, attempt_id=attempt_id)
    if attempt is None:
        raise Http404
    with attempt.bill.open("rb") as handle:
        content = handle.read()
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="bien-lai-cong-dvc-quoc-gia-{attempt.txn_ref}.pdf"'
    )
    return response


def _receipt_response(dossier: Dossier, payment_id: int) -> HttpResponse:
    payment = (
        Payment.objects.select_related(
            "dossier",
            "dossier__procedure",
            "dossier__unit",
            "dossier__unit__parent",
            "confirmed_by",
        )
        .filter(dossier=dossier, pk=payment_id)
        .first()
    )
    if payment is None:
        raise Http404
    name = (
        f"bien-lai-{payment.receipt_number}"
        if payment.state != Payment.State.AWAITING
        else f"thong-bao-nop-phi-{dossier.code}"
    )
    response = HttpResponse(payment_receipt_pdf(payment=payment), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response


# --- Officers ---------------------------------------------------------------------------------


def _officer_units(request: HttpRequest) -> set[int]:
    ids = officer_unit_ids(user=request.user)
    if not ids:
        raise PermissionDenied(_("Tài khoản này không phải cán bộ của đơn vị nào."))
    return ids


@login_required
@require_GET
def reconciliation(request: HttpRequest) -> HttpResponse:
    """Payments by day and method in the officer's units, to match against the cash book,
    the bank statement and the gateway's report."""
    unit_ids = _officer_units(request)
    form = ReconciliationForm(request.GET)
    valid = form.is_valid()
    today = timezone.localdate()
    data = form.cleaned_data if valid else {"start": today, "end": today, "method": ""}
    payments = selectors.payments_for_reconciliation(
        unit_ids=unit_ids, start=data["start"], end=data["end"], method=data.get("method") or ""
    )
    if valid and request.GET.get("format") == "csv":
        return _reconciliation_csv(payments, data)
    rows = list(payments)
    return render(
        request,
        "payments/reconciliation.html",
        {
            "form": form,
            "start": data["start"],
            "end": data["end"],
            "payments": rows,
            "totals": selectors.payments_daily_totals(payments=payments),
            "total_vnd": sum(p.amount_vnd for p in rows),
            "refunded_vnd": sum(p.amount_vnd for p in rows if p.state == Payment.State.REFUNDED),
            "open_payments": selectors.payments_open(unit_ids=unit_ids)[:100],
            "paid_twice": selectors.payments_paid_twice(unit_ids=unit_ids)[:100],
            "confirm_form": PaymentConfirmForm(auto_id="id_confirm_%s", per_unit=False),
            "refund_form": RefundForm(auto_id="id_refund_%s"),
            "csv_query": request.GET.urlencode(),
        },
        status=200 if valid else 400,
    )


def _reconciliation_csv(payments: object, data: dict[str, object]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="thanh-toan-{data["start"]}-{data["end"]}.csv"'
    )
    response.write("\ufeff")  # Excel reads UTF-8 with a BOM
    writer = csv.writer(response)
    writer.writerow(
        [
            "paid_at",
            "receipt_number",
            "dossier",
            "unit",
            "method",
            "reference",
            "gateway",
            "amount_vnd",
            "state",
            "refunded_at",
        ]
    )
    for p in payments:
        row = [
            timezone.localtime(p.paid_at).isoformat(),
            p.receipt_number,
            p.dossier.code,
            p.dossier.unit.code,
            p.method,
            p.reference,
            p.gateway,
            p.amount_vnd,
            p.state,
            timezone.localtime(p.refunded_at).isoformat() if p.refunded_at else "",
        ]
        writer.writerow([csv_value(v) for v in row])
    return response


@require_POST
@login_required
def officer_confirm(request: HttpRequest, code: str) -> HttpResponse:
    dossier = dossier_get_for_officer(user=request.user, code=code, action="confirm_payment")
    form = PaymentConfirmForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            payment = services.payment_confirm(
                dossier=dossier,
                actor=request.user,
                method=data["method"],
                reference=data["reference"],
                pages=data.get("pages"),
                copies=data.get("copies"),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except PortalError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request,
                _("Đã ghi nhận thanh toán %(amount)s đồng cho hồ sơ %(code)s.")
                % {"amount": money(payment.amount_vnd), "code": code},
            )
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(
        request.POST.get("next")
        if request.POST.get("next", "").startswith("/can-bo/")
        else reverse("payment-reconciliation")
    )


@require_POST
@login_required
def officer_refund(request: HttpRequest, payment_id: int) -> HttpResponse:
    payment = Payment.objects.select_related("dossier").filter(pk=payment_id).first()
    if payment is None:
        raise Http404
    dossier_get_for_officer(user=request.user, code=payment.dossier.code, action="confirm_payment")
    form = RefundForm(request.POST)
    if form.is_valid():
        try:
            services.payment_refund(
                payment=payment, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except (ValidationError, PortalError) as exc:
            messages.error(request, str(getattr(exc, "message", exc)))
        else:
            messages.success(request, _("Đã ghi nhận hoàn trả khoản phí."))
    else:
        messages.error(request, _("Vui lòng nêu lý do hoàn trả."))
    return redirect("payment-reconciliation")


@login_required
@require_GET
def officer_receipt(request: HttpRequest, code: str, payment_id: int) -> HttpResponse:
    dossier = dossier_get_for_officer(user=request.user, code=code)
    return _receipt_response(dossier, payment_id)


@login_required
@require_GET
def officer_bill(request: HttpRequest, code: str, attempt_id: int) -> HttpResponse:
    dossier = dossier_get_for_officer(user=request.user, code=code)
    return _bill_response(dossier, attempt_id)
