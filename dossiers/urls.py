from django.urls import path

from dossiers import guidance_views, views
from dossiers.actions import ACTIONS

urlpatterns = [
    path("can-bo/dang-nhap/", views.officer_login, name="officer-login"),
    path("can-bo/dang-xuat/", views.officer_logout, name="officer-logout"),
    path("can-bo/", views.workbench, name="officer-workbench"),
    path("can-bo/tiep-nhan/", views.reception, name="officer-reception"),
    path("can-bo/so-theo-doi/", views.register, name="officer-register"),
    path("can-bo/huong-dan/", guidance_views.guidance, name="officer-guidance"),
    path(
        "can-bo/huong-dan/<int:pk>.pdf", guidance_views.guidance_print, name="officer-guidance-pdf"
    ),
    path("can-bo/ho-so/<str:code>/", views.dossier_page, name="officer-dossier"),
    path("can-bo/ho-so/<str:code>/tep/<int:file_id>/", views.file_download, name="officer-file"),
    path("can-bo/ho-so/<str:code>/phieu/<str:form>.pdf", views.slip, name="officer-slip"),
    # One URL per declared action, under its own segment (dossiers.actions).
    *(
        path(
            f"can-bo/ho-so/<str:code>/{a.slug}/",
            views.action,
            {"name": a.name},
            name=f"officer-action-{a.name}",
        )
        for a in ACTIONS.values()
    ),
]
