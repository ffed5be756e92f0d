"""Word rows carry their record's village and the names results are ordered by (issue 11:
search p95 under 200 ms on a district): a search in an area is counted and ordered from the
word index alone. The rows are derived from the records, so they are emptied here and written
again, with the new columns, by the next migration."""

import importlib

import django.db.models.deletion
from django.db import migrations, models


def empty_words(apps, schema_editor):
    for name in ("HouseWord", "HouseholdWord", "PersonWord"):
        apps.get_model("registry", name).objects.all().delete()


def fill_old_words(apps, schema_editor):
    # Back to 0008: its rows (word and record), written by its own function.
    importlib.import_module("keyholder.registry.migrations.0008_search_words").fill_words(
        apps, schema_editor
    )


class Migration(migrations.Migration):

    dependencies = [
        ('places', '0002_place_point_source'),
        ('registry', '0009_spans_carry_sex_and_birth_year'),
    ]

    operations = [
        migrations.RunPython(empty_words, fill_old_words, elidable=True),
        migrations.RemoveIndex(
            model_name='householdword',
            name='household_word',
        ),
        migrations.RemoveIndex(
            model_name='houseword',
            name='house_word',
        ),
        migrations.RemoveIndex(
            model_name='personword',
            name='person_word',
        ),
        migrations.AddField(
            model_name='householdword',
            name='name',
            field=models.CharField(default='', max_length=200),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='householdword',
            name='village',
            field=models.ForeignKey(db_index=False, default=None, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='places.place'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='houseword',
            name='village',
            field=models.ForeignKey(db_index=False, default=None, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='places.place'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='personword',
            name='family_name',
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.AddField(
            model_name='personword',
            name='given_name',
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.AddField(
            model_name='personword',
            name='search_name',
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.AddField(
            model_name='personword',
            name='village',
            field=models.ForeignKey(db_index=False, default=None, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='places.place'),
            preserve_default=False,
        ),
    ]
