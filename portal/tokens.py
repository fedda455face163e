"""Officers' API tokens: each lasts API_TOKEN_SECONDS from its issue, then the token API must
be asked again (with the password, and the code when two-factor sign-in is on). Turning
two-factor sign-in on revokes the officer's token, so a token got with the password alone
does not outlive that decision.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token


def api_token_expires_at(*, token: Token) -> datetime.datetime:
    return token.created + datetime.timedelta(seconds=settings.API_TOKEN_SECONDS)


def api_token_expired(*, token: Token, now: datetime.datetime | None = None) -> bool:
    return (now or timezone.now()) >= api_token_expires_at(token=token)


@transaction.atomic
def api_token_issue(*, user: Any) -> Token:
    """The officer's token: the current one while it lasts, else a new one (new key)."""
    token = Token.objects.select_for_update().filter(user=user).first()
    if token is not None and not api_token_expired(token=token):
        return token
    if token is not None:
        token.delete()
    return Token.objects.create(user=user)


def api_tokens_revoke(*, user: Any) -> None:
    Token.objects.filter(user=user).delete()


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing a token past its lifetime (401)."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        user, token = super().authenticate_credentials(key)
        if api_token_expired(token=token):
            raise exceptions.AuthenticationFailed(_("Token đã hết hạn. Vui lòng lấy token mới."))
        return user, token
