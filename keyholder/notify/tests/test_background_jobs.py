"""``keyholder worker`` also runs the django-tasks database queue, not only the outbox."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from pytest_django.fixtures import Settings

from keyholder.notify.models import Message, MessageStatus
from keyholder.notify.tasks import prune_sent_messages
from keyholder.notify.tests.helpers import queue_incident, run_worker, set_channel
from keyholder.testing import Cast


def test_it_runs_jobs_queued_in_the_database(cast: Cast, settings: Settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    owner = set_channel(cast.owner, "email", "en", email="owner@example.org")
    old = queue_incident(owner, key="old")
    recent = queue_incident(owner, key="recent")
    assert old is not None and recent is not None
    Message.objects.filter(pk=old.pk).update(
        status=MessageStatus.SENT, sent_at=timezone.now() - dt.timedelta(days=200)
    )
    Message.objects.filter(pk=recent.pk).update(
        status=MessageStatus.SENT, sent_at=timezone.now() - dt.timedelta(days=2)
    )

    result = prune_sent_messages.enqueue(older_than_days=90)
    # Queued, not run: the database backend waits for a worker.
    assert Message.objects.filter(pk=old.pk).exists()

    run_worker()

    job = DBTaskResult.objects.get(pk=result.id)
    assert job.status == TaskResultStatus.SUCCESSFUL
    assert job.return_value == 1
    assert list(Message.objects.values_list("pk", flat=True)) == [recent.pk]
