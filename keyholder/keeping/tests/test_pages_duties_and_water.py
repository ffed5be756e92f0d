"""The keyholder adds duties on the house page and water turns on the watering page."""

from __future__ import annotations

import datetime as dt
import uuid

from django.urls import reverse

from keyholder.accounts.models import User
from keyholder.core.errors import Code, ServiceError
from keyholder.keeping.models import Duty, WateringSeason, WaterTurn
from keyholder.keeping.tests.conftest import Kept
from keyholder.testing import Cast, signed_in


def test_a_one_off_duty_added_on_the_house_page_plans_its_task(cast: Cast, kept: Kept) -> None:
    url = reverse("keeping:house", args=[kept.agreement.pk])
    due = kept.today + dt.timedelta(days=3)
    data = {
        "id": str(uuid.uuid4()),
        "kind": "other",
        "title": "Пардохти барқ",
        "due_date": due.isoformat(),
    }

    missing_date = signed_in(cast.keyholder).post(url, {**data, "due_date": ""})
    added = signed_in(cast.keyholder).post(url, data)
    by_owner = signed_in(cast.owner).post(url, {**data, "id": str(uuid.uuid4())})

    assert missing_date.status_code == 400
    # The page is in Tajik: the catalogue's message, as the keyholder reads it.
    assert ServiceError(Code.KEEPING_DUTY_NEEDS_DATE).message in missing_date.content.decode()
    assert added.status_code == 302
    duty = Duty.objects.get(title="Пардохти барқ")
    assert list(duty.tasks.values_list("due_date", flat=True)) == [due]
    assert by_owner.status_code == 403
    page = signed_in(cast.owner).get(url).content.decode()
    assert "Пардохти барқ" in page and "Add a duty" not in page


def test_water_turns_and_the_season_are_entered_for_the_keyholders_village(
    cast: Cast, kept: Kept, second_keyholder: User
) -> None:
    url = reverse("keeping:water")
    keyholder = signed_in(cast.keyholder)
    assert keyholder.get(url).status_code == 200
    turn = kept.today + dt.timedelta(days=4)

    keyholder.post(
        url,
        {"village": cast.village.code, "start": f"{turn.year}-01-01", "end": f"{turn.year}-12-31"},
    )
    keyholder.post(url, {"village": cast.village.code, "dates": f"{turn}\n{turn}"})

    assert WaterTurn.objects.filter(village=cast.village, date=turn).count() == 1
    assert kept.watering.tasks.filter(due_date=turn).exists()
    season = WateringSeason.objects.get(village=cast.village, year=turn.year)
    assert (season.start, season.end) == (dt.date(turn.year, 1, 1), dt.date(turn.year, 12, 31))
    other = signed_in(second_keyholder)
    assert other.get(url + f"?village={cast.village.code}").status_code == 404
    assert other.post(url, {"village": cast.village.code, "dates": str(turn)}).status_code == 404
