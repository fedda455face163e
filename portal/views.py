"""Small views of the portal: health, the help page, and the error handlers."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token

from portal.exceptions import bad_request_body
from portal.models import Membership, Role

# Roles that read the figures and act on no dossier: they start their day on the dashboard.
READING_ROLES = frozenset({Role.LEADER, Role.REPORTING})


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Alive: the process answers. Readiness (database, Redis, storage) is /readyz."""
    return JsonResponse({"status": "ok"})


def help_page(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/help.html")


# --- Error handlers: JSON under /api/, pages elsewhere ----------------------------------------


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400: a malformed parameter (portal.params) or a request Django refuses to read (too
    many files or fields); the message says which, when there is one."""
    body = bad_request_body(exception)
    if _is_api(request):
        return JsonResponse(body, status=400)
    return render(request, "400.html", {"message": body["detail"]}, status=400)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": _("Không tìm thấy.")}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(
            {"detail": _("Lỗi máy chủ. Vui lòng thử lại sau; lỗi đã được ghi lại.")}, status=500
        )
    return defaults.server_error(request)


@requires_csrf_token
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A refused form (stale page, blocked cookies) explained in the site's layout and language."""
    return render(request, "403_csrf.html", status=403)


@login_required
def officer_landing(request: HttpRequest) -> HttpResponse:
    """Where an officer lands after signing in: a leader on the dashboard, others on the
    workbench (which opens on the queue that needs them now)."""
    roles = set(Membership.objects.filter(user=request.user).values_list("role", flat=True))
    if roles and roles <= READING_ROLES and not request.user.is_superuser:
        return redirect("reports-dashboard")
    return redirect("officer-workbench")
