"""Security hardening: headers and CSP, no inline script anywhere, `check --deploy` clean,
request size bounded before it is read, and private downloads (portal.downloads)."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.conf import settings as django_settings
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from dossiers.models import DossierFile
from portal.downloads import private_file_response

BASE_DIR = Path(django_settings.BASE_DIR)
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'"
)


# --- headers --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_pages_carry_the_content_security_policy_and_security_headers(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == CSP
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_the_policy_allows_no_inline_script_or_style_and_no_other_origin():
    directives = dict(part.strip().split(" ", 1) for part in CSP.split(";"))
    for name in ("default-src", "script-src", "style-src"):
        assert directives[name] == "'self'"
    assert django_settings.CONTENT_SECURITY_POLICY == CSP


def test_a_view_that_sets_its_own_policy_keeps_it(rf):
    from django.http import HttpResponse

    from portal.middleware import SecurityHeadersMiddleware

    def view(request):
        response = HttpResponse("ok")
        response["Content-Security-Policy"] = "default-src 'none'"
        return response

    response = SecurityHeadersMiddleware(view)(rf.get("/"))
    assert response["Content-Security-Policy"] == "default-src 'none'"


# Served templates must work under the policy: no inline <script>, no <style> element, no
# style="" or on*="" attribute, no javascript: URL. PDF templates are rendered by WeasyPrint,
# never by a browser, so they are exempt.
_INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|<style[\s>]|\sstyle\s*=|\son[a-z]+\s*=|javascript:",
    re.IGNORECASE,
)
_COMMENTS = re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}", re.DOTALL)


def _served_templates() -> list[Path]:
    roots = [BASE_DIR / "templates", *BASE_DIR.glob("*/templates")]
    return sorted(
        path
        for root in roots
        for path in root.rglob("*.html")
        if "pdf" not in path.relative_to(root).parts and ".venv" not in path.parts
    )


def test_no_served_template_has_inline_script_or_style():
    templates = _served_templates()
    assert any(path.name == "base.html" for path in templates)
    offenders = []
    for path in templates:
        text = _COMMENTS.sub("", path.read_text(encoding="utf-8"))
        for match in _INLINE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            offenders.append(f"{path.relative_to(BASE_DIR)}:{line}: {match.group(0)!r}")
    assert offenders == []


@pytest.mark.django_db
def test_api_docs_load_self_hosted_assets_and_no_inline_script(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert response["Content-Security-Policy"] == CSP
    assert not _INLINE.search(html)
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls
    assert all(url.startswith("/") for url in urls), urls  # no CDN: same origin only
    for url in urls:
        if url.startswith(django_settings.STATIC_URL):
            assert finders.find(url.removeprefix(django_settings.STATIC_URL)), url
        else:
            assert client.get(url.replace("&amp;", "&")).status_code == 200, url
    script = client.get("/api/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content


# --- production settings ----------------------------------------------------------------------


def _check_deploy(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DEBUG",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "SECURE_SSL_REDIRECT",
            "SECURE_HSTS_SECONDS",
            "CONTENT_SECURITY_POLICY",
        }
    }
    env |= {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "motcua.example.gov.vn",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", "check", "--deploy", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_check_deploy_security_is_clean_with_production_settings(tmp_path):
    # Django's deployment checks (HSTS, SSL redirect, secure cookies, secret key, hosts,
    # X-Frame-Options...): not even a warning.
    result = _check_deploy(tmp_path, "--tag", "security", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_finds_no_error_with_production_settings(tmp_path):
    # Every check of every app (models, URLs, templates, the API schema). Their warnings are
    # printed for their owners; an error fails.
    result = _check_deploy(tmp_path, "--fail-level", "ERROR")
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {key: value for key, value in os.environ.items() if key != "SECRET_KEY"}
    env |= {"DEBUG": "0", "DJANGO_SETTINGS_MODULE": "portal.settings"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


# --- request size -----------------------------------------------------------------------------


class _Unreadable:
    """A wsgi.input that fails the test if anyone reads the body."""

    def read(self, *args, **kwargs):
        raise AssertionError("the body was read")

    readline = read


@pytest.mark.django_db
def test_it_refuses_a_request_declared_too_large_before_reading_it(client, settings):
    settings.REQUEST_MAX_BYTES = 1000
    response = client.generic(
        "POST",
        "/i18n/setlang/",
        CONTENT_LENGTH="1001",
        CONTENT_TYPE="multipart/form-data; boundary=x",
        **{"wsgi.input": _Unreadable()},
    )
    assert response.status_code == 413
    assert "Yêu cầu quá lớn" in response.content.decode()
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.django_db
def test_api_clients_get_the_refusal_as_json(client, settings):
    settings.REQUEST_MAX_BYTES = 1000
    response = client.generic(
        "POST",
        "/api/v1/procedures/",
        CONTENT_LENGTH="5000000",
        CONTENT_TYPE="application/json",
        **{"wsgi.input": _Unreadable()},
    )
    assert response.status_code == 413
    assert "Yêu cầu quá lớn" in response.json()["detail"]


@pytest.mark.django_db
def test_a_request_within_the_limit_goes_through(client, settings):
    settings.REQUEST_MAX_BYTES = 1000
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302


def test_the_default_limit_is_set_in_settings():
    assert django_settings.REQUEST_MAX_BYTES >= django_settings.UPLOAD_MAX_BYTES


# --- private downloads ------------------------------------------------------------------------

PDF = b"%PDF-1.4\n% a scanned form\n"


@pytest.fixture
def stored_file(settings):
    name = default_storage.save("dossiers/7/0123456789abcdef.pdf", ContentFile(PDF))
    return DossierFile(file=name).file


def test_it_streams_the_file_when_nginx_is_not_in_front(stored_file, settings):
    settings.DOWNLOADS_X_ACCEL = False
    response = private_file_response(file_field=stored_file, filename="Tờ khai khai sinh.pdf")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert (
        "filename*=utf-8''T%E1%BB%9D%20khai%20khai%20sinh.pdf" in (response["Content-Disposition"])
    )
    assert response["Cache-Control"] == "private, no-store"
    assert "X-Accel-Redirect" not in response


def test_it_can_show_a_file_inline(stored_file, settings):
    settings.DOWNLOADS_X_ACCEL = False
    response = private_file_response(
        file_field=stored_file, filename="ket-qua.pdf", as_attachment=False
    )
    assert response["Content-Disposition"] == 'inline; filename="ket-qua.pdf"'


def test_it_hands_the_file_to_nginx_with_x_accel_redirect(stored_file, settings):
    settings.DOWNLOADS_X_ACCEL = True
    response = private_file_response(file_field=stored_file, filename="Tờ khai.pdf")
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == "/_protected/dossiers/7/0123456789abcdef.pdf"
    assert response.content == b""
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "private, no-store"


S3_ENDPOINT = "http://s3.motcua.test:9000"  # never contacted: presigning is local


@pytest.fixture
def s3_file(settings):
    from botocore.config import Config

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "motcua",
                "endpoint_url": S3_ENDPOINT,
                "access_key": "motcua-app",
                "secret_key": "not-a-real-secret",
                "region_name": "us-east-1",
                "querystring_expire": 3600,
                "client_config": Config(s3={"addressing_style": "path"}, signature_version="s3v4"),
            },
        },
    }
    settings.S3_URL_EXPIRE = 60
    return DossierFile(file="dossiers/7/0123456789abcdef.pdf").file


def test_it_redirects_to_a_short_lived_presigned_url_on_s3(s3_file, settings):
    settings.DOWNLOADS_X_ACCEL = False
    response = private_file_response(file_field=s3_file, filename="Tờ khai.pdf")
    assert response.status_code == 302
    url = urlsplit(response["Location"])
    query = parse_qs(url.query)
    assert f"{url.scheme}://{url.netloc}" == S3_ENDPOINT
    assert url.path == "/motcua/dossiers/7/0123456789abcdef.pdf"
    assert query["X-Amz-Expires"] == ["60"]
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Credential"][0].startswith("motcua-app/")
    assert len(query["X-Amz-Signature"][0]) == 64
    assert query["response-content-disposition"][0].startswith("attachment;")
    assert query["response-content-type"] == ["application/pdf"]
    assert response["Cache-Control"] == "private, no-store"


def test_on_s3_behind_nginx_the_presigned_url_stays_internal(s3_file, settings):
    settings.DOWNLOADS_X_ACCEL = True
    response = private_file_response(file_field=s3_file, filename="Tờ khai.pdf")
    assert response.status_code == 200
    target = response["X-Accel-Redirect"]
    path, _, query = target.partition("?")
    assert path == "/_protected_s3/motcua/dossiers/7/0123456789abcdef.pdf"
    assert "s3.motcua.test" not in target
    assert "X-Amz-Signature=" in query
    assert "attachment" in unquote(query)
    assert response.content == b""


# --- deployment wiring (docker-compose.yml, deploy/nginx) ---------------------------------------


def _compose() -> dict:
    import yaml

    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text(encoding="utf-8"))


def _nginx_site() -> str:
    return (BASE_DIR / "deploy" / "nginx" / "motcua.conf").read_text(encoding="utf-8")


def test_nginx_bounds_requests_like_the_app():
    match = re.search(r"client_max_body_size (\d+)m;", _nginx_site())
    assert match
    assert int(match.group(1)) * 1024 * 1024 == django_settings.REQUEST_MAX_BYTES


def test_private_files_are_only_reachable_through_internal_nginx_locations():
    site = _nginx_site()
    for prefix in (
        django_settings.DOWNLOADS_X_ACCEL_PREFIX,
        django_settings.DOWNLOADS_X_ACCEL_S3_PREFIX,
    ):
        block = re.search(r"location [~^ ]*" + re.escape(prefix) + r"[^{]*{([^}]*)}", site)
        assert block, prefix
        assert "internal;" in block.group(1)
        assert "sandbox" in block.group(1)
    # The media volume is never served under a public location.
    assert "/data/media" not in site.replace("alias /data/media/;", "")


def test_compose_runs_exactly_one_beat_and_publishes_only_nginx():
    services = _compose()["services"]
    assert services["beat"]["deploy"]["replicas"] == 1
    assert services["beat"]["command"] == ["beat"]
    assert [name for name, svc in services.items() if "ports" in svc] == ["nginx"]
    assert not any("container_name" in svc for svc in services.values())  # replicas allowed
    for name in ("db", "redis", "minio", "web", "worker", "nginx"):
        assert "healthcheck" in services[name], name
    assert services["web"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )
    assert "-Q" not in services["worker"]["command"]
    assert services["worker"]["environment"]["CELERY_QUEUES"] == "celery,sms,reports"


def test_a_nul_byte_in_the_query_is_refused_not_a_server_error(client, db):
    response = client.get("/api/v1/procedures/", {"search": "khai\x00sinh"})
    assert response.status_code == 400
    assert client.get("/thu-tuc/", {"q": "a\x00"}).status_code == 400
