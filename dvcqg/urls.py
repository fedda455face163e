from django.urls import path

from dvcqg import views

urlpatterns = [
    path("can-bo/dong-bo-dvcqg/", views.sync_page, name="dvcqg-sync"),
    # DVCQG downloads the dossier's files through signed, expiring links (dvcqg.links).
    path("dvcqg/tep/<str:token>/", views.file_download, name="dvcqg-file"),
]
