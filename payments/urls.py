from django.urls import include, path

from payments import views

# What the citizen pays for a dossier: /tra-cuu/ho-so/<code>/...
citizen_urls = [
    path("thanh-toan/", views.payment_page, name="payment-page"),
    path("thanh-toan/vietqr.png", views.payment_qr_png, name="payment-qr-png"),
    path("thanh-toan/<slug:gateway>/", views.payment_start, name="payment-start"),
    path("bien-lai/<int:payment_id>.pdf", views.citizen_receipt, name="payment-receipt"),
    path("bien-lai-quoc-gia/<int:attempt_id>.pdf", views.citizen_bill, name="payment-bill"),
]

urlpatterns = [
    path("tra-cuu/ho-so/<str:code>/", include(citizen_urls)),
    path(
        "can-bo/ho-so/<str:code>/bien-lai-quoc-gia/<int:attempt_id>.pdf",
        views.officer_bill,
        name="payment-officer-bill",
    ),
    path("thanh-toan/<slug:gateway>/ipn/", views.payment_ipn, name="payment-ipn"),
    path("thanh-toan/<slug:gateway>/ket-qua/", views.payment_return, name="payment-return"),
    path("can-bo/thanh-toan/", views.reconciliation, name="payment-reconciliation"),
    path(
        "can-bo/thanh-toan/<str:code>/xac-nhan/",
        views.officer_confirm,
        name="payment-officer-confirm",
    ),
    path(
        "can-bo/thanh-toan/hoan-tra/<int:payment_id>/",
        views.officer_refund,
        name="payment-officer-refund",
    ),
    path(
        "can-bo/ho-so/<str:code>/bien-lai/<int:payment_id>.pdf",
        views.officer_receipt,
        name="payment-officer-receipt",
    ),
]
