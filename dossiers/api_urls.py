from django.urls import path

from dossiers import api

urlpatterns = [
    path("auth/token/", api.TokenView.as_view(), name="api-token"),
    path("officer/dossiers/", api.DossierListView.as_view(), name="api-officer-dossiers"),
    path(
        "officer/dossiers/<str:code>/", api.DossierDetailView.as_view(), name="api-officer-dossier"
    ),
    path(
        "officer/dossiers/<str:code>/actions/",
        api.DossierActionView.as_view(),
        name="api-officer-actions",
    ),
    path(
        "officer/dossiers/<str:code>/files/<int:file_id>/",
        api.FileDownloadView.as_view(),
        name="api-officer-file",
    ),
    path(
        "officer/dossiers/<str:code>/slips/<str:form>.pdf",
        api.SlipView.as_view(),
        name="api-officer-slip",
    ),
]
