"""A household moved to another village, or to another house, moves the figures at once: no
service does either, but a shell or a data migration may save a household so, and the store
must not keep counting it where it was until the next full build."""

from __future__ import annotations

from keyholder.indicators.models import IndicatorSeries
from keyholder.indicators.store import build_all
from keyholder.indicators.tests.helpers import populate
from keyholder.indicators.tests.test_it_refreshes_the_store_after_an_event import snapshot
from keyholder.indicators.tests.test_store_equals_replay import assert_store_equals_replay
from keyholder.registry.models import Household
from keyholder.testing import Cast, make_house


def _figure(place_id: int, indicator: str = "abroad", month: int = 107) -> int:
    """A place's figure at the end of a month (107: December 2023)."""
    row = IndicatorSeries.objects.filter(
        place_id=place_id, indicator=indicator, dimension=""
    ).first()
    return row.value_at(month) if row else 0


def _assert_store_equals_replay_and_a_full_build(cast: Cast) -> None:
    assert_store_equals_replay(cast)
    refreshed = snapshot()
    build_all()
    assert snapshot() == refreshed


def test_a_household_moved_to_another_village_takes_its_figures_along(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    populate(cast)
    assert (_figure(cast.village.pk), _figure(cast.village2.pk)) == (23, 2)
    saidov = Household.objects.get(name="Saidov")
    with django_capture_on_commit_callbacks(execute=True):
        saidov.village = cast.village2
        saidov.house = make_house(cast.village2)
        saidov.save()
    assert (_figure(cast.village.pk), _figure(cast.village2.pk)) == (11, 14)
    _assert_store_equals_replay_and_a_full_build(cast)


def test_a_household_moved_to_another_house_moves_the_vacant_houses(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    populate(cast)
    # Everybody of Nazarov is abroad at the end of 2023: its house stands empty. Moved into
    # the house of the Saidovs (abroad too), one house less stands empty.
    vacant_before = _figure(cast.village.pk, "vacant_houses")
    nazarov = Household.objects.get(name="Nazarov")
    with django_capture_on_commit_callbacks(execute=True):
        nazarov.house = Household.objects.get(name="Saidov").house
        nazarov.save(update_fields=["house"])
    assert _figure(cast.village.pk, "vacant_houses") == vacant_before - 1
    _assert_store_equals_replay_and_a_full_build(cast)


def test_saving_a_household_in_place_recomputes_nothing(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    populate(cast)
    saidov = Household.objects.get(name="Saidov")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        saidov.notes = "Keys with the neighbour"
        saidov.save()
    assert callbacks == []
