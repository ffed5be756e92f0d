"""Search keys of names and addresses (issue 11): the columns, then the keys of existing rows.

The key is ``keyholder.core.text.search_key`` as it was when this migration was written,
copied here so that the migration gives the same rows whatever that module becomes.
"""

import re
import unicodedata

from django.db import migrations, models

_CYRILLIC = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ж": "zh",
        "з": "z", "и": "i", "к": "k", "қ": "k", "л": "l", "м": "m", "н": "n", "о": "o",
        "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ҳ": "h",
        "ц": "ts", "ч": "ch", "ҷ": "j", "ш": "sh", "щ": "sh", "ъ": "", "ы": "i", "ь": "",
        "э": "e", "ю": "yu", "я": "ya", "є": "e", "і": "i", "ї": "i", "ў": "u",
    }
)  # fmt: skip
_FOLDS = (
    ("dzh", "j"),
    ("dj", "j"),
    ("kh", "h"),
    ("gh", "g"),
    ("x", "h"),
    ("q", "k"),
    ("yo", "e"),
    ("ye", "e"),
    ("y", "i"),
)
_NOT_WORD = re.compile(r"[^0-9a-z]+")
_APOSTROPHES = re.compile("['ʼʻ’‘`´]")
BATCH = 2000


def search_key(value):
    text = unicodedata.normalize("NFKD", value.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _APOSTROPHES.sub("", text).translate(_CYRILLIC)
    for spelling, folded in _FOLDS:
        text = text.replace(spelling, folded)
    return " ".join(_NOT_WORD.sub(" ", text).split())[:300]


def fill(model, fields, key):
    """Rows in primary-key order, a batch at a time: a national registry never sits in memory."""
    last = None
    while True:
        rows = model.objects.order_by("pk").only("pk", *fields)
        if last is not None:
            rows = rows.filter(pk__gt=last)
        batch = list(rows[:BATCH])
        if not batch:
            return
        for row in batch:
            row.search_name = key(*(getattr(row, f) for f in fields))
        model.objects.bulk_update(batch, ["search_name"])
        last = batch[-1].pk


def fill_keys(apps, schema_editor):
    fill(
        apps.get_model("registry", "House"),
        ["street", "number"],
        lambda s, n: search_key(f"{s} {n}"),
    )
    fill(apps.get_model("registry", "Household"), ["name"], search_key)
    fill(
        apps.get_model("registry", "Person"),
        ["given_name", "family_name"],
        lambda g, f: search_key(f"{g} {f}"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0003_event_corrections"),
    ]

    operations = [
        migrations.AddField(
            model_name="house",
            name="search_name",
            field=models.CharField(blank=True, db_index=True, max_length=300),
        ),
        migrations.AddField(
            model_name="household",
            name="search_name",
            field=models.CharField(blank=True, db_index=True, max_length=300),
        ),
        migrations.AddField(
            model_name="person",
            name="search_name",
            field=models.CharField(blank=True, db_index=True, max_length=300),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop, elidable=True),
    ]
