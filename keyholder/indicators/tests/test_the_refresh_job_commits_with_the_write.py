"""The store's refresh after an event is a job on the database queue, enqueued inside the
event's own transaction: one commit for both, no job for a write that rolled back, and the
worker brings the store up to date."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from pytest_django.fixtures import Settings

from keyholder.indicators.models import IndicatorSeries
from keyholder.indicators.tests.helpers import populate
from keyholder.registry.models import MigrationEvent
from keyholder.registry.services import do_record_event
from keyholder.testing import Cast, bearer, make_person


def abroad_at_end_of_2023(place_id: int) -> int:
    row = IndicatorSeries.objects.get(place_id=place_id, indicator="abroad", dimension="")
    return row.value_at(107)


def test_the_refresh_job_commits_with_the_event_and_only_then(
    cast: Cast, settings: Settings, django_capture_on_commit_callbacks: Any
) -> None:
    populate(cast)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    person = make_person(cast.household, "Farhod", birth_year=1995)
    before = abroad_at_end_of_2023(cast.district.pk)

    # A write that rolls back leaves no job behind.
    with transaction.atomic():
        do_record_event(
            actor=cast.enumerator,
            person=person,
            kind="departed",
            date=dt.date(2023, 8, 1),
            country="RU",
        )
        transaction.set_rollback(True)
    assert not MigrationEvent.objects.filter(person=person).exists()
    assert not DBTaskResult.objects.exists()

    # Through the API: the job is a row of the event's transaction, nothing waits for commit.
    client = Client(**bearer(cast.enumerator))
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            f"/api/v1/persons/{person.pk}/events",
            json.dumps({"kind": "departed", "date": "2023-08-01", "country": "RU"}),
            content_type="application/json",
        )
    assert response.status_code == 201, response.content
    assert callbacks == []
    job = DBTaskResult.objects.get()
    assert job.task_path == "keyholder.indicators.tasks.refresh_indicators"
    assert job.status == TaskResultStatus.READY
    # The event's span changes are in the change feed: the store moves by them (`logged`).
    assert job.args_kwargs == {"args": [[cast.village.pk], "2023-08-01", True], "kwargs": {}}
    # Queued, not run: the store waits for the worker.
    assert abroad_at_end_of_2023(cast.district.pk) == before

    call_command("worker", "--once")

    assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL
    assert abroad_at_end_of_2023(cast.district.pk) == before + 1
