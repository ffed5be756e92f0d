"""Every person carries the district of their household's village (``Person.district``), so
that a district's persons are read in name order from one index; every writer keeps the copy
right (the services, import in bulk, a move, the migration), and a district's list walks only
its own persons."""

from __future__ import annotations

import datetime as dt
import importlib
from pathlib import Path
from types import SimpleNamespace

from django.apps import apps
from django.db import connection, transaction
from django.test import Client

from keyholder.places.models import district_of
from keyholder.registry import queries
from keyholder.registry.importing import import_rows, read_rows
from keyholder.registry.models import Household, Person, StatusSpan
from keyholder.registry.tests.importfiles import good_rows, write_csv
from keyholder.testing import Cast, bearer, make_event, make_household, make_person

migration = importlib.import_module(
    "keyholder.registry.migrations.0014_persons_carry_their_district"
)


def districts() -> dict[str, int | None]:
    """Each person's district, by their given name."""
    return dict(Person.objects.values_list("given_name", "district_id"))


def test_the_services_and_a_bulk_import_copy_the_district(cast: Cast, tmp_path: Path) -> None:
    make_person(cast.household, "Made")
    make_person(cast.other_household, "Elsewhere")
    assert districts()["Made"] == cast.district.pk
    assert districts()["Elsewhere"] == cast.other_district.pk
    assert district_of(cast.village) == district_of(cast.district) == cast.district.pk
    assert district_of(cast.region) is None  # a region is above any district

    path = write_csv(tmp_path / "registry.csv", good_rows())
    for bulk in (True, False):
        with transaction.atomic():
            _header, rows = read_rows(path)
            report = import_rows(rows, actor=cast.enumerator, source=path.name, bulk=bulk)
            assert report.ok, report.errors
            imported = Person.objects.exclude(given_name__in=["Made", "Elsewhere"])
            assert imported.count() == 4
            assert set(imported.values_list("district_id", flat=True)) == {cast.district.pk}
            transaction.set_rollback(True)


def where(person: Person) -> tuple[int | None, set[int]]:
    """A person's district and the villages their spans carry."""
    spans = StatusSpan.objects.filter(person=person).values_list("village_id", flat=True)
    return Person.objects.get(pk=person.pk).district_id, set(spans)


def test_a_move_takes_the_district_and_the_spans_village_along(cast: Cast) -> None:
    person = make_person(cast.household, "Mover")
    make_event(person, "departed", dt.date(2023, 1, 1))
    person = Person.objects.get(pk=person.pk)
    person.household = cast.other_household
    person.save()
    assert where(person) == (cast.other_district.pk, {cast.other_village.pk})

    household = make_household(cast.village, "Moving")
    member = make_person(household, "Member")
    make_event(member, "departed", dt.date(2022, 1, 1))
    household = Household.objects.get(pk=household.pk)
    household.village = cast.other_village
    household.save()
    assert where(member) == (cast.other_district.pk, {cast.other_village.pk})


def test_the_migration_fills_the_district_of_existing_persons(cast: Cast) -> None:
    for name in ("One", "Two"):
        make_person(cast.household, name)
    make_person(cast.other_household, "Three")
    saved = districts()
    Person.objects.update(district=None)
    migration.fill_districts(apps, SimpleNamespace(connection=connection))
    assert districts() == saved
    assert saved["One"] == saved["Two"] == cast.district.pk != saved["Three"]


def test_a_districts_list_walks_only_the_districts_names(
    client: Client, cast: Cast, monkeypatch
) -> None:
    """With every walk looking free, the district's list probes its own persons' spans in
    name order (filtered by their district, no join to the households); a village inside it
    walks the same names; the country and a region walk the registry's."""
    for number in range(5):
        make_person(cast.household, f"A{number}", family_name="Asht")
    make_person(cast.other_household, "B0", family_name="Asht")
    monkeypatch.setattr(queries, "PROBE_COST", 0)
    monkeypatch.setattr(queries, "LIST_COST", 0)
    monkeypatch.setattr(queries, "SORT_ROWS", 0)
    spans = queries.spans_in(StatusSpan.objects.all(), state="present", place=cast.district)
    listed, count = queries.persons_in_state(
        Person.objects.all(), spans, dt.date(2024, 7, 15), 2, place=cast.district
    )
    sql = str(listed.order_by("family_name", "given_name", "id").query)
    assert "district_id" in sql and "EXISTS" in sql and "registry_household" not in sql
    assert count == Person.objects.filter(district=cast.district).count()
    assert queries.walk_for(cast.village).district == cast.district.pk
    assert queries.walk_for(cast.district.parent).district is None
    assert queries.walk_for(None).district is None

    url = "/api/v1/persons?place=TJ-SU-ASHT&limit=100"
    for query in ("", "&status=present&on=2024-07-15"):
        body = client.get(url + query, **bearer(cast.admin)).json()
        names = {item["given_name"] for item in body["results"]}
        assert {"A0", "A4"} <= names and "B0" not in names
        assert body["count"] == Person.objects.filter(district=cast.district).count()
        # The walk reads the district's names inside the user's own scope: Ghafurov's officer
        # is refused Asht or gets none of its persons.
        response = client.get(url + query, **bearer(cast.outsider))
        if response.status_code == 200:
            assert response.json()["count"] == 0 and response.json()["results"] == []
        else:
            assert response.status_code == 404
