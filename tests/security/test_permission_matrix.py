"""The permission matrix: every officer endpoint (API and workbench pages) × every role ×
own and foreign unit → the expected HTTP status.

The expectations are written here from the documents, not read from dossiers.access or from
the declaration of the actions (dossiers.actions), whose list of actions the walk follows:
- the project's roles and scope: desk officer (reception and return), specialist, head of unit,
  leader, reporting, administrator; an officer sees only the dossiers of their own units (a
  district leader also the communes below); out-of-scope dossiers are 404;
- DOMAIN §4: reception (receive / refuse / supplement) is the desk's; the handling office
  transfers, asks for payment, decides; the apology letter is "signed by the head of the
  unit"; the desk issues the stop notice and returns the result;
- docs/API.md: 401/403 for authentication/permission, 404 for what does not exist or what the caller
  may not see, 409 for an action the state does not allow; reports are for the leader and
  reporting roles.
Where the documents are silent the choice is noted next to the row.

Each (role, unit) pair is one test that walks every endpoint and reports every mismatch at
once, as a table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dossiers.actions import ACTIONS
from dossiers.models import Dossier
from portal.models import Membership, Role
from procedures.calendar import work_calendar
from tests.dossiers.conftest import dossier_in_state

S = Dossier.Status
pytestmark = pytest.mark.django_db

OFFICER_ROLES = ("desk", "specialist", "head", "leader", "reporting", "admin")
ROLES = (*OFFICER_ROLES, "anonymous", "citizen")

# Who may do what, from the documents (see the module docstring).
MAY: dict[str, frozenset[str]] = {
    "view": frozenset(OFFICER_ROLES),  # every officer sees their units' dossiers
    "receive": frozenset({"desk", "admin"}),
    "refuse": frozenset({"desk", "admin"}),
    # At reception (desk) or while handling (the specialist office and its head).
    "request_supplement": frozenset({"desk", "specialist", "head", "admin"}),
    # The desk hands the dossier to the specialist office; offices hand on to each other.
    "transfer": frozenset({"desk", "specialist", "head", "admin"}),
    "request_payment": frozenset({"specialist", "head", "admin"}),
    # Silent in the documents: the fee is often paid at the desk, so the desk confirms too.
    "confirm_payment": frozenset({"desk", "specialist", "head", "admin"}),
    # Silent on specialist vs head: the handling office (its specialist or head) decides.
    "resolve": frozenset({"specialist", "head", "admin"}),
    "return": frozenset({"desk", "admin"}),
    "stop": frozenset({"desk", "admin"}),
    "apologize": frozenset({"head", "admin"}),
    # A lawful extension is approved by the head of the handling unit (DOMAIN §3).
    "extend": frozenset({"head", "admin"}),
    "create": frozenset({"desk", "admin"}),  # reception at the counter
    "reports": frozenset({"leader", "reporting", "admin"}),
}

# A state each action starts from, and its payload (the page and the API bind the same form).
ACTION_STATE = {
    "receive": S.SUBMITTED,
    "refuse": S.SUBMITTED,
    "request_supplement": S.RECEIVED,
    "transfer": S.RECEIVED,
    "request_payment": S.PROCESSING,
    "confirm_payment": S.AWAITING_PAYMENT,
    "resolve": S.PROCESSING,
    "return": S.RESOLVED,
    "stop": S.WITHDRAWAL_REQUESTED,
    "apologize": S.PROCESSING,
    "extend": S.PROCESSING,
}
PAGE_URL = {a: f"officer-action-{a}" for a in ACTIONS}


def test_the_matrix_covers_every_declared_action_from_a_state_it_declares():
    """The walk goes over dossiers.actions.ACTIONS; the expected roles stay written from the
    documents above, so a declaration that drifts from them fails the walk."""
    assert set(ACTION_STATE) == set(ACTIONS)
    assert set(MAY) - {"view", "create", "reports"} == set(ACTIONS)
    for name, declared in ACTIONS.items():
        assert ACTION_STATE[name] in declared.states, name


@dataclass
class World:
    commune: Any
    other_commune: Any
    district: Any
    procedure: Any
    setup_actor: Any

    def dossier(self, state: str) -> Dossier:
        return dossier_in_state(
            state, procedure=self.procedure, unit=self.commune, actor=self.setup_actor
        )


def action_data(action: str, world: World, *, page: bool) -> dict[str, Any]:
    doc = world.procedure.documents.first()
    # A new appointment is a working time (office hours of a working day).
    day = timezone.localdate() + timedelta(days=10)
    while not work_calendar().is_working_day(day):
        day += timedelta(days=1)
    new_due = timezone.make_aware(datetime.combine(day, time(10, 0)))
    when = timezone.localtime(new_due).strftime("%Y-%m-%dT%H:%M") if page else new_due.isoformat()
    data: dict[str, Any] = {
        "receive": {"note": "Đủ"},
        "refuse": {"reason": "Không thuộc thẩm quyền"},
        "request_supplement": {"items": [doc.pk], "reason": "Thiếu giấy chứng sinh"},
        "transfer": {"to_unit": world.commune.code},
        "request_payment": {"amount_vnd": 8000},
        "confirm_payment": {"method": "cash", "reference": "BL-1"},
        "resolve": {"outcome": "approved", "note": "Đồng ý"},
        "return": {"method": "counter", "recipient_name": "Nguyễn Văn An"},
        "stop": {"reason": "Công dân rút hồ sơ"},
        "apologize": {"reason": "Cần xác minh thêm", "new_due_at": when},
        "extend": {
            "reason": "Cần xác minh",
            "legal_basis": "Khoản 2 Điều 18 Luật Hộ tịch 2014",
            "new_due_at": when,
        },
    }[action]
    return data if page else {"action": action, **data}


def prepare(action: str, world: World) -> Dossier:
    dossier = world.dossier(ACTION_STATE[action])
    if action == "apologize":  # due within a working day: the apology is asked for
        Dossier.objects.filter(pk=dossier.pk).update(due_at=timezone.now() + timedelta(hours=2))
    return dossier


# --- Personas ---------------------------------------------------------------------------------


def persona(role: str, unit: Any) -> Any:
    User = get_user_model()
    if role == "anonymous":
        return None
    if role == "citizen":
        from citizens.services import citizen_register

        return citizen_register(
            full_name="Công Dân", password="pw-citizen-123", phone="+84911111111"
        )
    user = User.objects.create_user(username=f"{role}-{unit.code}", password="x")
    Membership.objects.create(user=user, unit=unit, role=role)
    return user


def session_client(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def api_client(user: Any) -> Client:
    """Token authentication, as API clients use it."""
    if user is None:
        return Client()
    from rest_framework.authtoken.models import Token

    token, _ = Token.objects.get_or_create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Token {token.key}")


# --- Expectations -----------------------------------------------------------------------------


def expect_api(role: str, scope: str, permission: str) -> set[int]:
    if role == "anonymous":
        return {401, 403}  # API.md: 401/403; DRF answers 403 (session auth first)
    if role == "citizen":
        return {403}  # not an officer: refused before any dossier is looked at
    if scope == "foreign":
        return {404}
    return {200} if role in MAY[permission] else {403}


def expect_page(role: str, scope: str, permission: str, *, ok: int = 200) -> set[int]:
    if role == "anonymous":
        return {302}  # to the officers' login page
    if role == "citizen" or scope == "foreign":
        return {404}  # a dossier outside the scope does not exist
    return {ok} if role in MAY[permission] else {403}


def expect_unit_free(role: str, permission: str, *, api: bool) -> set[int]:
    """Endpoints not about one dossier (lists, reception form, register)."""
    if role == "anonymous":
        return {401, 403} if api else {302}
    if role == "citizen":
        return {403}
    return {200} if role in MAY[permission] else {403}


# --- The walk ---------------------------------------------------------------------------------

Check = tuple[str, Callable[[], Any], set[int]]


def walk(world: World, role: str, scope: str) -> list[str]:
    unit = world.commune if scope == "own" else world.other_commune
    user = persona(role, unit)
    api, page = api_client(user), session_client(user)
    problems: list[str] = []

    def check(name: str, response: Any, expected: set[int]) -> Any:
        if response.status_code not in expected:
            problems.append(
                f"{name:<34} {role:<10} {scope:<7} got {response.status_code}, "
                f"expected {sorted(expected)}"
            )
        return response

    # Reads about one dossier.
    dossier = world.dossier(S.RECEIVED)
    file_id = dossier.files.first().pk
    base = f"/api/v1/officer/dossiers/{dossier.code}/"
    check("api detail", api.get(base), expect_api(role, scope, "view"))
    check("api file", api.get(f"{base}files/{file_id}/"), expect_api(role, scope, "view"))
    check("api slip receipt", api.get(f"{base}slips/receipt.pdf"), expect_api(role, scope, "view"))
    check("api slip control", api.get(f"{base}slips/control.pdf"), expect_api(role, scope, "view"))
    check(
        "page dossier",
        page.get(reverse("officer-dossier", args=[dossier.code])),
        expect_page(role, scope, "view"),
    )
    check(
        "page file",
        page.get(reverse("officer-file", args=[dossier.code, file_id])),
        expect_page(role, scope, "view"),
    )
    check(
        "page slip receipt",
        page.get(reverse("officer-slip", args=[dossier.code, "receipt"])),
        expect_page(role, scope, "view"),
    )

    # Lists: allowed to every officer, but a foreign unit's dossier is never in them.
    listed = check(
        "api list", api.get("/api/v1/officer/dossiers/"), expect_unit_free(role, "view", api=True)
    )
    if listed.status_code == 200:
        codes = {row["code"] for row in listed.json()["results"]}
        if (dossier.code in codes) != (scope == "own"):
            problems.append(
                f"{'api list content':<34} {role:<10} {scope:<7} "
                f"dossier listed: {dossier.code in codes}"
            )
    bench = check(
        "page workbench",
        page.get(reverse("officer-workbench")),
        expect_unit_free(role, "view", api=False),
    )
    if bench.status_code == 200 and (dossier.code in bench.content.decode()) != (scope == "own"):
        problems.append(
            f"{'page workbench content':<34} {role:<10} {scope:<7} "
            f"dossier shown: {dossier.code in bench.content.decode()}"
        )
    check(
        "page reception",
        page.get(reverse("officer-reception")),
        expect_unit_free(role, "create", api=False),
    )
    check(
        "page register",
        page.get(reverse("officer-register")),
        expect_unit_free(role, "view", api=False),
    )

    # Every action, through the API and the page, on a dossier in a state that allows it.
    for action in ACTIONS:
        target = prepare(action, world)
        check(
            f"api action {action}",
            api.post(
                f"/api/v1/officer/dossiers/{target.code}/actions/",
                action_data(action, world, page=False),
                content_type="application/json",
            ),
            expect_api(role, scope, action),
        )
        target = prepare(action, world)
        check(
            f"page action {action}",
            page.post(
                reverse(PAGE_URL[action], args=[target.code]), action_data(action, world, page=True)
            ),
            expect_page(role, scope, action, ok=302),
        )

    # A state that does not allow the action: 409 for whoever may act, nothing else changes.
    returned = world.dossier(S.RETURNED)
    check(
        "api action receive on returned",
        api.post(
            f"/api/v1/officer/dossiers/{returned.code}/actions/",
            {"action": "receive"},
            content_type="application/json",
        ),
        {409}
        if expect_api(role, scope, "receive") == {200}
        else expect_api(role, scope, "receive"),
    )

    # Counter reception through the API, at the officer's own unit or another one. Units are
    # public (GET /api/v1/units/), so another unit is refused with 403, not hidden with 404.
    reception = {
        "procedure": world.procedure.code,
        "unit": world.commune.code,
        "channel": "counter",
        "applicant_name": "Lò Văn Sáng",
        "applicant_id_number": "012345678902",
        "applicant_phone": "0912000111",
        "applicant_address": "Bản Nà Khoa",
        "delivery": "counter",
        "payment_method": "cash",
        "checklist": [d.pk for d in world.procedure.documents.all()],
    }
    expected = expect_api(role, "own", "create")
    check(
        "api reception",
        api.post("/api/v1/officer/dossiers/", reception),
        {201 if scope == "own" else 403} if expected == {200} else expected,
    )

    # Reports: the leader, reporting officers and administrators, over their own units. The
    # role is checked first (a desk officer may read no report at all: 403); a reader asking
    # for a unit outside their scope is told it does not exist (API 404). The page offers
    # only the units in scope: another one is an invalid choice, and nothing of it is shown.
    period = {"from": "2026-01-01", "to": "2026-12-31", "unit": world.commune.code}
    reader = role in MAY["reports"]
    for name in ("appendix", "ii06a", "indicators", "evaluation", "dashboard"):
        check(
            f"api report {name}",
            api.get(f"/api/v1/reports/{name}/", period),
            expect_api(role, "own", "reports") if not reader or scope == "own" else {404},
        )
    # The officers' scorecards take no unit: always the reader's own scope.
    cards = check(
        "api report officers",
        api.get("/api/v1/reports/officers/"),
        expect_api(role, "own", "reports"),
    )
    if (
        cards.status_code == 200
        and scope == "foreign"
        and (
            world.commune.code in cards.content.decode()
            or world.commune.name in cards.content.decode()
        )
    ):
        problems.append(
            f"{'api report officers content':<34} {role:<10} {scope:<7} shows the foreign unit"
        )
    report_page = check(
        "page report appendix",
        page.get(reverse("reports-appendix"), period),
        {302}
        if role == "anonymous"
        else {403}
        if not reader
        else {200}
        if scope == "own"
        else {200, 400, 404},
    )
    if reader and scope == "foreign" and world.commune.name in report_page.content.decode():
        problems.append(
            f"{'page report appendix content':<34} {role:<10} {scope:<7} shows the foreign unit"
        )
    return problems


@pytest.fixture
def world(district, commune, other_commune, birth_registration) -> World:
    admin = get_user_model().objects.create_user(username="setup-admin", password="x")
    Membership.objects.create(user=admin, unit=district, role=Role.ADMIN)
    return World(
        commune=commune,
        other_commune=other_commune,
        district=district,
        procedure=birth_registration,
        setup_actor=admin,
    )


@pytest.mark.parametrize("scope", ["own", "foreign"])
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(world, role, scope):
    if role in {"anonymous", "citizen"} and scope == "foreign":
        pytest.skip("no unit to be foreign to")
    problems = walk(world, role, scope)
    assert not problems, "\n" + "\n".join(problems)


def test_a_district_leader_sees_the_communes_below_but_a_district_desk_does_not(world):
    leader = persona("leader", world.district)
    desk = persona("desk", world.district)
    dossier = world.dossier(S.RECEIVED)
    url = f"/api/v1/officer/dossiers/{dossier.code}/"
    assert api_client(leader).get(url).status_code == 200
    assert api_client(desk).get(url).status_code == 404
    # Seeing is not acting: the leader may not resolve it.
    response = api_client(leader).post(
        url + "actions/",
        {"action": "resolve", "outcome": "approved"},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_a_handling_office_sees_a_dossier_transferred_to_it(world, justice_office):
    specialist = persona("specialist", justice_office)
    dossier = world.dossier(S.RECEIVED)
    url = f"/api/v1/officer/dossiers/{dossier.code}/"
    assert api_client(specialist).get(url).status_code == 404
    from dossiers.services import actions

    actions.dossier_transfer(dossier=dossier, actor=world.setup_actor, to_unit=justice_office)
    assert api_client(specialist).get(url).status_code == 200
    response = api_client(specialist).post(
        url + "actions/",
        {"action": "resolve", "outcome": "approved"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()


def test_a_failed_action_changes_nothing(world):
    desk = persona("desk", world.commune)
    dossier = world.dossier(S.PROCESSING)
    before = (dossier.status, dossier.events.count())
    response = api_client(desk).post(
        f"/api/v1/officer/dossiers/{dossier.code}/actions/",
        {"action": "resolve", "outcome": "approved"},
        content_type="application/json",
    )
    assert response.status_code == 403
    dossier.refresh_from_db()
    assert (dossier.status, dossier.events.count()) == before
