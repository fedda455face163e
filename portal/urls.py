from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from portal import health, views
from portal.auth import admin_login, officer_totp_urls
from portal.throttling import captcha_urls_limited

admin.site.site_header = "MotCua – Quản trị hệ thống một cửa điện tử"
admin.site.site_title = "MotCua"
admin.site.index_title = "Quản trị"
# Staff sign in at one place, with the lock-out and the second step (portal.auth).
admin.site.login = admin_login

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    path("healthz", views.healthz, name="healthz"),
    path("can-bo/vao/", views.officer_landing, name="officer-landing"),
    path("readyz", health.readyz, name="readyz"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its init script from a URL (no inline script: the CSP holds).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("procedures.api_urls")),
    path("api/v1/", include("citizens.api_urls")),
    path("api/v1/", include("payments.api_urls")),
    path("api/v1/", include("dossiers.api_urls")),
    path("api/v1/", include("reports.api_urls")),
    path("api/v1/", include("notifications.api_urls")),
    # Each challenge picture is drawn on request: limited per client like the captcha API.
    path("captcha/", include(captcha_urls_limited())),
    path("quan-tri/", admin.site.urls),
    *officer_totp_urls(),  # officers' two-factor sign-in (portal.auth)
    path("", include("reports.urls")),
    path("", include("dvcqg.urls")),
    path("", include("payments.urls")),
    path("", include("dossiers.urls")),
    path("", include("citizens.urls")),
    path("", include("procedures.urls")),
]

handler400 = "portal.views.bad_request"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"

if settings.BENCH_BARE_VIEW:  # bench/load_lookup.py's baseline: the same stack, no work
    from django.http import JsonResponse

    def bench_bare(request: object) -> JsonResponse:
        return JsonResponse({"status": "ok"})

    urlpatterns.append(path("bench/bare/", bench_bare))
