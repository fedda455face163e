"""The wizard's path through its steps: their slugs and titles, which steps a draft goes
through, the draft a browser may open, and the links and page context between steps."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from citizens import services
from citizens.models import Draft
from citizens.views.common import session_draft_tokens
from procedures import selectors as catalogue
from procedures.models import Procedure

SLUGS = {
    "unit": "don-vi",
    "applicant": "nguoi-nop",
    "documents": "giay-to",
    "delivery": "nhan-ket-qua",
    "review": "kiem-tra",
    "confirm": "xac-nhan",
}
STEP_OF = {slug: step for step, slug in SLUGS.items()}


def step_titles() -> dict[str, str]:
    return {
        "unit": _("Chọn cơ quan tiếp nhận"),
        "applicant": _("Thông tin người nộp hồ sơ"),
        "documents": _("Giấy tờ đính kèm"),
        "delivery": _("Hình thức nhận kết quả"),
        "review": _("Kiểm tra lại thông tin"),
        "confirm": _("Xác nhận, phí và nộp hồ sơ"),
    }


def wizard_procedure(code: str) -> Procedure:
    procedure = catalogue.procedure_get(code=code)
    if procedure is None:
        raise Http404(_("Không tìm thấy thủ tục."))
    return procedure


def draft_steps(draft: Draft) -> list[str]:
    """The steps this draft goes through: the unit step only when there is a choice."""
    units = draft.procedure.units.exclude(e_id=None).exclude(e_id="").count()
    return [s for s in services.DRAFT_STEPS if s != "unit" or units > 1]


def draft_for_request(request: HttpRequest, code: str, token: str) -> Draft:
    """The draft, if this browser (its session) or this account may open it; else 404."""
    draft = (
        Draft.objects.select_related("procedure", "procedure__field")
        .filter(token=token, procedure__code=code)
        .first()
    )
    if draft is None:
        raise Http404
    mine = token in session_draft_tokens(request) or (
        request.user.is_authenticated and draft.user_id == request.user.pk
    )
    if not mine:
        raise Http404
    return draft


def step_url(draft: Draft, step: str) -> str:
    return reverse("citizen-step", args=[draft.procedure.code, draft.token, SLUGS[step]])


def done_url(draft: Draft) -> str:
    return reverse("citizen-done", args=[draft.procedure.code, draft.token])


def step_next(draft: Draft, step: str, request: HttpRequest) -> HttpResponse:
    steps = draft_steps(draft)
    if request.POST.get("back_to_review") and services.draft_step_is_valid(draft, "review"):
        return redirect(step_url(draft, "review"))
    i = steps.index(step)
    return redirect(step_url(draft, steps[min(i + 1, len(steps) - 1)]))


def step_context(draft: Draft, step: str, **extra: Any) -> dict[str, Any]:
    steps = draft_steps(draft)
    titles = step_titles()
    return {
        "draft": draft,
        "procedure": draft.procedure,
        "step": step,
        "step_number": steps.index(step) + 1,
        "step_count": len(steps),
        "step_title": titles[step],
        "steps": [
            {
                "step": s,
                "title": titles[s],
                "url": step_url(draft, s),
                "done": services.draft_step_is_valid(draft, s),
                "current": s == step,
            }
            for s in steps
        ],
        "previous_url": (
            step_url(draft, steps[steps.index(step) - 1])
            if steps.index(step) > 0
            else reverse("citizen-start", args=[draft.procedure.code])
        ),
        **extra,
    }
