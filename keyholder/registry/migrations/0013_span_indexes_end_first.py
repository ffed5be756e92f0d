"""The spans' place and country indexes ordered by the end of a span before its start (issue
10, national scale): the spans holding on a day are the open ones begun by then and those
ending after it, two ranges on ``(state, valid_until, valid_from)``; on ``(state, valid_from,
valid_until)`` a count read every span of the state begun before the day, most of the history
on a recent day (1.5 s for the country's abroad on the national bench). The country's index
leaves out the person: its counts read millions of entries (every person present), and a
shorter entry is a faster read.

The new indexes are made before the old ones go, so that no read is left without one; then
the planner's statistics of the spans are made again where the database keeps any (as 0009:
on SQLite statistics for some indexes of a table and none for others mislead the planner)."""

from django.db import migrations, models


def analyze(apps, schema_editor):
    connection = schema_editor.connection
    table = schema_editor.quote_name(apps.get_model("registry", "StatusSpan")._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone() is None:
                return
        cursor.execute(f"ANALYZE {table}")


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0012_word_found_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="statusspan",
            index=models.Index(
                fields=["village", "state", "valid_until", "valid_from", "person"],
                name="span_village_state_end",
            ),
        ),
        migrations.AddIndex(
            model_name="statusspan",
            index=models.Index(
                fields=["state", "valid_until", "valid_from"], name="span_state_end"
            ),
        ),
        migrations.RemoveIndex(model_name="statusspan", name="span_village_state"),
        migrations.RemoveIndex(model_name="statusspan", name="span_state"),
        migrations.RunPython(analyze, migrations.RunPython.noop, elidable=True),
    ]
