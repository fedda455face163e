"""A citizen's and an officer's journey over HTTPS through nginx, with the standard library
only (deploy/images_stack.py runs it against the containers it started).

nginx answers its health check and redirects plain HTTP; /readyz sees the database, Redis
and the storage; the home page's stylesheet comes from nginx's copy of the static files
(gzip too); a citizen submits a dossier with a 3 MB PDF (bigger than nginx's body buffer and
Django's in-memory limit: both spill to disk) after solving the captcha; the desk officer of
the demo data takes an API token, receives the dossier, downloads the file and the receipt
slip (a PDF drawn by WeasyPrint); both SMS (submitted, received) are marked sent in the
outbox.

The captcha's answer and the outbox are read from PostgreSQL with psql.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import re
import ssl
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit

PROCEDURE = "1.001193"  # Đăng ký khai sinh, commune level (procedures/data)
UNIT = "12-03601-TTPVHCC"  # Trung tâm PVHCC xã Mường Khoa, today's demo (dossiers/demo.py)
OFFICER = ("tiepnhan.muongkhoa", "motcua-demo")  # its desk officer (portal/demo.py)
PHONE = "0912 345 678"


@dataclass
class Result:
    proven: list[str] = field(default_factory=list)


@dataclass
class Client:
    base_url: str
    context: ssl.SSLContext | None

    def request(
        self, method: str, path: str, *, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        url = urlsplit(self.base_url)
        if url.scheme == "https":
            conn = http.client.HTTPSConnection(url.hostname, url.port, context=self.context)
        else:
            conn = http.client.HTTPConnection(url.hostname, url.port)
        try:
            conn.request(method, path, body=body or None, headers=headers or {})
            response = conn.getresponse()
            data = response.read()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, data
        finally:
            conn.close()

    def json(self, method: str, path: str, **kwargs) -> tuple[int, dict]:
        headers = {"Accept": "application/json", **kwargs.pop("headers", {})}
        if "data" in kwargs:
            kwargs["body"] = json.dumps(kwargs.pop("data")).encode()
            headers["Content-Type"] = "application/json"
        status, _, data = self.request(method, path, headers=headers, **kwargs)
        return status, json.loads(data or b"{}")


def psql(database_url: str, sql: str, **variables: str) -> list[list[str]]:
    args = ["psql", database_url, "-XAtq", "-F", "\t", "-v", "ON_ERROR_STOP=1"]
    for name, value in variables.items():
        args += ["-v", f"{name}={value}"]
    result = subprocess.run(  # noqa: S603 - psql with our own query
        args, input=sql, capture_output=True, text=True, check=True, timeout=30
    )
    return [line.split("\t") for line in result.stdout.splitlines() if line]


def pdf_bytes(size: int) -> bytes:
    head = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
    tail = b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
    return head + b"%" + b"0" * (size - len(head) - len(tail) - 2) + b"\n" + tail


def multipart(
    fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]
) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []
    for name, value in fields.items():
        disposition = f'Content-Disposition: form-data; name="{name}"'
        parts.append(f"--{boundary}\r\n{disposition}\r\n\r\n{value}\r\n".encode())
    for name, (filename, content, content_type) in files.items():
        parts.append(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
            ).encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _wait(what: str, probe, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.5)


def journey(*, base_url: str, plain_url: str, cafile: str, database_url: str) -> Result:
    result = Result()
    site = Client(base_url, ssl.create_default_context(cafile=cafile))
    plain = Client(plain_url, None)

    status, _, body = plain.request("GET", "/nginx-health")
    assert (status, body) == (200, b"ok\n"), (status, body)
    status, headers, _ = plain.request("GET", "/readyz", headers={"Host": "localhost"})
    assert status == 301, (status, headers)
    assert headers["location"] == "https://localhost/readyz", headers
    result.proven.append("nginx up, plain HTTP redirected")

    status, ready = site.json("GET", "/readyz")
    assert status == 200, ready
    assert ready["checks"] == {"database": "ok", "redis": "ok", "storage": "ok"}, ready
    result.proven.append("/readyz 200 (database, redis, storage)")

    status, _, page = site.request("GET", "/")
    assert status == 200, status
    stylesheet = re.search(rb'href="(/static/css/portal\.[0-9a-f]{12}\.css)"', page)
    assert stylesheet, "the home page links no hashed stylesheet"
    path = stylesheet.group(1).decode()
    status, headers, css = site.request("GET", path)
    assert status == 200, (status, headers)
    assert headers["content-type"].startswith("text/css"), headers
    assert css
    assert headers.get("cache-control") == "public", headers  # nginx's /static/ location
    status, headers, _ = site.request("GET", path, headers={"Accept-Encoding": "gzip"})
    assert status == 200, (status, headers)
    assert headers.get("content-encoding") == "gzip", headers
    result.proven.append(f"static file 200 from nginx ({path}, gzip too)")

    status, procedure = site.json("GET", f"/api/v1/procedures/{PROCEDURE}/")
    assert status == 200, procedure
    assert UNIT in procedure["units"], procedure["units"]
    status, captcha = site.json("GET", "/api/v1/captcha/")
    assert status == 200, captcha
    [[answer]] = psql(
        database_url,
        "SELECT response FROM captcha_captchastore WHERE hashkey = :'key'",
        key=captcha["key"],
    )
    attachment = pdf_bytes(3 * 1024 * 1024)
    fields = {
        "procedure": PROCEDURE,
        "unit": UNIT,
        "applicant_name": "Nguyễn Văn An",
        "applicant_id_number": "012345678901",
        "applicant_phone": PHONE,
        "applicant_address": "Bản Nà Bó, xã Mường Khoa",
        "delivery": "counter",
        "payment_method": "none",
        "declaration": "true",
        "captcha_key": captcha["key"],
        "captcha_value": answer,
    }
    files = {
        f"document_{document['id']}": (
            f"giay-to-{document['id']}.pdf",
            attachment,
            "application/pdf",
        )
        for document in procedure["documents"]
    }
    assert files, procedure
    body, content_type = multipart(fields, files)
    status, _, raw = site.request(
        "POST",
        "/api/v1/dossiers/",
        body=body,
        headers={"Content-Type": content_type, "Accept": "application/json"},
    )
    submitted = json.loads(raw)
    assert status == 201, submitted
    code = submitted["code"]
    result.proven.append(f"dossier {code} submitted with {len(files)} PDF(s) of 3 MB")

    status, token = site.json(
        "POST", "/api/v1/auth/token/", data={"username": OFFICER[0], "password": OFFICER[1]}
    )
    assert status == 200, token
    auth = {"Authorization": f"Token {token['token']}"}
    status, received = site.json(
        "POST",
        f"/api/v1/officer/dossiers/{code}/actions/",
        data={"action": "receive"},
        headers=auth,
    )
    assert status == 200, received
    assert received["status"] == "received", received
    status, detail = site.json("GET", f"/api/v1/officer/dossiers/{code}/", headers=auth)
    assert status == 200, detail
    file_id = detail["files"][0]["id"]
    status, headers, content = site.request(
        "GET", f"/api/v1/officer/dossiers/{code}/files/{file_id}/", headers=auth
    )
    assert status == 200, (status, headers)
    assert hashlib.sha256(content).digest() == hashlib.sha256(attachment).digest()
    status, headers, slip = site.request(
        "GET", f"/api/v1/officer/dossiers/{code}/slips/receipt.pdf", headers=auth
    )
    assert status == 200, (status, headers)
    assert slip.startswith(b"%PDF"), slip[:200]
    result.proven.append(
        f"officer {OFFICER[0]} received it through the API, downloaded the file and the"
        " receipt slip (PDF)"
    )

    def sms_rows() -> list[list[str]]:
        rows = psql(
            database_url,
            "SELECT sms.status, sms.provider_message_id FROM notifications_smsmessage sms"
            " JOIN dossiers_dossier dossier ON dossier.id = sms.dossier_id"
            " WHERE dossier.code = :'code' ORDER BY sms.id",
            code=code,
        )
        return rows if len(rows) == 2 and all(row[0] == "sent" for row in rows) else []

    rows = _wait("both SMS sent", sms_rows)
    assert all(row[1].startswith("outbox-") for row in rows), rows
    result.proven.append("both SMS (submitted, received) marked sent in the outbox")
    return result
