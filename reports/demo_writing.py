"""The demo history written in bulk: dossiers, their hash-chained events, hand-overs, codes.

See reports.demo for why history is written this way rather than through the services.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from citizens.models import Rating
from dossiers.deadlines import handover_punctuality
from dossiers.models import DailySequence, Dossier, DossierEvent, Handover
from dossiers.services.core import procedure_fee
from dossiers.services.events import event_build, event_seal
from dossiers.services.keys import update_key_hash
from procedures.models import (
    Channel,
    Procedure,
    Unit,
)
from reports.demo_plans import (
    MARK,
    OFFICE_BY_FIELD,
    PERIOD_START,
    UTC,
    Plan,
    S,
    applicant_person,
    demo_calendar,
    plan_times,
    procedure_candidates,
)


class _Chain:
    """Events of one dossier with their keyed chain and the dossier's seal, as
    dossiers.services.events writes them."""

    def __init__(self, dossier: Dossier) -> None:
        self.dossier = dossier
        self.events: list[DossierEvent] = []

    def add(
        self,
        *,
        kind: str = "transition",
        from_status: str = "",
        to_status: str,
        actor: Any,
        actor_label: str = "",
        unit: Unit,
        at: datetime,
        note: str = "",
        details: dict[str, Any] | None = None,
    ) -> None:
        event = event_build(
            dossier=self.dossier,
            seq=len(self.events) + 1,
            prev_hash=self.events[-1].hash if self.events else "",
            kind=kind,
            from_status=from_status,
            to_status=to_status,
            actor=actor,
            actor_label=actor_label
            or (str(actor.get_full_name() or actor.get_username()) if actor is not None else ""),
            unit_id=unit.pk,
            at=at.astimezone(UTC),  # the database gives times back in UTC
            note=note,
            details=details,
        )
        self.events.append(event)
        self.dossier.event_seal = event_seal(
            code=self.dossier.code, seq=event.seq, digest=event.hash, status=event.to_status
        )


def _codes(plans: list[Plan]) -> Iterator[str]:
    """Dossier codes in reception order, continuing each unit's daily sequence."""
    counters: dict[tuple[int, dt.date], int] = {}
    for plan in plans:
        day = timezone.localtime(plan.received_at).date()
        key = (plan.unit.pk, day)
        if key not in counters:
            counters[key] = (
                DailySequence.objects.filter(unit=plan.unit, day=day)
                .values_list("last_value", flat=True)
                .first()
                or 0
            )
        counters[key] += 1
        yield f"{plan.unit.e_id}-{day:%y%m%d}-{counters[key]:04d}"
    for (unit_id, day), value in counters.items():
        row, _created = DailySequence.objects.get_or_create(unit_id=unit_id, day=day)
        if row.last_value < value:
            row.last_value = value
            row.save(update_fields=["last_value"])


