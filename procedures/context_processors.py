from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from procedures.selectors import site_owner


def owner(request: HttpRequest) -> dict[str, object]:
    """SITE_OWNER: the authority the portal serves (header and footer), read when shown."""
    return {"SITE_OWNER": SimpleLazyObject(site_owner)}
