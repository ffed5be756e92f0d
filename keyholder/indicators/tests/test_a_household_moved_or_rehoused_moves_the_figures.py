"""A household moved to another village, or to another house, moves the figures at once: no
service does either, but a shell or a data migration may save a household so, and the store
must not keep counting it where it was until the next full build."""

from __future__ import annotations

from keyholder.indicators.models import IndicatorSeries
from keyholder.indicators.store import build_all
from keyholder.indicators.tests.helpers import populate
from keyholder.indicators.tests.test_store_equals_replay import assert_store_equals_replay
from keyholder.registry.models import Household
from keyholder.testing import Cast, make_house


def _store() -> dict[tuple[int, str, str], list[int]]:
    return {(r.place_id, r.indicator, r.dimension): r.values for r in IndicatorSeries.objects.all()}


def _abroad(place_id: int, month: int = 107) -> int:
    row = IndicatorSeries.objects.filter(
        place_id=place_id, indicator="abroad", dimension=""
    ).first()
    return row.value_at(month) if row else 0


def test_a_household_moved_to_another_village_takes_its_figures_along(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    populate(cast)
    assert (_abroad(cast.village.pk), _abroad(cast.village2.pk)) == (23, 2)
    saidov = Household.objects.get(name="Saidov")
    with django_capture_on_commit_callbacks(execute=True):
        saidov.village = cast.village2
        saidov.house = make_house(cast.village2)
        saidov.save()
    assert (_abroad(cast.village.pk), _abroad(cast.village2.pk)) == (11, 14)
    assert_store_equals_replay(cast)
    moved = _store()
    build_all()
    assert _store() == moved


def test_a_household_moved_to_another_house_moves_the_vacant_houses(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    populate(cast)
    # Everybody of Nazarov is abroad at the end of 2023: its house stands empty. Moved into
    # the house of the Saidovs (abroad too), one house less stands empty.
    vacant_before = IndicatorSeries.objects.get(
        place=cast.village, indicator="vacant_houses", dimension=""
    ).value_at(107)
    nazarov = Household.objects.get(name="Nazarov")
    with django_capture_on_commit_callbacks(execute=True):
        nazarov.house = Household.objects.get(name="Saidov").house
        nazarov.save(update_fields=["house"])
    vacant_after = IndicatorSeries.objects.get(
        place=cast.village, indicator="vacant_houses", dimension=""
    ).value_at(107)
    assert vacant_after == vacant_before - 1
    assert_store_equals_replay(cast)
    rehoused = _store()
    build_all()
    assert _store() == rehoused


def test_saving_a_household_in_place_recomputes_nothing(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    populate(cast)
    saidov = Household.objects.get(name="Saidov")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        saidov.notes = "Keys with the neighbour"
        saidov.save()
    assert callbacks == []
