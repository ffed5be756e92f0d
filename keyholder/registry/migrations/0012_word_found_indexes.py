"""The indexes a search in an area reads (made after the rows are written, which is faster
than keeping them up to date row by row), then PostgreSQL's VACUUM ANALYZE of the tables just
filled: the planner last saw them empty, and until a vacuum marks their pages all-visible an
index-only scan still reads the table for every row. VACUUM cannot run in a transaction, so
this migration runs without one (each step is whole by itself)."""

from django.db import migrations, models


def analyze(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    tables = ", ".join(
        schema_editor.quote_name(apps.get_model("registry", name)._meta.db_table)
        for name in ("HouseWord", "HouseholdWord", "PersonWord")
    )
    schema_editor.execute(f"VACUUM ANALYZE {tables}")


class Migration(migrations.Migration):

    atomic = False

    dependencies = [
        ('registry', '0011_fill_word_rows_with_village'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='householdword',
            index=models.Index(fields=['word', 'village', 'name', 'household'], name='household_word_found'),
        ),
        migrations.AddIndex(
            model_name='houseword',
            index=models.Index(fields=['word', 'village', 'house'], name='house_word_found'),
        ),
        migrations.AddIndex(
            model_name='personword',
            index=models.Index(fields=['word', 'village', 'family_name', 'given_name', 'person', 'search_name'], name='person_word_found'),
        ),
        migrations.RunPython(analyze, migrations.RunPython.noop, elidable=True),
    ]
