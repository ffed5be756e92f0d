"""Factories and the standing cast for tests. Factories, not fixtures files.

The cast, made once per test by the ``cast`` fixture in ``conftest.py``:

- ``admin``: the administrator;
- ``officer``: officer of Asht district (TJ-SU-ASHT);
- ``region_officer``: officer of Sughd region;
- ``enumerator``: enumerator of village V01 in Ponghoz jamoat;
- ``keyholder``: keyholder of village V01;
- ``owner``: owner of the Karimov household of V01;
- ``outsider``: officer of Ghafurov district, who must see nothing of Asht.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import itertools
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone
from PIL import Image

from keyholder.accounts.models import ApiToken, Role, User, hash_token
from keyholder.core.errors import ServiceError
from keyholder.places.models import Place, PlaceKind
from keyholder.registry.models import House, Household, MigrationEvent, Person, StatusSpan
from keyholder.registry.spans import log_event, rewrite_spans

# How many examples a property test tries. The count written at each test is a developer's
# run (`make test`, which must stay under a minute on 2 cores); CI (``CI`` set, as `.ci/run`
# sets it) tries EXAMPLES_IN_CI times as many on every commit. A failing example Hypothesis
# finds is kept in its database (.hypothesis/) and tried first in the next runs.
EXAMPLES_IN_CI = 3


def examples(count: int) -> int:
    """The examples a property test tries in this run (``count``, or more in CI)."""
    return count * EXAMPLES_IN_CI if os.environ.get("CI") else count


PASSWORD = "correct-horse-battery"
_seq = itertools.count(1)


def noon_today() -> dt.datetime:
    """Noon of today's local date (Asia/Dushanbe), aware."""
    return timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(12)))


@pytest.fixture(autouse=True)
def at_noon_today(request: pytest.FixtureRequest) -> Iterator[None]:
    """An autouse fixture for an app's tests/conftest.py: each test there runs with the clock
    set to local noon of today, and running (time-machine). Records "hours ago" on today's
    tasks would otherwise fall on yesterday when the suite runs just after midnight in Dushanbe
    (19:00 UTC), and today's task would not yet be due. Browser tests keep the real clock,
    which Chromium shares."""
    if request.node.get_closest_marker("browser"):
        yield
        return
    with clock_at_noon_today():
        yield


def clock_at_noon_today() -> Any:
    """The clock set to local noon of today and running, as ``at_noon_today`` sets it (for a
    module fixture that makes records the tests then read)."""
    import time_machine

    return time_machine.travel(noon_today(), tick=True)


def screenshot(page: Any, path: Any) -> None:
    """Keep a picture of a browser test's page at ``path`` (its tmp_path), when
    ``KEYHOLDER_TEST_SCREENSHOTS`` is set: a full-page PNG costs a third of a page test's time,
    so a normal run takes none (a failed browser test keeps one anyway: see the root
    conftest.py)."""
    if os.environ.get("KEYHOLDER_TEST_SCREENSHOTS"):
        page.screenshot(path=path, full_page=True)


_CSRF = re.compile(r'(csrfmiddlewaretoken" value=|"X-CSRFToken": )"[^"]*"')


def without_tokens(html: str) -> str:
    """A page's HTML without its CSRF tokens, for checks that a name does *not* appear: a
    token is 64 random letters and digits, so a short name ("P0", "zip") turns up in one now
    and then."""
    return _CSRF.sub(r'\1""', html)


def postgres_url(settings_dict: dict[str, Any]) -> str:
    """The KEYHOLDER_DATABASE_URL of the PostgreSQL database a test runs on, for a process the
    test starts (the worker, the demo server). The host and port may have come in the URL's
    query (``?host=/tmp&port=5433``); a host that is a socket folder is written
    percent-encoded, as dj-database-url reads it back."""
    options = settings_dict.get("OPTIONS") or {}
    host = settings_dict["HOST"] or options.get("host") or "127.0.0.1"
    port = settings_dict["PORT"] or options.get("port") or 5432
    return (
        f"postgresql://{quote(settings_dict['USER'], safe='')}:"
        f"{quote(settings_dict['PASSWORD'], safe='')}"
        f"@{quote(str(host), safe='')}:{port}/{settings_dict['NAME']}"
    )


def make_place(code: str, kind: str, parent: Place | None = None, **extra: Any) -> Place:
    defaults = {"name_tg": code, "name_ru": code, "name_en": code}
    defaults.update(extra)
    place, _ = Place.objects.get_or_create(
        code=code, defaults={"kind": kind, "parent": parent, **defaults}
    )
    return place


def make_user(username: str, role: str, places: list[Place] | None = None, **extra: Any) -> User:
    user = User(username=username, role=role, **extra)
    user.is_superuser = user.is_staff = role == Role.ADMIN
    user.set_password(PASSWORD)
    user.save()
    if places:
        user.places.set(places)
    return user


def make_house(village: Place, **extra: Any) -> House:
    values: dict[str, Any] = {"street": "Rudaki", "number": str(next(_seq))}
    values.update(extra)
    return House.objects.create(village=village, **values)


