"""Background jobs run by the django-tasks database queue (the ``keyholder worker`` runs it)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from keyholder.notify.models import Message, MessageStatus


@task()
def prune_sent_messages(older_than_days: int = 90) -> int:
    """Delete sent messages (and their attachments) older than ``older_than_days``: the outbox
    is a queue, not an archive, and the report PDFs in it add up. Failed and dead messages stay
    for someone to look at."""
    cutoff = timezone.now() - dt.timedelta(days=older_than_days)
    deleted, _per_model = Message.objects.filter(
        status=MessageStatus.SENT, sent_at__lt=cutoff
    ).delete()
    return deleted
