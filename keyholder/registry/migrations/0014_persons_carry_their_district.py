"""Persons carry the district of their household's village (issue 10: a district's persons
by state, a page in under 200 ms at national scale). The column is added empty (on SQLite an
``ADD COLUMN``, not a copy of the table), filled with one ``UPDATE`` per district, then
indexed with the names: a district's persons in name order are one index range."""

import django.db.models.deletion
from django.db import migrations, models

# As ``places.models.DISTRICT_DEPTH``.
DISTRICT_DEPTH = 2


def fill_districts(apps, schema_editor):
    """One ``UPDATE`` per district over its villages' households: at national scale (53
    districts, 10 M persons) a statement per person or per batch would take most of an
    hour."""
    Place = apps.get_model("places", "Place")
    Household = apps.get_model("registry", "Household")
    Person = apps.get_model("registry", "Person")
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    villages: dict[int, list[int]] = {}
    district_by_code = dict(
        Place.objects.filter(depth=DISTRICT_DEPTH).values_list("code", "pk")
    )
    for pk, path in Place.objects.filter(depth__gte=DISTRICT_DEPTH).values_list("pk", "path"):
        district = district_by_code.get(path.split("/")[DISTRICT_DEPTH])
        if district is not None:
            villages.setdefault(district, []).append(pk)
    person = quote(Person._meta.db_table)
    household = quote(Household._meta.db_table)
    with connection.cursor() as cursor:
        for district, ids in villages.items():
            marks = ", ".join(["%s"] * len(ids))
            cursor.execute(
                f"UPDATE {person} SET district_id = %s WHERE household_id IN"
                f" (SELECT id FROM {household} WHERE village_id IN ({marks}))",
                [district, *ids],
            )


class Migration(migrations.Migration):

    dependencies = [
        ("places", "0002_place_point_source"),
        ("registry", "0013_span_indexes_end_first"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="district",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="places.place",
            ),
        ),
        migrations.RunPython(fill_districts, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                fields=["district", "family_name", "given_name", "id"],
                name="person_district_names",
            ),
        ),
    ]
