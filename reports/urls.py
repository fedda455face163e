from django.urls import path

from reports import export_views, views

urlpatterns = [
    path("bao-cao/", views.dashboard, name="reports-dashboard"),
    path("bao-cao/phu-luc/", views.appendix, name="reports-appendix"),
    path("bao-cao/bieu-ii06a/", views.ii06a, name="reports-ii06a"),
    path("bao-cao/chi-so-766/", views.indicators, name="reports-indicators"),
    path("bao-cao/danh-gia/", views.evaluation, name="reports-evaluation"),
    path("bao-cao/doi-chieu/", views.reconcile_page, name="reports-reconcile"),
    path("bao-cao/ho-so/", views.drilldown, name="reports-drilldown"),
    path("bao-cao/xuat-tep/", export_views.export_create, name="reports-export-create"),
    path("bao-cao/xuat-tep/<uuid:pk>/", export_views.export_detail, name="reports-export"),
    path(
        "bao-cao/xuat-tep/<uuid:pk>/trang-thai/",
        export_views.export_status,
        name="reports-export-status",
    ),
    path(
        "bao-cao/xuat-tep/<uuid:pk>/tai-ve/",
        export_views.export_download,
        name="reports-export-download",
    ),
]
