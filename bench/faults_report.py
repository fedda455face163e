"""The counts of bench/faults_run.py after the faults: dossiers and SMS lost or duplicated,
and whether the status look-up's cache went stale."""

from __future__ import annotations

import json
from collections import Counter

from _common import OFFICER
from faults_load import Load


def lookups_after_faults(stack, fake, load: Load, sample: int = 40) -> str:
    """After the faults, is the look-up's cached document (citizens/lookup.py) never stale?
    For `sample` dossiers of the run: look up twice (the second from the cache), record an
    officer's view of the dossier (the citizen sees it in "accesses"; no SMS, so the counts
    below stay the run's own), then look up once more: an answer without it is stale."""
    import re

    from django.contrib.auth import get_user_model

    from dossiers.files import dossier_access_record
    from dossiers.models import Dossier, DossierAccess
    from tests.smoke.stack import request

    officer = get_user_model().objects.get(username=OFFICER[0])
    keys = {}
    for message in fake.messages():
        found = re.search(r"Mã tra cứu[^:]*: ([A-Z0-9]{8,})", message.form["Body"])
        code = next((c for c in load.acknowledged.values() if c in message.form["Body"]), None)
        if found and code:
            keys[code] = found.group(1)
    checked = stale = 0
    for code, key in list(keys.items())[:sample]:
        url = f"{stack.url}/api/v1/dossiers/{code}/status/?key={key}"
        if request("GET", url)[0] != 200:
            continue
        seen = len(json.loads(request("GET", url)[2])["accesses"])
        dossier_access_record(
            dossier=Dossier.objects.get(code=code), user=officer, action=DossierAccess.Action.VIEW
        )
        if len(json.loads(request("GET", url)[2])["accesses"]) == seen:
            stale += 1
        checked += 1
    return f"look-ups after the faults: {checked} dossiers viewed by an officer, {stale} stale"


def report(load: Load, fake, say) -> None:
    from dossiers.models import Dossier
    from notifications.models import SmsMessage

    acknowledged = load.acknowledged
    made = Dossier.objects.filter(idempotency_key__isnull=False)
    # The API stores "api:" + a hash of the Idempotency-Key.
    import hashlib

    by_key = {"api:" + hashlib.sha256(k.encode()).hexdigest()[:56]: k for k in acknowledged}
    rows = list(made.filter(idempotency_key__in=by_key).values_list("idempotency_key", "code"))
    per_key = Counter(key for key, _ in rows)
    lost_dossiers = [k for k in acknowledged if not any(by_key.get(ik) == k for ik, _ in rows)]
    wrong_code = [k for ik, code in rows if (k := by_key[ik]) and acknowledged[k] != code]
    duplicated = [k for k, n in per_key.items() if n > 1]
    sms = SmsMessage.objects.filter(dossier__code__in=acknowledged.values())
    per_dossier = Counter(sms.values_list("dossier__code", flat=True))
    received = Counter()
    for message in fake.messages():
        if message.status == 201:
            for code in acknowledged.values():
                if code in message.form.get("Body", ""):
                    received[code] += 1
                    break
    not_received = [c for c in acknowledged.values() if received[c] == 0]
    twice = {c: n for c, n in received.items() if n > 1}
    say("RESULT")
    say(
        f"  dossiers acknowledged to clients: {len(acknowledged)}; found in the database: "
        f"{len(rows)}; lost: {len(lost_dossiers)}; duplicated: {len(duplicated)}; code "
        f"differs from the answer: {len(wrong_code)}"
    )
    say(
        f"  SMS rows: {sms.count()} for {len(per_dossier)} dossiers (expected one each); "
        f"statuses {dict(Counter(sms.values_list('status', flat=True)))}"
    )
    say(
        f"  fake Twilio: {sum(received.values())} messages for these dossiers; dossiers whose "
        f"SMS never arrived: {len(not_received)}; arrived more than once: {len(twice)} "
        f"{twice}"
    )
    if twice:
        details = sms.filter(dossier__code__in=twice).values_list(
            "dossier__code", "attempts", "queued_at", "sent_at"
        )
        for code, attempts, queued, sent in details:
            say(
                f"    {code}: {attempts} attempts, last queued {queued:%H:%M:%S}, sent "
                f"{sent:%H:%M:%S}"
            )
    say(
        f"  status callbacks posted by the fake: {len(fake.callbacks)}, answered "
        f"{dict(Counter(status for _, status in fake.callbacks))}"
    )
    say(f"  client answers: {dict(load.answers)}")
