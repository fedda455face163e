"""Error pages in production (DEBUG off): Vietnamese, in the site's layout, English on request."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import path

from portal.urls import urlpatterns as site_urls


def _forbidden(request):
    raise PermissionDenied


def _broken(request):
    raise RuntimeError("boom")


urlpatterns = [path("test-403/", _forbidden), path("test-500/", _broken), *site_urls]


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__


def _page(response) -> str:
    page = response.content.decode()
    assert '<main id="main"' in page  # the site's layout
    assert 'name="viewport"' in page  # the phone layout
    return page


@pytest.mark.django_db
def test_404_is_vietnamese_with_ways_on(client, production):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    page = _page(response)
    assert "Không tìm thấy trang bạn cần" in page
    assert "Not Found" not in page
    assert 'href="/tra-cuu/"' in page


@pytest.mark.django_db
def test_404_in_english_through_i18n(client, production):
    client.cookies["django_language"] = "en"
    page = _page(client.get("/khong-co-trang-nay/"))
    assert "Không tìm thấy trang bạn cần" not in page
    assert 'lang="en"' in page


@pytest.mark.django_db
def test_403_is_vietnamese(client, production):
    response = client.get("/test-403/")
    assert response.status_code == 403
    assert "Bạn không có quyền xem trang này" in _page(response)


@pytest.mark.django_db
def test_400_is_vietnamese(client, production, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    response = client.get("/", HTTP_HOST="not-allowed.example")
    assert response.status_code == 400
    assert "Hệ thống không hiểu yêu cầu này" in _page(response)


@pytest.mark.django_db
def test_500_is_vietnamese_and_needs_no_request(production):
    client = Client(raise_request_exception=False)
    response = client.get("/test-500/")
    assert response.status_code == 500
    page = _page(response)
    assert "Hệ thống đang gặp sự cố" in page
    assert "boom" not in page


@pytest.mark.django_db
def test_a_refused_form_explains_itself(production):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/tra-cuu/", {"code": "X"})
    assert response.status_code == 403
    page = _page(response)
    assert "Phiên làm việc đã hết hạn" in page
    assert "CSRF verification failed" not in page
