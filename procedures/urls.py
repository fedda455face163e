from django.urls import path

from portal.views import help_page
from procedures import views

urlpatterns = [
    path("", views.home, name="home"),
    path("huong-dan/", help_page, name="help"),
    path("thu-tuc/", views.procedure_list, name="procedure-list"),
    path("thu-tuc/<str:code>/", views.procedure_detail, name="procedure-detail"),
    path(
        "thu-tuc/<str:code>/niem-yet.pdf", views.procedure_posting_pdf, name="procedure-posting-pdf"
    ),
    path("don-vi/<str:code>/niem-yet.pdf", views.unit_posting_pdf, name="unit-posting-pdf"),
    path("mau-don/<int:pk>/", views.template_download, name="procedure-template"),
]
