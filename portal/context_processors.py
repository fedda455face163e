from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    return {
        "SITE_NAME": "MotCua",
        "SITE_URL": settings.SITE_URL,
        "DEBUG": settings.DEBUG,
        "DRAFT_LIFETIME_DAYS": settings.DRAFT_LIFETIME_DAYS,
    }
