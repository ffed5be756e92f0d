"""The calendar feed keeps only the SHA-256 of its token (issue 13, item 6).

Existing addresses keep working: each stored token is replaced by its hash, which is what the
feed's view now looks up. Self-contained: no app code is imported.
"""

import hashlib

from django.db import migrations, models


def hash_tokens(apps, schema_editor):
    CalendarFeed = apps.get_model("keeping", "CalendarFeed")
    for feed in CalendarFeed.objects.all().only("pk", "token"):
        CalendarFeed.objects.filter(pk=feed.pk).update(
            token_hash=hashlib.sha256(feed.token.encode()).hexdigest()
        )


class Migration(migrations.Migration):
    dependencies = [("keeping", "0004_pending_photos_resolved_incidents_asked_visits")]

    operations = [
        migrations.AddField(
            model_name="calendarfeed",
            name="token_hash",
            field=models.CharField(max_length=64, null=True),
        ),
        migrations.AddField(
            model_name="calendarfeed",
            name="renewed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(hash_tokens, migrations.RunPython.noop),
        migrations.RemoveField(model_name="calendarfeed", name="token"),
        migrations.AlterField(
            model_name="calendarfeed",
            name="token_hash",
            field=models.CharField(max_length=64, unique=True),
        ),
    ]
