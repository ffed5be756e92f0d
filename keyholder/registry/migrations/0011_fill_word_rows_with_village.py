"""The word rows of existing records, with their village and names (as
``models.write_words`` writes them), read a batch at a time in primary-key order: a national
registry never sits in memory. Then the index a search in an area reads."""

from django.db import migrations

BATCH = 5000
# As ``models.PHONE_MARK`` and ``models.phone_word``.
PHONE_MARK = "#"


def phone_word(phone):
    digits = "".join(c for c in phone or "" if c.isdigit())
    return PHONE_MARK + digits[::-1] if digits else ""


def batches(rows):
    last = None
    while True:
        page = rows.order_by("pk")
        if last is not None:
            page = page.filter(pk__gt=last)
        batch = list(page[:BATCH])
        if not batch:
            return
        yield batch
        last = batch[-1][0]


def words(key):
    return sorted(set(key.split()))


def fill_words(apps, schema_editor):
    House = apps.get_model("registry", "House")
    HouseWord = apps.get_model("registry", "HouseWord")
    for batch in batches(House.objects.values_list("pk", "search_name", "village_id")):
        HouseWord.objects.bulk_create(
            [
                HouseWord(word=word, house_id=pk, village_id=village)
                for pk, key, village in batch
                for word in words(key)
            ],
            batch_size=BATCH,
        )
    Household = apps.get_model("registry", "Household")
    HouseholdWord = apps.get_model("registry", "HouseholdWord")
    rows = Household.objects.values_list("pk", "search_name", "village_id", "name")
    for batch in batches(rows):
        HouseholdWord.objects.bulk_create(
            [
                HouseholdWord(word=word, household_id=pk, village_id=village, name=name)
                for pk, key, village, name in batch
                for word in words(key)
            ],
            batch_size=BATCH,
        )
    Person = apps.get_model("registry", "Person")
    PersonWord = apps.get_model("registry", "PersonWord")
    rows = Person.objects.values_list(
        "pk", "search_name", "household__village_id", "family_name", "given_name", "phone"
    )
    for batch in batches(rows):
        PersonWord.objects.bulk_create(
            [
                PersonWord(
                    word=word,
                    person_id=pk,
                    village_id=village,
                    family_name=family,
                    given_name=given,
                    search_name=key,
                )
                for pk, key, village, family, given, phone in batch
                for word in [*words(key), phone_word(phone)]
                if word
            ],
            batch_size=BATCH,
        )


def empty_words(apps, schema_editor):
    # Back to 0010: empty tables, which 0010 fills the old way when it is undone too.
    for name in ("HouseWord", "HouseholdWord", "PersonWord"):
        apps.get_model("registry", name).objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0010_word_rows_carry_village_and_names'),
    ]

    operations = [
        migrations.RunPython(fill_words, empty_words, elidable=True),
    ]