def make_household(village: Place, name: str = "Karimov", **extra: Any) -> Household:
    house = extra.pop("house", None) or make_house(village)
    return Household.objects.create(village=village, house=house, name=name, **extra)


def make_person(household: Household, given_name: str = "Aziz", **extra: Any) -> Person:
    values: dict[str, Any] = {
        "family_name": household.name,
        "sex": "m",
        "birth_year": 1990,
        "relation": "head",
    }
    values.update(extra)
    person = Person.objects.create(household=household, given_name=given_name, **values)
    rewrite_spans(person, [])
    return person


def make_event(person: Person, kind: str, date: dt.date, **extra: Any) -> MigrationEvent:
    if kind == "departed":
        extra.setdefault("country", "RU")
    event = MigrationEvent.objects.create(person=person, kind=kind, date=date, **extra)
    respan(person)
    log_event(person, 1, event.kind, event.country, event.date)
    return event


def respan(person: Person) -> None:
    """Rewrite a person's status spans after events were made around the services, as the
    services do. A history made out of order may be impossible for a while (a return made
    before its departure): the person then has no spans until it is possible again."""
    try:
        rewrite_spans(person, list(person.events.order_by()))
    except ServiceError:
        StatusSpan.objects.filter(person_id=person.pk).delete()


def token_for(user: User) -> str:
    raw = ApiToken.new_raw_key()
    ApiToken.objects.create(user=user, key_hash=hash_token(raw))
    return raw


def bearer(user: User) -> dict[str, Any]:
    """The API's Authorization header for ``user`` (a fresh token), to spread into a test
    client's call: ``client.get(url, **bearer(user))``."""
    return {"HTTP_AUTHORIZATION": f"Bearer {token_for(user)}"}


def signed_in(user: User) -> Client:
    """A test client with ``user`` signed in (the session, without the sign-in form)."""
    client = Client()
    client.force_login(user)
    return client


@functools.cache
def jpeg(
    size: tuple[int, int] = (2400, 1800),
    gps: tuple[float, float] | None = (39.95, 70.12),
    taken: str | None = "2026:11:28 09:15:00",
) -> bytes:
    """A real JPEG as a phone takes it: EXIF with the camera's make, the capture time and,
    unless told otherwise (``gps=None``), a GPS position. Made once for each set of arguments
    (bytes cannot change; a 2400 x 1800 picture took 14 ms, some 80 times a run)."""
    image = Image.new("RGB", size, (120, 160, 90))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    if taken:
        exif.get_ifd(0x8769)[0x9003] = taken
    if gps:
        lat, lon = gps
        exif.get_ifd(0x8825).update(
            {
                1: "N",
                2: (int(lat), int(lat * 60) % 60, 0.0),
                3: "E",
                4: (int(lon), int(lon * 60) % 60, 0.0),
            }
        )
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


@dataclass
class Cast:
    country: Place
    region: Place
    district: Place
    jamoat: Place
    village: Place
    village2: Place
    other_district: Place
    other_village: Place
    household: Household
    other_household: Household
    admin: User
    officer: User
    region_officer: User
    enumerator: User
    keyholder: User
    owner: User
    outsider: User


def make_cast() -> Cast:
    country = make_place("TJ", PlaceKind.COUNTRY, name_tg="Тоҷикистон", name_en="Tajikistan")
    region = make_place("TJ-SU", PlaceKind.REGION, country, name_tg="Вилояти Суғд")
    district = make_place("TJ-SU-ASHT", PlaceKind.DISTRICT, region, name_tg="Ашт", name_en="Asht")
    jamoat = make_place("TJ-SU-ASHT-PONGHOZ", PlaceKind.JAMOAT, district, name_tg="Понғоз")
    village = make_place(
        "TJ-SU-ASHT-PONGHOZ-V01", PlaceKind.VILLAGE, jamoat, name_tg="Деҳаи 1", is_sample=True
    )
    village2 = make_place(
        "TJ-SU-ASHT-PONGHOZ-V02", PlaceKind.VILLAGE, jamoat, name_tg="Деҳаи 2", is_sample=True
    )
    other_district = make_place("TJ-SU-GHAFUROV", PlaceKind.DISTRICT, region, name_tg="Ғафуров")
    other_jamoat = make_place("TJ-SU-GHAFUROV-J1", PlaceKind.JAMOAT, other_district)
    other_village = make_place("TJ-SU-GHAFUROV-J1-V01", PlaceKind.VILLAGE, other_jamoat)
    household = make_household(village, "Karimov")
    other_household = make_household(other_village, "Rahimov")
    return Cast(
        country=country,
        region=region,
        district=district,
        jamoat=jamoat,
        village=village,
        village2=village2,
        other_district=other_district,
        other_village=other_village,
        household=household,
        other_household=other_household,
        admin=make_user("admin", Role.ADMIN),
        officer=make_user("officer", Role.OFFICER, [district]),
        region_officer=make_user("region_officer", Role.OFFICER, [region]),
        enumerator=make_user("enumerator", Role.ENUMERATOR, [village]),
        keyholder=make_user("keyholder", Role.KEYHOLDER, [village]),
        owner=make_user("owner", Role.OWNER, household=household),
        outsider=make_user("outsider", Role.OFFICER, [other_district]),
    )
