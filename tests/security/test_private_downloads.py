"""Every private download goes through portal.downloads.private_file_response: with nginx in
front (DOWNLOADS_X_ACCEL) Django sends no byte of the file, and whatever serves it, the answer
is not cached and carries the sandboxing policy."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from reports.models import ExportJob
from tests.dossiers.conftest import online_dossier

POLICY = "default-src 'none'; sandbox"


@pytest.fixture
def officer_file(birth_registration, commune):
    dossier = online_dossier(birth_registration, commune)
    return dossier, dossier.files.first()


@pytest.fixture
def export_job(leader):
    job = ExportJob.objects.create(
        user=leader, kind=ExportJob.Kind.APPENDIX, file_format="csv", status="done"
    )
    job.file.save("phu-luc.csv", ContentFile(b"a,b\n"), save=True)
    return job


def _downloads(dossier, file, job):
    return [
        ("officer", reverse("officer-file", args=[dossier.code, file.pk])),
        ("officer", reverse("officer-file", args=[dossier.code, file.pk]) + "?xem=1"),
        ("officer", reverse("api-officer-file", args=[dossier.code, file.pk])),
        ("leader", reverse("reports-export-download", args=[job.pk])),
        ("leader", reverse("api-report-export-file", args=[job.pk])),
    ]


def test_behind_nginx_every_private_download_is_an_x_accel_redirect(
    client, settings, officer, leader, officer_file, export_job
):
    settings.DOWNLOADS_X_ACCEL = True
    dossier, file = officer_file
    users = {"officer": officer, "leader": leader}
    for who, url in _downloads(dossier, file, export_job):
        client.force_login(users[who])
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["X-Accel-Redirect"].startswith(settings.DOWNLOADS_X_ACCEL_PREFIX), url
        assert response.content == b"", url
        assert response["Cache-Control"] == "private, no-store", url


def test_streamed_by_django_a_download_is_sandboxed_and_not_stored(
    client, settings, officer, leader, officer_file, export_job
):
    settings.DOWNLOADS_X_ACCEL = False
    dossier, file = officer_file
    users = {"officer": officer, "leader": leader}
    for who, url in _downloads(dossier, file, export_job):
        client.force_login(users[who])
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Security-Policy"] == POLICY, url
        assert response["Cache-Control"] == "private, no-store", url
        assert b"".join(response.streaming_content), url
