from django.urls import include, path

from dossiers import views

urlpatterns = [
    path("", include("dossiers.payments.urls")),  # fees and payments (issue 7)
    path("can-bo/dang-nhap/", views.officer_login, name="officer-login"),
    path("can-bo/dang-xuat/", views.officer_logout, name="officer-logout"),
    path("can-bo/", views.workbench, name="officer-workbench"),
    path("can-bo/tiep-nhan/", views.reception, name="officer-reception"),
    path("can-bo/so-theo-doi/", views.register, name="officer-register"),
    path("can-bo/ho-so/<str:code>/", views.dossier_page, name="officer-dossier"),
    path("can-bo/ho-so/<str:code>/tep/<int:file_id>/", views.file_download, name="officer-file"),
    path("can-bo/ho-so/<str:code>/phieu/<str:form>.pdf", views.slip, name="officer-slip"),
    path("can-bo/ho-so/<str:code>/tiep-nhan/", views.action_receive, name="officer-action-receive"),
    path("can-bo/ho-so/<str:code>/tu-choi/", views.action_refuse, name="officer-action-refuse"),
    path(
        "can-bo/ho-so/<str:code>/yeu-cau-bo-sung/",
        views.action_request_supplement,
        name="officer-action-request_supplement",
    ),
    path("can-bo/ho-so/<str:code>/chuyen/", views.action_transfer, name="officer-action-transfer"),
    path(
        "can-bo/ho-so/<str:code>/yeu-cau-thanh-toan/",
        views.action_request_payment,
        name="officer-action-request_payment",
    ),
    path(
        "can-bo/ho-so/<str:code>/xac-nhan-thanh-toan/",
        views.action_confirm_payment,
        name="officer-action-confirm_payment",
    ),
    path(
        "can-bo/ho-so/<str:code>/giai-quyet/", views.action_resolve, name="officer-action-resolve"
    ),
    path("can-bo/ho-so/<str:code>/tra-ket-qua/", views.action_return, name="officer-action-return"),
    path("can-bo/ho-so/<str:code>/dung-xu-ly/", views.action_stop, name="officer-action-stop"),
    path(
        "can-bo/ho-so/<str:code>/xin-loi/", views.action_apologize, name="officer-action-apologize"
    ),
]
