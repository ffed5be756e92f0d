"""Duties generate tasks idempotently: rounds every N days, watering on the water turns."""

from __future__ import annotations

import datetime as dt

from django.core.management import call_command

from keyholder.keeping import schedule, services
from keyholder.keeping.generation import generate_tasks
from keyholder.keeping.models import Task
from keyholder.keeping.tests.conftest import Kept, days_ago
from keyholder.testing import Cast, bearer


def test_generation_is_idempotent_and_follows_the_water_turns(
    cast: Cast, kept: Kept, client
) -> None:
    count = Task.objects.count()
    assert generate_tasks() == 0
    call_command("generate_tasks", "--horizon", "14")
    assert Task.objects.count() == count
    rounds = sorted(kept.rounds.tasks.values_list("due_date", flat=True))
    assert rounds == [days_ago(9) + dt.timedelta(days=3 * k) for k in range(len(rounds))]
    assert rounds[-1] <= kept.today + dt.timedelta(days=14)

    # The keyholder enters the next water turn: its task appears at once.
    turn = kept.today + dt.timedelta(days=5)
    response = client.post(
        "/api/v1/keeping/water-turns",
        {"village": cast.village.code, "dates": [turn.isoformat()]},
        content_type="application/json",
        **bearer(cast.keyholder),
    )
    assert response.status_code == 200 and response.json() == {"added": 1}
    watering = set(kept.watering.tasks.values_list("due_date", flat=True))
    assert watering == {days_ago(1), kept.today, turn}
    # Only the village's keyholders (and administrators) enter water turns.
    other = client.post(
        "/api/v1/keeping/water-turns",
        {"village": cast.village.code, "dates": [turn.isoformat()]},
        content_type="application/json",
        **bearer(cast.owner),
    )
    assert other.status_code == 403

    # The season is answered as its two dates.
    year = kept.today.year
    season = client.put(
        "/api/v1/keeping/watering-seasons",
        {
            "village": cast.village.code,
            "year": year,
            "start": f"{year}-04-01",
            "end": f"{year}-10-15",
        },
        content_type="application/json",
        **bearer(cast.keyholder),
    )
    assert season.status_code == 200
    assert season.json() == {"start": f"{year}-04-01", "end": f"{year}-10-15"}


def test_watering_every_n_days_stays_inside_the_season(cast: Cast, kept: Kept) -> None:
    year = kept.today.year
    services.do_set_watering_season(
        actor=cast.keyholder,
        village=cast.village,
        year=year,
        start=days_ago(10),
        end=days_ago(2),
    )
    duty, _ = services.do_create_duty(
        actor=cast.keyholder,
        agreement=kept.agreement,
        kind="watering",
        every_days=4,
        starts_on=days_ago(30),
    )
    assert sorted(duty.tasks.values_list("due_date", flat=True)) == [
        days_ago(10),
        days_ago(6),
        days_ago(2),
    ]


def test_the_schedule_skips_paused_days() -> None:
    d = dt.date
    intervals = schedule.active_intervals(
        d(2026, 1, 1),
        None,
        [
            schedule.ChangeLike("pause", d(2026, 1, 10)),
            schedule.ChangeLike("resume", d(2026, 1, 20)),
        ],
    )
    assert intervals == [(d(2026, 1, 1), d(2026, 1, 9)), (d(2026, 1, 20), None)]
    duty = schedule.DutyLike("security_round", 5, False, d(2026, 1, 1), None)
    dates = schedule.duty_dates(duty, d(2026, 1, 1), d(2026, 1, 31), intervals)
    assert dates == [d(2026, 1, 1), d(2026, 1, 6), d(2026, 1, 21), d(2026, 1, 26), d(2026, 1, 31)]


def test_care_ends_on_the_planned_end_whatever_is_recorded_after_it() -> None:
    d = dt.date
    # A pause recorded after the planned end does not stretch the care up to the pause.
    paused_late = schedule.active_intervals(
        d(2026, 1, 1), d(2026, 3, 31), [schedule.ChangeLike("pause", d(2026, 5, 1))]
    )
    assert paused_late == [(d(2026, 1, 1), d(2026, 3, 31))]
    resumed_late = schedule.active_intervals(
        d(2026, 1, 1),
        d(2026, 3, 31),
        [schedule.ChangeLike("pause", d(2026, 2, 1)), schedule.ChangeLike("resume", d(2026, 4, 1))],
    )
    assert resumed_late == [(d(2026, 1, 1), d(2026, 1, 31))]
    # Ended by hand without a date: never under care. Two agreements of a house count once.
    assert schedule.agreement_intervals(d(2026, 1, 1), None, "ended", []) == []
    assert schedule.merge_intervals(
        [(d(2026, 3, 1), None), (d(2026, 1, 1), d(2026, 2, 28)), (d(2026, 1, 5), d(2026, 1, 9))]
    ) == [(d(2026, 1, 1), None)]
