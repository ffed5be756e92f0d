"""The Asht records the outsider sweep points at, and the visitors who must not see them.

The cast's Karimov household of V01 gets a house, two members with migration histories, a
keeping agreement with a duty, a visit with a photo, an incident, a payment, a key, a calendar
feed and the analytics store. Every string and id of these personal records goes into
``secrets``: no page or API answer given to a visitor may contain one of them.

Visitors: anonymous, the cast's outsider (officer of Ghafurov), a keyholder of village V02 and
the owner of the next household of V01 (each with a kept house of their own, so that their own
pages have something to show).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import connection, models
from django.http import HttpResponse
from django.utils import timezone

from keyholder.accounts.models import AuditLog, Role, User
from keyholder.indicators.store import build_all
from keyholder.keeping import services
from keyholder.keeping.models import (
    Duty,
    Incident,
    KeepingAgreement,
    KeyCustody,
    Payment,
    Photo,
    Task,
    Visit,
)
from keyholder.registry.models import House, Household, ImportJob, MigrationEvent, Person
from keyholder.testing import (
    Cast,
    jpeg,
    make_event,
    make_house,
    make_household,
    make_person,
    make_user,
)

VISITORS = ("anonymous", "outsider", "keyholder_elsewhere", "owner_next_door")

# Distinctive strings: none of them can turn up in a page by chance.
FAMILY = "Zarafshonov"
GIVEN = "Farrukhjon"
RELATIVE = "Gulnorakhon"
PHONE = "+992935551234"
STREET = "Gulistonobod"
EMAIL = "farrukhjon.z@example.org"
AGREEMENT_NOTE = "spare key under the apricot tree QX41"
VISIT_NOTE = "window latch QX77 mended"
INCIDENT_NOTE = "gate forced QX93"
PAYMENT_NOTE = "sent by brother QX58"
KEY_GIVER = "uncle Mahmudjon QX26"


@dataclass
class World:
    cast: Cast
    household: Household
    house: House
    person: Person
    relative: Person
    agreement: KeepingAgreement
    duty: Duty
    task: Task
    visit: Visit
    photo: Photo
    incident: Incident
    payment: Payment
    key: KeyCustody
    spare_house: House
    month: str
    calendar_token: str
    keyholder_elsewhere: User
    owner_next_door: User
    secrets: list[str] = field(default_factory=list)
    # A registry file the village's enumerator uploaded (its dry run names the family).
    upload: ImportJob | None = None

    def visitor(self, name: str) -> User | None:
        return {
            "anonymous": None,
            "outsider": self.cast.outsider,
            "keyholder_elsewhere": self.keyholder_elsewhere,
            "owner_next_door": self.owner_next_door,
        }[name]


def build_world(cast: Cast) -> World:
    today = timezone.localdate()
    now = timezone.now()
    household = cast.household
    household.name = FAMILY
    household.save()
    house = household.house
    assert house is not None
    house.street, house.number = STREET, "17"
    house.save()
    cast.owner.first_name, cast.owner.last_name, cast.owner.email = GIVEN, FAMILY, EMAIL
    cast.owner.save()

    person = make_person(household, GIVEN, phone=PHONE)
    make_event(person, "departed", dt.date(2024, 3, 1), destination="Yekaterinburg")
    relative = make_person(household, RELATIVE, sex="f", birth_year=1994, relation="spouse")
    make_event(relative, "departed", dt.date(2023, 5, 1))
    make_event(relative, "deported", dt.date(2024, 9, 10))

    agreement, _ = services.do_create_agreement(
        actor=None,
        house=house,
        keyholder=cast.keyholder,
        owners=[cast.owner],
        start=today - dt.timedelta(days=40),
        fee_amount=Decimal("100"),
        fee_currency="TJS",
        fee_period="month",
        notes=AGREEMENT_NOTE,
    )
    duty, _ = services.do_create_duty(
        actor=None,
        agreement=agreement,
        kind="security_round",
        every_days=3,
        starts_on=today - dt.timedelta(days=9),
    )
    task = agreement.tasks.order_by("due_date").first()
    assert task is not None
    visit, _ = services.do_record_visit(
        actor=cast.keyholder,
        agreement=agreement,
        checked_in_at=now - dt.timedelta(hours=1),
        checked_out_at=now,
        task_ids=[task.pk],
        notes=VISIT_NOTE,
        photos=[services.PhotoUpload(data=jpeg(size=(64, 48)), latitude=39.95, longitude=70.12)],
    )
    photo = visit.photos.get()
    incident, _ = services.do_report_incident(
        actor=cast.keyholder,
        agreement=agreement,
        occurred_on=today - dt.timedelta(days=2),
        kind="break_in",
        severity="moderate",
        notes=INCIDENT_NOTE,
        notify=False,
    )
    payment, _ = services.do_record_payment(
        actor=cast.keyholder,
        agreement=agreement,
        amount="100",
        currency="TJS",
        paid_on=today - dt.timedelta(days=5),
        method="cash",
        note=PAYMENT_NOTE,
    )
    key, _ = services.do_record_key(
        actor=cast.keyholder,
        agreement=agreement,
        label="front gate",
        handed_over_on=today - dt.timedelta(days=40),
        handed_over_by=KEY_GIVER,
    )
    _feed, calendar_token = services.do_calendar_feed(actor=cast.keyholder)
    # A house of V01 in nobody's care yet: the target of attempts to take one into care.
    spare_house = make_house(cast.village)
    spare_house.street, spare_house.number = STREET, "19"
    spare_house.save()

    # A keyholder of the next village (V02), with a house in their care there; and the owner
    # of the next house in V01, kept by the same keyholder as the Asht house: as close to the
    # Asht records as one gets without a right to them.
    keyholder_elsewhere = make_user("keyholder_v02", Role.KEYHOLDER, [cast.village2])
    their_house = make_household(cast.village2, "Qodirov").house
    neighbours = make_household(cast.village, "Nazarov")
    owner_next_door = make_user("owner_next_door", Role.OWNER, household=neighbours)
    for keeper, kept, owners in (
        (keyholder_elsewhere, their_house, []),
        (cast.keyholder, neighbours.house, [owner_next_door]),
    ):
        assert kept is not None
        services.do_create_agreement(
            actor=None,
            house=kept,
            keyholder=keeper,
            owners=owners,
            start=today - dt.timedelta(days=10),
            fee_amount=Decimal("20"),
            fee_currency="USD",
            fee_period="season",
        )
    build_all()

    world = World(
        cast=cast,
        household=household,
        house=house,
        person=person,
        relative=relative,
        agreement=agreement,
        duty=duty,
        task=task,
        visit=visit,
        photo=photo,
        incident=incident,
        payment=payment,
        key=key,
        spare_house=spare_house,
        month=today.strftime("%Y-%m"),
        calendar_token=calendar_token,
        keyholder_elsewhere=keyholder_elsewhere,
        owner_next_door=owner_next_door,
    )
    world.upload = ImportJob.objects.create(
        created_by=cast.enumerator,
        file="imports/registry.csv",
        name=f"{FAMILY}.csv",
        language="en",
        rows_total=1,
        plan={
            "ok": True,
            "rows": 1,
            "lines": [
                {"row": 2, "record": "person", "outcome": "create", "errors": []},
                {
                    "row": 3,
                    "record": "person",
                    "outcome": "refused",
                    "errors": [
                        {"column": "given_name", "code": "import.required", "message": GIVEN}
                    ],
                },
            ],
        },
    )
    world.secrets = secrets_of(world)
    return world


def secrets_of(world: World) -> list[str]:
    words = [FAMILY, GIVEN, RELATIVE, STREET, EMAIL, PHONE, PHONE[-7:], "Yekaterinburg"]
    words += [AGREEMENT_NOTE, VISIT_NOTE, INCIDENT_NOTE, PAYMENT_NOTE, KEY_GIVER]
    words.append(world.calendar_token)
    records: list[Any] = [world.household, world.house, world.person, world.relative]
    records += list(MigrationEvent.objects.filter(person__household=world.household))
    records += [world.agreement, world.duty, world.visit, world.photo, world.incident]
    records += [world.payment, world.key, world.spare_house]
    records += list(world.agreement.tasks.all())
    if world.upload is not None:
        records.append(world.upload)
    for record in records:
        words += [str(record.pk), record.pk.hex]
    return words


def leaked(response: HttpResponse, secrets: list[str]) -> list[str]:
    """The secrets found in the body (JSON is read back so that escaped Cyrillic counts too)."""
    if getattr(response, "streaming", False):
        raw = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    else:
        raw = response.content
    text = raw.decode("utf-8", "replace")
    if "json" in response.get("Content-Type", ""):
        with contextlib.suppress(ValueError):
            text += json.dumps(json.loads(text), ensure_ascii=False)
    location = response.get("Location", "")
    return [s for s in secrets if s in text or s in location]


# What a visitor's requests must leave as it was: every protected record, except the visitor's
# own account, tokens and calendar feed (a visitor may change their own settings).
WATCHED_APPS = ("places", "registry", "keeping", "indicators", "accounts")
UNWATCHED = {AuditLog}


def snapshot(visitor: User | None) -> dict[str, list[str]]:
    """Every row of the watched tables (but the visitor's own), read with one plain SELECT per
    table: the sweep takes one after every write, and the ORM's per-query cost made the
    snapshots a third of its time."""
    state: dict[str, list[str]] = {}
    own = visitor.pk if visitor is not None else None
    with connection.cursor() as cursor:
        for label in WATCHED_APPS:
            for model in apps.get_app_config(label).get_models():
                if model in UNWATCHED:
                    continue
                quote = connection.ops.quote_name
                columns = [
                    f.column
                    for f in model._meta.concrete_fields
                    if f.name not in ("last_login", "last_used_at")
                ]
                sql = f"SELECT {', '.join(map(quote, columns))} FROM {quote(model._meta.db_table)}"
                params: list[Any] = []
                if own is not None and model is User:
                    sql += f" WHERE {quote(model._meta.pk.column)} <> %s"
                    params.append(own)
                elif own is not None and any(
                    f.name == "user" and f.concrete for f in model._meta.get_fields()
                ):
                    user_field = model._meta.get_field("user")
                    assert isinstance(user_field, models.Field)
                    column = quote(user_field.column)
                    sql += f" WHERE {column} IS NULL OR {column} <> %s"
                    params.append(own)
                cursor.execute(sql, params)
                state[model._meta.label] = sorted(repr(row) for row in cursor.fetchall())
    return state


def changed(before: dict[str, list[str]], after: dict[str, list[str]]) -> list[str]:
    return [label for label in before if before[label] != after[label]]
