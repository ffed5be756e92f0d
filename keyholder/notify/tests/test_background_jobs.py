"""``keyholder worker`` also runs the django-tasks database queue, not only the outbox."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from pytest_django.fixtures import Settings

from keyholder.notify.models import Message, MessageStatus
from keyholder.notify.tasks import prune_sent_messages
from keyholder.notify.tests.conftest import SmtpServer
from keyholder.notify.tests.helpers import queue_incident, run_worker, set_channel
from keyholder.notify.worker import Worker
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


def test_a_long_outbox_leaves_room_for_a_job_in_each_turn(
    cast: Cast, settings: Settings, smtp_server: SmtpServer
) -> None:
    # The month's owner reports queue hundreds of messages at once; a clerk who uploads a file
    # then must not wait for every one of them to be sent before the file's check runs.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    owner = set_channel(cast.owner, "email", "en", email="owner@example.org")
    for number in range(4):
        assert queue_incident(owner, key=f"report:{number}") is not None
    result = prune_sent_messages.enqueue(older_than_days=90)

    # A turn with no time to spare: one message, then the job, then the next turn.
    Worker(worker_id="turns", turn=0).run_once()

    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.SUCCESSFUL
    assert len(smtp_server.messages) == 1
    assert Message.objects.filter(status=MessageStatus.PENDING).count() == 3

    run_worker()
    # Nothing is lost for it: every message goes out, each once.
    assert len(smtp_server.messages) == 4
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.SENT}
