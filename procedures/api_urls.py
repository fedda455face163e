from django.urls import path

from procedures import api

urlpatterns = [
    path("units/", api.UnitListApi.as_view(), name="api-units"),
    path("procedures/", api.ProcedureListApi.as_view(), name="api-procedures"),
    path("procedures/<str:code>/", api.ProcedureDetailApi.as_view(), name="api-procedure"),
]
