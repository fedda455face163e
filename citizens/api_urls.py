from django.urls import path

from citizens import api
from citizens.status_api import dossier_status

urlpatterns = [
    path("captcha/", api.CaptchaView.as_view(), name="api-captcha"),
    path("dossiers/", api.DossierSubmitView.as_view(), name="api-dossier-submit"),
    path("dossiers/<str:code>/status/", dossier_status, name="api-dossier-status"),
    path(
        "dossiers/<str:code>/supplement/",
        api.DossierSupplementView.as_view(),
        name="api-dossier-supplement",
    ),
    path(
        "dossiers/<str:code>/withdraw/",
        api.DossierWithdrawView.as_view(),
        name="api-dossier-withdraw",
    ),
    path("dossiers/<str:code>/rating/", api.DossierRatingView.as_view(), name="api-dossier-rating"),
    path(
        "dossiers/<str:code>/key-resend/",
        api.DossierKeyResendView.as_view(),
        name="api-dossier-key-resend",
    ),
]
