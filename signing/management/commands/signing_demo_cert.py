"""Make a self-signed demo CA and an agency certificate it issues, as PKCS#12, for `make run`.

Writes (once; again with --force) into --out (default var/signing/):
  demo-ca.pem          the CA certificate
  trust/demo-ca.pem    the same, in the folder PDF_SIGNING_TRUST_ROOTS points at
  agency.p12           the agency's key and certificate (with the CA), passphrase-protected
  agency.pass          the passphrase (PDF_SIGNING_PKCS12_PASSPHRASE_FILE)
Nothing here is a real certificate: documents signed with it show as signed by the demo
agency, trusted only where the demo CA is.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from signing import pki


class Command(BaseCommand):
    help = "Make a demo CA and agency certificate (PKCS#12) under var/signing/ for the demo."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--out", default=str(Path(settings.BASE_DIR) / "var" / "signing"))
        parser.add_argument("--agency", default="UBND tỉnh Lai Châu (demo)")
        parser.add_argument("--force", action="store_true", help="replace existing files")

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        p12 = out / "agency.p12"
        if p12.exists() and not options["force"]:
            self.stdout.write(f"{p12} exists; kept (--force to replace).")
            return
        (out / "trust").mkdir(parents=True, exist_ok=True)
        out.chmod(0o700)
        ca = pki.ca_make(common_name="MotCua Demo CA", organisation="MotCua (demo, không tin cậy)")
        agency = pki.signer_issue(ca, common_name=options["agency"], organisation=options["agency"])
        passphrase = secrets.token_urlsafe(18)
        (out / "demo-ca.pem").write_bytes(ca.cert_pem)
        (out / "trust" / "demo-ca.pem").write_bytes(ca.cert_pem)
        p12.write_bytes(pki.pkcs12_bytes(agency, chain=[ca], passphrase=passphrase))
        p12.chmod(0o600)
        (out / "agency.pass").write_text(passphrase + "\n", encoding="utf-8")
        (out / "agency.pass").chmod(0o600)
        self.stdout.write(self.style.SUCCESS(f"Demo signing certificate written to {out}/"))
