"""A new update key for a citizen who lost theirs, sent to the phone on the dossier."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from citizens.models import KeyResend
from dossiers.models import Dossier
from dossiers.services.keys import update_key_generate, update_key_replace
from notifications.services import sms_key_resend
from portal.exceptions import Locked
from portal.models import AuditLog

KEY_RESEND_PER_DOSSIER_PER_DAY = 3
KEY_RESEND_PER_CLIENT_PER_HOUR = 5


@transaction.atomic
def dossier_key_resend(*, dossier: Dossier, client: str = "") -> None:
    """Make a new update key and send it by SMS to the phone registered on the dossier.

    Steps: refuse over the limits (per dossier a day, per client an hour); keep the new
    key beside the confirmed one and lift the wrong-key lock (update_key_replace: the rule
    in dossiers.services.keys); log the resend; queue the SMS through
    notifications.sms_key_resend (sent after commit). The key is never returned.
    """
    now = timezone.now()
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if (
        KeyResend.objects.filter(dossier=locked, at__gte=now - timedelta(days=1)).count()
        >= KEY_RESEND_PER_DOSSIER_PER_DAY
    ):
        raise Locked(
            _(
                "Mã tra cứu của hồ sơ này đã được gửi lại %(n)s lần trong 24 giờ qua. "
                "Vui lòng thử lại sau."
            )
            % {"n": KEY_RESEND_PER_DOSSIER_PER_DAY}
        )
    if (
        client
        and KeyResend.objects.filter(client=client, at__gte=now - timedelta(hours=1)).count()
        >= KEY_RESEND_PER_CLIENT_PER_HOUR
    ):
        raise Locked(
            _("Bạn đã yêu cầu gửi lại mã tra cứu quá nhiều lần. Vui lòng thử lại sau một giờ.")
        )
    key = update_key_generate()
    update_key_replace(dossier=locked, key=key)
    locked.save(
        update_fields=["update_key_pending_hash", "key_failures", "key_locked_until", "updated_at"]
    )
    KeyResend.objects.create(dossier=locked, client=client)
    AuditLog.objects.create(
        actor=None,
        action="dossier.key_resend",
        target=locked.code,
        details={"phone_tail": locked.applicant_phone[-3:]},
    )
    sms_key_resend(dossier=locked, update_key=key)
    dossier.update_key_pending_hash = locked.update_key_pending_hash
    dossier.key_failures, dossier.key_locked_until = 0, None
