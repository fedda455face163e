"""A fake remote signing service (the hash-signing style of the national eSign gateway, VNPT
SmartCA, Viettel MySign), speaking signing.remote.HttpHashSigningService's protocol over real
HTTP on 127.0.0.1.

It holds a test key and certificate, checks the bearer token and the request's shape, and
signs the digest it is sent into a detached CMS (pyHanko's SimpleSigner, as a signing server
would). It can be told to fail (HTTP 500) or to sign another digest than the one it got.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler

from pyhanko.sign import signers

from signing import pki
from tests.fakes.server import FakeServer


@dataclass
class SignCall:
    digest: bytes
    algorithm: str


class FakeSigningService(FakeServer):
    thread_name = "fake-signing"

    def __init__(self, *, holder: pki.Issued, chain: list[pki.Issued], token: str) -> None:
        self.holder, self.chain, self.token = holder, chain, token
        self.mode = "ok"  # "ok", "fail", "wrong-digest"
        self.calls: list[SignCall] = []
        p12 = pki.pkcs12_bytes(holder, chain=chain, passphrase="fake")
        self.signer = signers.SimpleSigner.load_pkcs12_data(p12, other_certs=[], passphrase=b"fake")
        super().__init__()

    @property
    def url(self) -> str:
        return f"{self.base_url}/api/v1"

    def _sign(self, digest: bytes, algorithm: str) -> bytes:
        if self.mode == "wrong-digest":
            digest = hashlib.sha256(b"another document").digest()
        cms = asyncio.run(self.signer.async_sign(digest, algorithm, use_pades=True))
        return cms.dump()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        service = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _answer(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _authorised(self) -> bool:
                if self.headers.get("Authorization") != f"Bearer {service.token}":
                    self._answer(401, {"error": "unauthorised"})
                    return False
                if service.mode == "fail":
                    self._answer(500, {"error": "HSM unavailable"})
                    return False
                return True

            def do_GET(self) -> None:
                if self.path != "/api/v1/certificates":
                    return self._answer(404, {"error": "not found"})
                if self._authorised():
                    certs = [service.holder.cert_der, *[c.cert_der for c in service.chain]]
                    self._answer(
                        200, {"certificates": [base64.b64encode(c).decode() for c in certs]}
                    )

            def do_POST(self) -> None:
                if self.path != "/api/v1/sign":
                    return self._answer(404, {"error": "not found"})
                if not self._authorised():
                    return
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                digest = base64.b64decode(body["hash"], validate=True)
                algorithm = body["hash_algorithm"]
                if algorithm != "sha256" or len(digest) != 32:
                    return self._answer(400, {"error": "bad hash"})
                service.calls.append(SignCall(digest, algorithm))
                cms = service._sign(digest, algorithm)
                self._answer(200, {"cms": base64.b64encode(cms).decode()})

        return Handler
