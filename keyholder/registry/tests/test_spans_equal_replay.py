"""The status spans are an index of the events: on every date they answer what a replay does.

The property test draws random possible histories (candidate events kept only when
``status.validate_history`` accepts them, several on one day and entry bans included) and
checks every date around each event and each ban's end. The database tests show the spans kept
by the services, and ``check_spans`` and ``rebuild_spans`` finding and mending a stale one.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from keyholder.core.errors import ServiceError
from keyholder.registry.models import StatusSpan
from keyholder.registry.queries import count_states, statuses_on
from keyholder.registry.services import do_delete_event, do_record_event
from keyholder.registry.spans import spans_of
from keyholder.registry.status import State, replay, validate_history
from keyholder.testing import Cast, examples, make_person

TODAY = dt.date(2026, 11, 30)
KINDS = ["departed", "returned", "deported", "entry_ban", "moved", "left", "joined", "died", "born"]


@dataclass
class Event:
    kind: str
    date: dt.date
    country: str = ""
    destination: str = ""
    until: dt.date | None = None


@st.composite
def histories(draw: st.DrawFn) -> tuple[int, list[Event]]:
    birth_year = draw(st.integers(1950, 2020))
    start = dt.date(birth_year, 1, 1)
    events: list[Event] = []
    date = start + dt.timedelta(days=draw(st.integers(0, 400)))
    for _ in range(draw(st.integers(0, 10))):
        # Often the same day, so that the same-day order is exercised.
        date += dt.timedelta(days=draw(st.sampled_from([0, 0, 1, 30, 200, 700])))
        if date > TODAY:
            break
        kind = draw(st.sampled_from(KINDS))
        country = draw(st.sampled_from(["RU", "KZ", ""])) if kind != "returned" else ""
        until = date + dt.timedelta(days=draw(st.integers(1, 900))) if kind == "entry_ban" else None
        candidate = Event(kind, date, country, "Moscow" if kind == "departed" else "", until)
        try:
            validate_history([*events, candidate], birth_year, TODAY)
        except ServiceError:
            continue
        events.append(candidate)
    return birth_year, events


def dates_to_check(birth_year: int, events: list[Event]) -> set[dt.date]:
    dates = {dt.date(1900, 1, 1), dt.date(birth_year, 1, 1), TODAY, dt.date(2099, 1, 1)}
    for event in events:
        for day in (event.date, event.until):
            if day is not None:
                dates |= {day + dt.timedelta(days=n) for n in (-1, 0, 1)}
    return dates


@pytest.mark.slow
@settings(max_examples=examples(150), deadline=None)
@given(histories())
def test_spans_answer_what_replay_answers_on_every_date(history: tuple[int, list[Event]]) -> None:
    birth_year, events = history
    spans = spans_of(events, birth_year)
    # The spans tile time: one after the other, the last one open.
    for before, after in itertools.pairwise(spans):
        assert before.valid_until == after.valid_from
        assert before.status != after.status
    assert spans[-1].valid_until is None
    for day in dates_to_check(birth_year, events):
        holding = [
            s
            for s in spans
            if s.valid_from <= day and (s.valid_until is None or day < s.valid_until)
        ]
        assert len(holding) == 1
        assert holding[0].status == replay(events, birth_year, on=day)


@pytest.mark.django_db
def test_the_services_keep_the_spans_and_check_spans_finds_a_stale_one(cast: Cast) -> None:
    person = make_person(cast.household, "Farrukh")
    departed, _ = do_record_event(
        actor=cast.admin,
        person=person,
        kind="departed",
        date=dt.date(2024, 3, 1),
        country="RU",
        destination="Moscow",
    )
    do_record_event(
        actor=cast.admin,
        person=person,
        kind="entry_ban",
        date=dt.date(2024, 9, 1),
        country="RU",
        until=dt.date(2025, 9, 1),
    )
    do_record_event(actor=cast.admin, person=person, kind="deported", date=dt.date(2024, 9, 2))
    events = list(person.events.all())
    for day in (dt.date(2024, 2, 1), dt.date(2024, 9, 1), dt.date(2025, 9, 1), TODAY):
        assert statuses_on([person], day)[person.pk] == replay(events, 1990, on=day)
    assert statuses_on([person], dt.date(2025, 9, 2))[person.pk].state == State.RETURNED
    assert count_states(cast.village, dt.date(2024, 6, 1))[State.ABROAD] == 1
    call_command("check_spans", "--quiet")

    # Spans written around the services (or by older rules) are reported, then mended.
    StatusSpan.objects.filter(person=person, state=State.ABROAD).update(destination="Tver")
    with pytest.raises(CommandError, match="1 persons"):
        call_command("check_spans", "--quiet")
    call_command("rebuild_spans", "--quiet", "--place", "TJ-SU-ASHT")
    call_command("check_spans", "--quiet")

    # Deleting an event rewrites the spans; a refused deletion leaves them as they were.
    with pytest.raises(ServiceError):
        do_delete_event(actor=cast.admin, event=departed, reason="test")  # deportation needs it
    assert statuses_on([person], TODAY)[person.pk].state == State.RETURNED
    deported = person.events.get(kind="deported")
    do_delete_event(actor=cast.admin, event=deported, reason="recorded twice")
    assert statuses_on([person], TODAY)[person.pk].state == State.ABROAD
    call_command("check_spans", "--quiet")


@pytest.mark.django_db
def test_an_import_writes_the_spans_of_its_histories(cast: Cast, tmp_path: Path) -> None:
    from keyholder.registry.tests.importfiles import good_rows, run_command, write_csv

    path = write_csv(tmp_path / "registry.csv", good_rows())
    outcome = run_command("import", str(path), language="en")
    assert outcome.ok, outcome.out + outcome.err
    assert StatusSpan.objects.exists()
    call_command("check_spans", "--quiet")
    # Imported again, every row is already there and nothing changes.
    spans = list(StatusSpan.objects.order_by("pk").values_list("pk", flat=True))
    assert run_command("import", str(path), language="en").ok
    assert list(StatusSpan.objects.order_by("pk").values_list("pk", flat=True)) == spans
