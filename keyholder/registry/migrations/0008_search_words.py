"""Word tables of the search keys (issue 11: search p95 under 200 ms on a district), then
the words of existing rows, read from their stored keys a batch at a time."""

import django.db.models.deletion
from django.db import migrations, models

import keyholder.registry.models

BATCH = 5000


def fill(model, word_model, owner):
    """One row per distinct word of each record's key, in primary-key order a batch at a
    time: a national registry never sits in memory."""
    last = None
    while True:
        rows = model.objects.order_by("pk").values_list("pk", "search_name")
        if last is not None:
            rows = rows.filter(pk__gt=last)
        batch = list(rows[:BATCH])
        if not batch:
            return
        word_model.objects.bulk_create(
            [
                word_model(word=word, **{owner: pk})
                for pk, key in batch
                for word in sorted(set(key.split()))
            ],
            batch_size=BATCH,
        )
        last = batch[-1][0]


def fill_words(apps, schema_editor):
    for name in ("House", "Household", "Person"):
        fill(
            apps.get_model("registry", name),
            apps.get_model("registry", f"{name}Word"),
            f"{name.lower()}_id",
        )


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0007_import_jobs'),
    ]

    operations = [
        migrations.CreateModel(
            name='HouseholdWord',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('word', keyholder.registry.models.WordField(max_length=300)),
                ('household', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='registry.household')),
            ],
            options={
                'indexes': [models.Index(fields=['word', 'household'], name='household_word'), models.Index(fields=['household', 'word'], name='household_words')],
            },
        ),
        migrations.CreateModel(
            name='HouseWord',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('word', keyholder.registry.models.WordField(max_length=300)),
                ('house', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='registry.house')),
            ],
            options={
                'indexes': [models.Index(fields=['word', 'house'], name='house_word'), models.Index(fields=['house', 'word'], name='house_words')],
            },
        ),
        migrations.CreateModel(
            name='PersonWord',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('word', keyholder.registry.models.WordField(max_length=300)),
                ('person', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='registry.person')),
            ],
            options={
                'indexes': [models.Index(fields=['word', 'person'], name='person_word'), models.Index(fields=['person', 'word'], name='person_words')],
            },
        ),
        migrations.RunPython(fill_words, migrations.RunPython.noop, elidable=True),
    ]
