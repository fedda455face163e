"""PDFs of the catalogue: the public posting sheet and blank form templates (WeasyPrint)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from procedures.models import Procedure, Unit


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # heavy import, only when a PDF is made

    return HTML(string=html).write_pdf()


def posting_sheet_pdf(*, procedures: list[Procedure], unit: Unit | None) -> bytes:
    """The public posting sheet (niêm yết công khai) of one procedure or of a unit's list."""
    html = render_to_string(
        "procedures/pdf/posting_sheet.html",
        {
            "procedures": procedures,
            "unit": unit,
            "today": timezone.localdate(),
        },
    )
    return html_to_pdf(html)


def form_template_pdf(*, title: str, fields: list[str], procedure: Procedure) -> bytes:
    """A blank form generated from its title and the fields it asks for."""
    html = render_to_string(
        "procedures/pdf/form_template.html",
        {
            "title": title,
            "fields": fields,
            "procedure": procedure,
        },
    )
    return html_to_pdf(html)
