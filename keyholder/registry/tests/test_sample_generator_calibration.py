"""The sample registry lands on the official Asht figures, at a small scale too."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from keyholder.places.models import Place, subtree_q
from keyholder.registry.models import Household, Person
from keyholder.registry.queries import statuses_on
from keyholder.registry.status import State
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
