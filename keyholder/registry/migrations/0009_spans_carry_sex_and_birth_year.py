"""Status spans carry their person's sex and birth year (issue 10), so that the indicators
read a village's spans without joining its persons; the spans already written get them from
their persons in one ``UPDATE ... FROM`` (PostgreSQL, and SQLite since 3.33).

On SQLite, adding a column that is not null makes the table again, and the planner's
statistics of the old table go with it: a database that had them (``ANALYZE``) is left with
statistics for every table but the spans, and plans a list of the country by state with the
wrong index (22 s instead of 0.1 s on the scale-0.01 bench). They are made again for the
spans when the database had statistics; on PostgreSQL, after rewriting every row, always."""

from django.db import migrations, models

FILL = """
UPDATE registry_statusspan SET sex = p.sex, birth_year = p.birth_year
FROM registry_person p WHERE p.id = registry_statusspan.person_id
"""


def restore_statistics(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # Statistics for this table alone, in a database without any, would mislead the
            # planner more than none at all.
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone() is None:
                return
        cursor.execute("ANALYZE registry_statusspan")


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0008_search_words"),
    ]

    operations = [
        migrations.AddField(
            model_name="statusspan",
            name="birth_year",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="statusspan",
            name="sex",
            field=models.CharField(blank=True, default="", max_length=1),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop, elidable=True),
        migrations.RunPython(restore_statistics, migrations.RunPython.noop, elidable=True),
    ]
