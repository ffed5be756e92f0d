"""``keyholder generate_keeping`` gives the sample villages keyholders and a year of care."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from keyholder.accounts.models import Role
from keyholder.keeping.models import (
    KeepingAgreement,
    Payment,
    Task,
    TaskStatus,
    Visit,
    WateringSeason,
    WaterTurn,
)
from keyholder.keeping.tests.conftest import days_ago
from keyholder.testing import Cast, make_event, make_household, make_person, make_user, signed_in


def test_it_builds_a_living_service_and_runs_once(cast: Cast) -> None:
    demo = make_user("demo-keyholder", Role.KEYHOLDER, [cast.village])
    away = [make_household(cast.village, f"Away{i}") for i in range(6)]
    away += [make_household(cast.village2, f"Far{i}") for i in range(4)]
    for household in away:
        make_event(make_person(household), "departed", days_ago(400))
    home = make_household(cast.village, "Home")
    make_person(home)
    out = StringIO()

    call_command("generate_keeping", "--district", "TJ-SU-ASHT", "--seed", "1", stdout=out)

    agreements = KeepingAgreement.objects.all()
    # Most vacant houses are entrusted, none of the occupied one.
    assert 7 <= agreements.count() <= 11
    assert not agreements.filter(house=home.house).exists()
    assert {a.keyholder.username for a in agreements.filter(house__village=cast.village)} == {
        "demo-keyholder"
    }
    other = agreements.filter(house__village=cast.village2).first()
    assert other is not None and other.keyholder.username.startswith("sample-keyholder-")
    assert not other.keyholder.has_usable_password()
    assert all(a.is_sample for a in agreements)
    assert Visit.objects.count() > 50 * agreements.count()
    assert (
        Task.objects.filter(status=TaskStatus.DONE).count()
        > Task.objects.filter(status=TaskStatus.MISSED).count()
    )
    assert WateringSeason.objects.filter(village=cast.village).count() == 2
    assert WaterTurn.objects.filter(village=cast.village).exists()
    assert Payment.objects.exists()
    assert "agreements" in out.getvalue()

    # The demo keyholder's today page shows a round: due today or overdue.
    page = signed_in(demo).get(reverse("keeping:today")).content.decode()
    open_tasks = Task.objects.filter(
        agreement__keyholder=demo, status=TaskStatus.DUE, due_date__lte=days_ago(0)
    )
    assert open_tasks.exists()
    assert all(f'data-task="{t.pk}"' in page for t in open_tasks)

    call_command("generate_keeping", "--district", "Asht", "--if-empty", stdout=out)
    assert "nothing to do" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("generate_keeping", "--district", "TJ-SU-ASHT", stdout=out)