@transaction.atomic
def demo_write(plans: list[Plan], staff: dict[str, dict[str, Any]], rng: random.Random) -> int:
    calendar = demo_calendar()
    offices = {code: info["unit"] for code, info in staff.items() if "unit" in info}
    cache: dict[tuple[int, int, str, bool], list[Procedure]] = {}
    for plan in plans:
        long = bool(plan.extra.get("backlog"))
        key = (plan.unit.pk, plan.level, plan.channel, long)
        if key not in cache:
            cache[key] = procedure_candidates(
                plan.unit, plan.level, plan.channel, PERIOD_START, long=long
            )
        choices = cache[key]
        weights = [5 if all(c.same_day for c in p.channels.all()) else 2 for p in choices]
        plan.procedure = rng.choices(choices, weights=weights)[0]
        plan_times(plan, rng, calendar)
    plans.sort(key=lambda p: p.received_at)
    dossiers: list[Dossier] = []
    chains: list[_Chain] = []
    handovers: list[Handover] = []
    for index, (plan, code) in enumerate(zip(plans, _codes(plans), strict=True)):
        assert plan.procedure is not None
        assert plan.resolved_at is not None
        assert plan.returned_at is not None
        people = staff[plan.unit.code]
        office = None
        decider = people["decider"]
        if plan.unit.is_one_stop_desk:
            office_code = OFFICE_BY_FIELD.get(plan.procedure.field.name, "111-VP")
            office = offices.get(office_code)
            decider = staff.get(office_code, {}).get("decider")
        online = plan.channel == Channel.ONLINE
        submitted_at = (
            plan.received_at - dt.timedelta(hours=rng.randint(1, 14))
            if online
            else plan.received_at
        )
        person = applicant_person(rng, plan.unit)
        dossier = Dossier(
            code=code,
            procedure=plan.procedure,
            unit=plan.unit,
            handling_unit=office or plan.unit,
            assigned_to=decider,
            channel=plan.channel,
            status=S.RETURNED,
            **person,
            delivery=Dossier.Delivery.COUNTER,
            payment_method="online" if online and plan.level >= 4 else "",
            fee_vnd=procedure_fee(procedure=plan.procedure, channel=plan.channel),
            update_key_hash=update_key_hash(code=code, key=secrets.token_hex(8)),
            idempotency_key=f"{MARK}{plan.unit.code}:{index:05d}",
            submitted_at=submitted_at,
            received_at=plan.received_at,
            due_at=plan.due_at,
            resolved_at=plan.resolved_at,
            returned_at=plan.returned_at,
            outcome=Dossier.Outcome.APPROVED,
            return_method=Dossier.Delivery.COUNTER,
            return_recipient=person["applicant_name"],
            note="Hồ sơ lịch sử tháng 10/2020 (dữ liệu minh họa)",
        )
        dossiers.append(dossier)
        chain = _Chain(dossier)
        desk_officer = people["desk"]
        chain.add(
            kind="created",
            to_status=S.SUBMITTED,
            actor=None if online else desk_officer,
            actor_label=person["applicant_name"] if online else "",
            unit=plan.unit,
            at=submitted_at,
            details={"channel": plan.channel, "files": 0},
        )
        chain.add(
            from_status=S.SUBMITTED,
            to_status=S.RECEIVED,
            actor=desk_officer,
            unit=plan.unit,
            at=plan.received_at,
            note="Tiếp nhận trực tuyến" if online else "Tiếp nhận trực tiếp",
        )
        state = S.RECEIVED
        if office is not None:
            given = plan.received_at + dt.timedelta(minutes=rng.randint(5, 40))
            chain.add(
                from_status=state,
                to_status=S.PROCESSING,
                actor=desk_officer,
                unit=office,
                at=given,
                details={
                    "action": "transfer",
                    "from_unit": plan.unit.pk,
                    "to_unit": office.pk,
                    "to_user": decider.pk if decider else None,
                },
            )
            handovers.append(
                Handover(
                    dossier=dossier,
                    from_unit=plan.unit,
                    to_unit=office,
                    from_user=desk_officer,
                    to_user=decider,
                    given_at=given,
                    received_at=given,
                    step_due_at=plan.due_at,
                    punctuality=handover_punctuality(given_at=given, due=plan.due_at),
                )
            )
            state = S.PROCESSING
        chain.add(
            from_status=state,
            to_status=S.RESOLVED,
            actor=decider,
            unit=office or plan.unit,
            at=plan.resolved_at,
            details={"action": "resolve", "outcome": "approved", "result_file": ""},
        )
        chain.add(
            from_status=S.RESOLVED,
            to_status=S.RETURNED,
            actor=desk_officer,
            unit=office or plan.unit,
            at=plan.returned_at,
            details={
                "action": "return",
                "method": "counter",
                "recipient_name": person["applicant_name"],
                "tracking_number": "",
            },
        )
        chains.append(chain)
    Dossier.objects.bulk_create(dossiers, batch_size=500)
    DossierEvent.objects.bulk_create([e for c in chains for e in c.events], batch_size=1000)
    Handover.objects.bulk_create(handovers, batch_size=500)
    _ratings(dossiers, rng)
    return len(dossiers)


def _ratings(dossiers: list[Dossier], rng: random.Random) -> None:
    """Some citizens rated the service after collecting their result."""
    rows = []
    for dossier in dossiers:
        if rng.random() < 0.25:
            score = rng.choices([5, 4, 3, 2, 1], weights=[50, 30, 12, 6, 2])[0]
            rows.append(Rating(dossier=dossier, score=score))
    Rating.objects.bulk_create(rows, batch_size=500)
