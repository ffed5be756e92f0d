"""The sample registry lands on the official Asht figures, at a small scale too; every
generated history is possible, and the registry has the variety of real life. One registry is
generated for the whole module (generating it is most of these tests' time)."""

import datetime as dt
from collections import Counter, defaultdict
from io import StringIO

import pytest
from django.core.management import call_command
from shapely.geometry import Point, shape

from keyholder.places.models import Place, PlaceKind, subtree_q
from keyholder.registry.models import GardenTree, House, Household, MigrationEvent, Person
from keyholder.registry.queries import statuses_on
from keyholder.registry.sample import END
from keyholder.registry.status import State, validate_history
from keyholder.registry.tests.sampleworld import SCALE, generate, generated_once

pytestmark = pytest.mark.django_db

# One registry for the module's tests, each of which reads it in its own rolled-back savepoint.
generated = generated_once()

FIGURES = {dt.date(2023, 12, 31): 17500, dt.date(2024, 7, 15): 24000}


def test_residents_abroad_match_the_official_figures_at_small_scale(generated: str) -> None:
    out = generated

    asht = Place.objects.get(code="TJ-SU-ASHT")
    persons = Person.objects.filter(subtree_q(asht, "household__village__"))
    for on, figure in FIGURES.items():
        target = figure * SCALE
        abroad = sum(1 for s in statuses_on(persons, on).values() if s.state == State.ABROAD)
        assert abs(abroad - target) <= 0.05 * target, (on, abroad, target)
        assert f"abroad on {on.isoformat()}: {abroad}" in out

    # ``count_status`` reports the same counts from the database.
    report = StringIO()
    call_command("count_status", place="TJ-SU-ASHT", on="2024-07-15", stdout=report)
    abroad_line = next(line for line in report.getvalue().splitlines() if "abroad:" in line)
    assert int(abroad_line.split(":")[1]) == round(24000 * SCALE)


@pytest.mark.usefixtures("generated")
def test_the_registry_is_sized_by_the_real_jamoat_populations() -> None:
    for jamoat in Place.objects.filter(parent__code="TJ-SU-ASHT"):
        villages = Place.objects.filter(parent=jamoat)
        assert villages.count() >= 1
        assert all(v.is_sample and v.code.startswith(f"{jamoat.code}-V") for v in villages)
        members = Person.objects.filter(household__village__parent=jamoat)
        # Persons alive in 2015 (no birth or joining later) make the jamoat's 2015 population.
        in_2015 = members.exclude(events__kind__in=["born", "joined"]).count()
        assert in_2015 == round((jamoat.population or 0) * SCALE)


@pytest.mark.usefixtures("generated")
def test_if_empty_skips_a_district_that_has_households() -> None:
    households = Household.objects.count()

    out = generate(if_empty=True)

    assert "nothing to do" in out
    assert Household.objects.count() == households


@pytest.mark.usefixtures("generated")
def test_every_generated_person_passes_the_history_rules() -> None:
    events: dict[object, list[MigrationEvent]] = defaultdict(list)
    for event in MigrationEvent.objects.all():
        events[event.person_id].append(event)
    persons = list(Person.objects.all())
    assert len(persons) > 3000
    for person in persons:
        # Raises ServiceError, failing the test, at the first impossible event.
        validate_history(events[person.pk], person.birth_year, today=END)

    kinds = Counter(e.kind for history in events.values() for e in history)
    for kind in (
        "born",
        "died",
        "departed",
        "returned",
        "deported",
        "entry_ban",
        "moved",
        "joined",
        "left",
    ):
        assert kinds[kind] > 0, kind
    departures = MigrationEvent.objects.filter(kind="departed")
    countries = Counter(departures.values_list("country", flat=True))
    assert countries.most_common(1)[0][0] == "RU" and countries["KZ"] > 0
    assert not departures.filter(destination="").exists()
    assert not MigrationEvent.objects.filter(kind="entry_ban", until=None).exists()
    assert not MigrationEvent.objects.filter(date__gt=END).exists()


@pytest.mark.usefixtures("generated")
def test_everything_is_sample_and_villages_lie_inside_asht() -> None:
    for model in (House, Household, Person, MigrationEvent):
        assert not model.objects.filter(is_sample=False).exists()
    asht = shape(Place.objects.get(code="TJ-SU-ASHT").boundary)
    villages = Place.objects.filter(kind=PlaceKind.VILLAGE)
    assert villages.count() > 20 and not villages.filter(is_sample=False).exists()
    for village in villages:
        assert asht.contains(Point(village.longitude, village.latitude)), village.code
        assert village.point_source.startswith("approximate")
    # Each household lives in its own house with a garden where apricots lead.
    assert Household.objects.filter(house=None).count() == 0
    trees = Counter(GardenTree.objects.values_list("kind", flat=True))
    assert trees.most_common(1)[0][0] == "apricot"


@pytest.mark.usefixtures("generated")
def test_whole_families_leave_and_houses_stand_empty() -> None:
    from keyholder.registry.queries import household_statuses_on
    from keyholder.registry.status import HouseholdState

    statuses = household_statuses_on(Person.objects.all(), dt.date(2026, 11, 30))
    fully_abroad = [s for s in statuses.values() if s.state == HouseholdState.FULLY_ABROAD]
    # Every village has at least one family that left together.
    assert len(fully_abroad) >= Place.objects.filter(kind=PlaceKind.VILLAGE).count()
    assert all(s.vacant for s in fully_abroad)


@pytest.mark.usefixtures("generated")
def test_every_person_carries_the_district_of_their_village() -> None:
    asht = Place.objects.get(code="TJ-SU-ASHT")
    assert Person.objects.count() > 0
    assert not Person.objects.exclude(district=asht).exists()
