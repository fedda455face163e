"""The acknowledgement of an online submission (PDF, WeasyPrint) with a QR code to the look-up.

It carries the dossier code, never the update key: the key travels by SMS only.
"""

from __future__ import annotations

import base64
import io

from django.template.loader import render_to_string
from django.utils import timezone

from dossiers.models import Dossier
from dossiers.slips import lookup_url


def qr_png_data_uri(text: str) -> str:
    import qrcode

    image = qrcode.make(text, box_size=6, border=2)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def acknowledgement_pdf(*, dossier: Dossier) -> bytes:
    from procedures.pdf import html_to_pdf

    url = lookup_url(dossier.code)
    html = render_to_string(
        "citizens/pdf/acknowledgement.html",
        {
            "dossier": dossier,
            "files": dossier.files.select_related("document").order_by("id"),
            "lookup_url": url,
            "qr": qr_png_data_uri(url),
            "now": timezone.localtime(),
        },
    )
    return html_to_pdf(html)
