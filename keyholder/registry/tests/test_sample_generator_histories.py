"""Every generated history is possible, and the registry has the variety of real life."""

import datetime as dt
from collections import Counter, defaultdict

import pytest
from shapely.geometry import Point, shape

from keyholder.places.models import Place, PlaceKind
from keyholder.registry.models import GardenTree, House, Household, MigrationEvent, Person
from keyholder.registry.sample import END
from keyholder.registry.status import validate_history
from keyholder.registry.tests.sampleworld import generated_once

pytestmark = pytest.mark.django_db

# One registry for the module's tests, each of which reads it in its own rolled-back savepoint.
generated = generated_once()


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
