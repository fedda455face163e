"""The local OpenID Connect provider (tests/fakes/oidc_provider.mjs, npm oidc-provider) started
for a test on a free port, and a scripted citizen going through its own login and consent
pages without a browser.

    with OidcProvider(redirect_uris=["http://testserver/tai-khoan/dang-nhap-quoc-gia/ve/"],
                      post_logout_uris=["http://testserver/"]) as provider:
        provider.settings()              # the NATIONAL_OIDC_* settings pointing at it
        provider.sign_in(authorize_url, login="nguyenvana")  # -> the callback URL with code
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import requests

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "fakes" / "oidc_provider.mjs"
CLIENT_ID = "motcua-test"
CLIENT_SECRET = "motcua-test-secret"

# The built-in accounts of oidc_provider.mjs (their logins and the claims tests rely on).
CITIZEN = {"login": "nguyenvana", "TechID": "TECH-0001-VNEID", "SoDinhDanh": "012345678901"}
ENTERPRISE = {"login": "congtyabc", "TechID": "TECH-0002-DN", "MaSoThue": "6200123456"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class OidcProvider:
    def __init__(
        self,
        *,
        redirect_uris: list[str],
        post_logout_uris: tuple[str, ...] = (),
        accounts: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        node = shutil.which("node")
        if node is None or not (ROOT / "node_modules" / "oidc-provider").exists():
            raise RuntimeError("node and the npm package oidc-provider: run `make e2e-setup`")
        self.node = node
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "OIDC_PORT": str(self.port),
            "OIDC_CLIENT_ID": CLIENT_ID,
            "OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_REDIRECT_URIS": ",".join(redirect_uris),
            "OIDC_POST_LOGOUT_URIS": ",".join(post_logout_uris),
        }
        if accounts is not None:
            self.env["OIDC_ACCOUNTS"] = json.dumps(accounts)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def __enter__(self) -> OidcProvider:
        self.process = subprocess.Popen(  # noqa: S603 - our own script, fixed arguments
            [self.node, str(SCRIPT)],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    "the OIDC provider stopped: " + self.process.stderr.read().decode()[-2000:]
                )
            try:
                if requests.get(self.discovery_url, timeout=1).ok:
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        self.__exit__()
        raise RuntimeError("the OIDC provider did not answer its discovery URL in 30 s")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None and self.process.stderr is not None:
            self.process.stderr.close()

    def settings(self, **overrides: Any) -> dict[str, Any]:
        return {
            "NATIONAL_OIDC_CLIENT_ID": CLIENT_ID,
            "NATIONAL_OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "NATIONAL_OIDC_DISCOVERY_URL": self.discovery_url,
            **overrides,
        }

    def sign_in(self, authorize_url: str, *, login: str) -> str:
        """Go through the provider's login and consent pages as a citizen would; return the
        URL the provider sends the browser back to (the callback, with code and state)."""
        browser = requests.Session()
        url = authorize_url
        for _hop in range(12):
            response = browser.get(url, allow_redirects=False, timeout=10)
            if response.is_redirect:
                url = urljoin(url, response.headers["Location"])
                if not url.startswith(self.issuer):
                    return url
                continue
            form = re.search(r'<form[^>]*action="([^"]+)"', response.text)
            assert form, response.text[:500]
            action = urljoin(url, form.group(1))
            data = {"prompt": "consent"}
            if 'name="login"' in response.text:
                data = {"prompt": "login", "login": login, "password": "any"}
            response = browser.post(action, data=data, allow_redirects=False, timeout=10)
            assert response.is_redirect, response.text[:500]
            url = urljoin(action, response.headers["Location"])
            if not url.startswith(self.issuer):
                return url
        raise AssertionError("the provider never sent the browser back")
