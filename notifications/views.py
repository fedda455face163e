"""The provider's delivery reports (Twilio status callbacks)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator

from notifications.backends import url_with_query
from notifications.sending import sms_status_apply

logger = logging.getLogger(__name__)


def _signed_by_twilio(request: HttpRequest) -> bool:
    """X-Twilio-Signature is an HMAC, with the auth token, of the URL Twilio called and the
    POST parameters. Behind a proxy the URL we see may differ from the one Twilio called, so
    the configured callback URL (with this request's query) is accepted too."""
    token = settings.TWILIO_AUTH_TOKEN
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:  # an empty token would make every signature forgeable
        return False
    validator = RequestValidator(token)
    urls = [request.build_absolute_uri()]
    if settings.TWILIO_STATUS_CALLBACK_URL:
        query = request.META.get("QUERY_STRING", "")
        urls.append(url_with_query(settings.TWILIO_STATUS_CALLBACK_URL, query))
    return any(validator.validate(url, request.POST, signature) for url in urls)


@csrf_exempt  # the caller is the SMS provider, authenticated by its signature
@require_POST
def sms_status(request: HttpRequest) -> HttpResponse:
    if not _signed_by_twilio(request):
        logger.warning(
            "SMS status callback with a bad signature from %s", request.META.get("REMOTE_ADDR")
        )
        return HttpResponseForbidden("invalid signature")
    reference = request.GET.get("m", "")
    sms = sms_status_apply(
        provider_message_id=request.POST.get("MessageSid", ""),
        provider_status=request.POST.get("MessageStatus") or request.POST.get("SmsStatus", ""),
        sms_id=int(reference) if reference.isdigit() else None,
        error_code=request.POST.get("ErrorCode", ""),
    )
    if sms is None:
        logger.info("SMS status callback for an unknown message %s", request.POST.get("MessageSid"))
    # 204 either way: the provider has nothing to retry.
    return HttpResponse(status=204)
