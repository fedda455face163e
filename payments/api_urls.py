from django.urls import path

from payments import api

urlpatterns = [
    path(
        "dossiers/<str:code>/payment/", api.CitizenPaymentView.as_view(), name="api-dossier-payment"
    ),
    path(
        "dossiers/<str:code>/payment/<slug:gateway>/",
        api.CitizenGatewayStartView.as_view(),
        name="api-dossier-payment-start",
    ),
    path("officer/payments/", api.OfficerPaymentListView.as_view(), name="api-officer-payments"),
    path(
        "officer/dossiers/<str:code>/payments/",
        api.OfficerPaymentRecordView.as_view(),
        name="api-officer-dossier-payments",
    ),
]
