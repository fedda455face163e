from django.urls import path

from notifications import views

urlpatterns = [
    path("sms/status/", views.sms_status, name="sms-status"),
]
