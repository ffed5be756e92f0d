"""Status spans carry their person's sex and birth year (the indicators read them without
joining the persons), and follow an edit of the person: a new sex, a new birth year (which
moves the statuses too) or another household rewrites them in the same transaction; a birth
year that makes the history impossible is refused whole."""

from __future__ import annotations

import datetime as dt
import importlib
from types import SimpleNamespace

import pytest
from django.db import connection

from keyholder.core.errors import Code, ServiceError
from keyholder.registry.models import Person, StatusSpan
from keyholder.registry.services import do_create_person, do_record_event
from keyholder.registry.spans import differences
from keyholder.testing import Cast, make_household

migration = importlib.import_module(
    "keyholder.registry.migrations.0009_spans_carry_sex_and_birth_year"
)


def spans_of(person: Person) -> list[tuple[object, ...]]:
    return list(
        StatusSpan.objects.filter(person_id=person.pk)
        .order_by("valid_from")
        .values_list("household_id", "village_id", "state", "since", "sex", "birth_year")
    )


def test_spans_carry_sex_and_birth_year_and_follow_an_edit(cast: Cast) -> None:
    person, _ = do_create_person(
        actor=cast.enumerator,
        household=cast.household,
        given_name="Farhod",
        sex="m",
        birth_year=1995,
    )
    do_record_event(
        actor=cast.enumerator,
        person=person,
        kind="departed",
        date=dt.date(2023, 8, 1),
        country="RU",
    )
    household = cast.household
    assert spans_of(person) == [
        (household.pk, cast.village.pk, "present", dt.date(1995, 1, 1), "m", 1995),
        (household.pk, cast.village.pk, "abroad", dt.date(2023, 8, 1), "m", 1995),
    ]

    # Saving another field leaves the spans alone (the same rows).
    ids = set(StatusSpan.objects.filter(person_id=person.pk).values_list("pk", flat=True))
    person = Person.objects.get(pk=person.pk)
    person.phone = "+992900000001"
    person.save()
    assert set(StatusSpan.objects.filter(person_id=person.pk).values_list("pk", flat=True)) == ids

    # A corrected sex and birth year: the spans copy them, and present since the new year.
    person.sex = "f"
    person.birth_year = 1996
    person.save()
    assert spans_of(person) == [
        (household.pk, cast.village.pk, "present", dt.date(1996, 1, 1), "f", 1996),
        (household.pk, cast.village.pk, "abroad", dt.date(2023, 8, 1), "f", 1996),
    ]

    # Moved to a household of another village: the spans go with the person.
    elsewhere = make_household(cast.village2, "Aliev")
    person.household = elsewhere
    person.save()
    assert {(h, v) for h, v, *_ in spans_of(person)} == {(elsewhere.pk, cast.village2.pk)}
    assert differences(cast.village.pk) == []
    assert differences(cast.village2.pk) == []

    # A birth year after the departure makes the history impossible: refused, nothing saved.
    person.birth_year = 2024
    with pytest.raises(ServiceError) as refused:
        person.save()
    assert refused.value.code == Code.HISTORY_BEFORE_BIRTH
    assert Person.objects.get(pk=person.pk).birth_year == 1996
    assert {row[-1] for row in spans_of(person)} == {1996}


def test_the_migration_copies_sex_and_birth_year_onto_existing_spans(cast: Cast) -> None:
    woman, _ = do_create_person(
        actor=None, household=cast.household, given_name="Zarina", sex="f", birth_year=1980
    )
    man, _ = do_create_person(
        actor=None, household=cast.household, given_name="Rustam", sex="m", birth_year=1975
    )
    # Spans as they were before the migration: without either.
    StatusSpan.objects.update(sex="", birth_year=0)
    with connection.cursor() as cursor:
        cursor.execute(migration.FILL)
    assert [row[-2:] for row in spans_of(woman)] == [("f", 1980)]
    assert [row[-2:] for row in spans_of(man)] == [("m", 1975)]
    assert not StatusSpan.objects.filter(birth_year=0).exists()


def test_the_migration_makes_the_spans_statistics_again_where_there_were_any(cast: Cast) -> None:
    # A span to count: ANALYZE writes nothing for an empty table.
    do_create_person(
        actor=None, household=cast.household, given_name="Zarina", sex="f", birth_year=1980
    )
    editor = SimpleNamespace(connection=connection)
    if connection.vendor != "sqlite":
        # PostgreSQL keeps its statistics with the table; the migration analyzes it anyway.
        migration.restore_statistics(None, editor)
        return
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS sqlite_stat1")
        # A database never analyzed stays so: statistics of one table alone mislead.
        migration.restore_statistics(None, editor)
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        assert cursor.fetchone() is None
        # One that was analyzed gets the spans' statistics back (the table was made again).
        cursor.execute("ANALYZE registry_person")
        migration.restore_statistics(None, editor)
        cursor.execute("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'registry_statusspan'")
        assert cursor.fetchone()[0] > 0
