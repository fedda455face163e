from django.urls import path

from reports import api

urlpatterns = [
    path("reports/appendix/", api.AppendixView.as_view(), name="api-report-appendix"),
    path("reports/ii06a/", api.II06aView.as_view(), name="api-report-ii06a"),
    path("reports/indicators/", api.IndicatorsView.as_view(), name="api-report-indicators"),
    path("reports/evaluation/", api.EvaluationView.as_view(), name="api-report-evaluation"),
    path("reports/officers/", api.OfficerScorecardsView.as_view(), name="api-report-officers"),
    path("reports/dashboard/", api.DashboardView.as_view(), name="api-report-dashboard"),
    path("reports/reconcile/", api.ReconcileView.as_view(), name="api-report-reconcile"),
    path("reports/exports/", api.ExportsView.as_view(), name="api-report-exports"),
    path("reports/exports/<uuid:pk>/", api.ExportView.as_view(), name="api-report-export"),
    path(
        "reports/exports/<uuid:pk>/file/",
        api.ExportFileView.as_view(),
        name="api-report-export-file",
    ),
]
