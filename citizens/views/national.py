"""The national sign-in's pages: go to the provider, come back, sign out there too.

/tai-khoan/dang-nhap-quoc-gia/        to the provider's authorize endpoint (state, nonce, PKCE)
/tai-khoan/dang-nhap-quoc-gia/ve/     the provider's answer: tokens, user info, the account

Every failure shows one translated page (nothing is created) and is logged with its reason.
"""

from __future__ import annotations

import logging

import requests
from authlib.common.errors import AuthlibBaseError
from django.conf import settings
from django.contrib.auth import login as auth_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from citizens import national
from citizens.national_accounts import national_account_link

log = logging.getLogger("citizens.national")

NEXT_KEY = "national_signin_next"


def _not_configured(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "citizens/national_error.html",
        {
            "title": _("Chưa cấu hình đăng nhập bằng tài khoản quốc gia"),
            "message": _(
                "Cổng này chưa được kết nối với dịch vụ đăng nhập của Cổng Dịch vụ công quốc "
                "gia (VNeID). Bạn vẫn có thể nộp hồ sơ không cần tài khoản, hoặc đăng nhập "
                "bằng số điện thoại hay thư điện tử."
            ),
        },
        status=404,
    )


def _failed(request: HttpRequest, reason: str, message: str, status: int = 400) -> HttpResponse:
    log.warning("national sign-in failed: %s", reason)
    return render(
        request,
        "citizens/national_error.html",
        {"title": _("Không đăng nhập được bằng tài khoản quốc gia"), "message": message},
        status=status,
    )


def _safe_next(request: HttpRequest, target: str) -> str:
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "citizen-my-dossiers"


@require_GET
def start(request: HttpRequest) -> HttpResponse:
    if not national.national_enabled():
        return _not_configured(request)
    request.session[NEXT_KEY] = request.GET.get("next", "")
    try:
        client = national.national_client()
        return client.authorize_redirect(
            request,
            national.redirect_uri(),
            acr_values=settings.NATIONAL_OIDC_ACR_VALUES or None,
        )
    except (national.NationalSignInError, AuthlibBaseError, requests.RequestException) as exc:
        return _failed(
            request,
            f"authorize: {exc}",
            _("Không kết nối được dịch vụ đăng nhập quốc gia. Vui lòng thử lại sau ít phút."),
            status=502,
        )


@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    if not national.national_enabled():
        return _not_configured(request)
    error = request.GET.get("error")
    if error:
        # The citizen refused, or the provider could not sign them in.
        return _failed(
            request,
            f"provider error {error}: {request.GET.get('error_description', '')}",
            _(
                "Dịch vụ đăng nhập quốc gia không xác nhận được tài khoản (mã lỗi: %(code)s). "
                "Bạn chưa được đăng nhập; vui lòng thử lại."
            )
            % {"code": error[:60]},
        )
    try:
        client = national.national_client()
        token = client.authorize_access_token(request)
    except national.NationalSignInError as exc:
        return _failed(request, exc.reason, _unreachable(), status=502)
    except AuthlibBaseError as exc:
        if exc.error == "mismatching_state":
            return _failed(
                request,
                f"state: {exc}",
                _(
                    "Phiên đăng nhập không hợp lệ hoặc đã hết hạn (có thể bạn đã mở lại một "
                    "liên kết cũ). Vui lòng đăng nhập lại từ đầu."
                ),
            )
        return _failed(request, f"token: {exc.error} {exc.description}", _unconfirmed())
    except (requests.RequestException, ValueError) as exc:
        return _failed(request, f"token: {exc}", _unreachable(), status=502)
    try:
        info = client.userinfo(token=token)
    except (AuthlibBaseError, requests.RequestException, ValueError) as exc:
        return _failed(request, f"userinfo: {exc}", _unreachable(), status=502)
    signed = token.get("userinfo") or {}
    if signed.get("sub") and str(info.get("sub", "")) != str(signed["sub"]):
        return _failed(request, "userinfo sub differs from the ID token's", _unconfirmed())
    claims = national.NationalClaims.from_userinfo(dict(info))
    try:
        user = national_account_link(claims=claims)
    except national.NationalSignInError as exc:
        return _failed(
            request,
            exc.reason,
            _(
                "Tài khoản quốc gia không cung cấp đủ thông tin để đăng nhập (thiếu mã định "
                "danh tài khoản), hoặc tài khoản tại cổng này đã bị khóa. Bạn chưa được đăng "
                "nhập."
            ),
        )
    target = request.session.pop(NEXT_KEY, "")
    auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    national.national_session_store(
        request.session, user_id=user.pk, claims=claims, id_token=token.get("id_token", "")
    )
    log.info("national sign-in: account %s signed in (level %s)", user.pk, claims.level)
    return redirect(_safe_next(request, target))


def _unreachable() -> str:
    return _("Không kết nối được dịch vụ đăng nhập quốc gia. Vui lòng thử lại sau ít phút.")


def _unconfirmed() -> str:
    return _(
        "Dịch vụ đăng nhập quốc gia không xác nhận được phiên đăng nhập này. Bạn chưa được "
        "đăng nhập; vui lòng thử lại."
    )


LOGOUT_KEY = "national_signout_url"


def logout_redirect(request: HttpRequest, signed_in: national.NationalSession) -> HttpResponse:
    """After the local sign-out (the session is new): on to the provider's end-session
    endpoint with the ID token as hint, so the national session ends too, and back home.

    Through a page of ours: the sign-out is a form, and the pages' CSP (form-action 'self')
    stops a form's redirect to another site; a link or a refresh is a plain navigation."""
    try:
        client = national.national_client()
        url = client.create_logout_url(
            post_logout_redirect_uri=national.post_logout_uri(),
            id_token_hint=signed_in.id_token or None,
            client_id=client.client_id,
        )["url"]
    except (national.NationalSignInError, AuthlibBaseError, RuntimeError) as exc:
        log.warning("national sign-out: no end-session redirect: %s", exc)
        return redirect("home")
    request.session[LOGOUT_KEY] = url
    return redirect("citizen-national-logout")


@require_GET
def signed_out(request: HttpRequest) -> HttpResponse:
    url = request.session.pop(LOGOUT_KEY, None)
    if not url:
        return redirect("home")
    return render(request, "citizens/national_logout.html", {"end_session_url": url})
