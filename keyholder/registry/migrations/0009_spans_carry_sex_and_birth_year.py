"""Status spans carry their person's sex and birth year (issue 10), so that the indicators
read a village's spans without joining its persons; the spans already written get them from
their persons in one ``UPDATE ... FROM`` (PostgreSQL, and SQLite since 3.33)."""

from django.db import migrations, models

FILL = """
UPDATE registry_statusspan SET sex = p.sex, birth_year = p.birth_year
FROM registry_person p WHERE p.id = registry_statusspan.person_id
"""


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
    ]
