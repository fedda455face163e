from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Alive: the process answers. Readiness (database, Redis, storage) is /readyz."""
    return JsonResponse({"status": "ok"})


def help_page(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/help.html")
