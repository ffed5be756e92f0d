"""The keyholder's today page lists what is due and overdue across their houses, by street."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from keyholder.keeping import services
from keyholder.keeping.models import Task, TaskStatus
from keyholder.keeping.tests.conftest import STREET, Kept, days_ago
from keyholder.testing import Cast, make_household, signed_in


def test_it_lists_due_and_overdue_tasks_grouped_by_street(cast: Cast, kept: Kept) -> None:
    # A second house of the same keyholder, on another street, with a one-off task overdue.
    household = make_household(cast.village, "Ғаниев")
    assert household.house is not None
    household.house.street = "кӯчаи Сино"
    household.house.save()
    second, _ = services.do_create_agreement(
        actor=cast.keyholder,
        house=household.house,
        keyholder=cast.keyholder,
        start=days_ago(20),
        fee_amount=Decimal("50"),
        fee_currency="TJS",
        fee_period="month",
    )
    services.do_create_duty(
        actor=cast.keyholder,
        agreement=second,
        kind="other",
        title="Барфро аз бом тоза кардан",
        due_date=days_ago(2),
        starts_on=days_ago(20),
    )
    due = Task.objects.filter(status=TaskStatus.DUE, due_date__lte=kept.today)
    # Rounds every 3 days from 9 days ago: today is due, earlier ones were superseded (missed).
    assert set(due.values_list("kind", "due_date")) == {
        ("security_round", kept.today),
        ("watering", kept.today),
        ("other", days_ago(2)),
    }
    assert Task.objects.filter(status=TaskStatus.MISSED, kind="security_round").count() == 3

    response = signed_in(cast.keyholder).get(reverse("keeping:today"))

    assert response.status_code == 200
    page = response.content.decode()
    for task in due:
        assert f'data-task="{task.pk}"' in page
    assert "Барфро аз бом тоза кардан" in page
    assert "kp-overdue" in page
    # Streets in the order of the round: "кӯчаи Рӯдакӣ" before "кӯчаи Сино".
    assert page.index(STREET) < page.index("кӯчаи Сино")
    assert reverse("keeping:visit_new", args=[kept.agreement.pk]) in page
    assert reverse("keeping:visit_new", args=[second.pk]) in page


def test_it_shows_nothing_of_other_keyholders(cast: Cast, kept: Kept, second_keyholder) -> None:
    response = signed_in(second_keyholder).get(reverse("keeping:today"))
    assert response.status_code == 200
    assert STREET not in response.content.decode()


def test_it_sends_officers_to_counts_and_owners_to_their_house(cast: Cast, kept: Kept) -> None:
    officer = signed_in(cast.officer).get(reverse("keeping:index"))
    assert officer["Location"] == reverse("keeping:summary")
    owner = signed_in(cast.owner).get(reverse("keeping:mine"))
    assert owner["Location"] == reverse("keeping:house", args=[kept.agreement.pk])
