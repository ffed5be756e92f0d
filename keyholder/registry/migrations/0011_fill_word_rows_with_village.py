"""The word rows of existing records, with their village and names (as
``models.write_words`` writes them), read a batch at a time in primary-key order: a national
registry never sits in memory."""

from django import db
from django.db import migrations

BATCH = 5000
# As ``models.PHONE_MARK`` and ``models.phone_word``.
PHONE_MARK = "#"


def phone_word(phone):
    digits = "".join(c for c in phone or "" if c.isdigit())
    return PHONE_MARK + digits[::-1] if digits else ""


def words(key):
    return sorted(set(key.split()))


def fill_words(apps, schema_editor):
    """Raw reads a batch at a time in primary-key order and ``executemany`` inserts: at
    national scale (10 M persons, 40 M word rows) model instances and ``bulk_create`` took
    most of an hour, and the rows need nothing of the models."""
    connection = schema_editor.connection if schema_editor is not None else db.connection
    quote = connection.ops.quote_name

    def table(name):
        return quote(apps.get_model("registry", name)._meta.db_table)

    def fill(select, insert, rows_of):
        # ``select`` takes the last primary key read (or none) and the batch size.
        last = None
        with connection.cursor() as cursor:
            while True:
                if last is None:
                    cursor.execute(select.format(after=""), [BATCH])
                else:
                    cursor.execute(select.format(after="WHERE r.id > %s"), [last, BATCH])
                batch = cursor.fetchall()
                if not batch:
                    return
                cursor.executemany(insert, [row for record in batch for row in rows_of(record)])
                last = batch[-1][0]

    fill(
        f"SELECT r.id, r.search_name, r.village_id FROM {table('House')} r"
        " {after} ORDER BY r.id LIMIT %s",
        f"INSERT INTO {table('HouseWord')} (word, house_id, village_id) VALUES (%s, %s, %s)",
        lambda record: [(word, record[0], record[2]) for word in words(record[1])],
    )
    fill(
        f"SELECT r.id, r.search_name, r.village_id, r.name FROM {table('Household')} r"
        " {after} ORDER BY r.id LIMIT %s",
        f"INSERT INTO {table('HouseholdWord')} (word, household_id, village_id, name)"
        " VALUES (%s, %s, %s, %s)",
        lambda record: [(word, record[0], record[2], record[3]) for word in words(record[1])],
    )
    fill(
        "SELECT r.id, r.search_name, h.village_id, r.family_name, r.given_name, r.phone"
        f" FROM {table('Person')} r JOIN {table('Household')} h ON h.id = r.household_id"
        " {after} ORDER BY r.id LIMIT %s",
        f"INSERT INTO {table('PersonWord')}"
        " (word, person_id, village_id, family_name, given_name, search_name)"
        " VALUES (%s, %s, %s, %s, %s, %s)",
        lambda record: [
            (word, record[0], record[2], record[3], record[4], record[1])
            for word in [*words(record[1]), phone_word(record[5])]
            if word
        ],
    )


def empty_words(apps, schema_editor):
    # Back to 0010: empty tables, which 0010 fills the old way when it is undone too.
    for name in ("HouseWord", "HouseholdWord", "PersonWord"):
        apps.get_model("registry", name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0010_word_rows_carry_village_and_names"),
    ]

    operations = [
        migrations.RunPython(fill_words, empty_words, elidable=True),
    ]
