"""Houses, households, persons and their dated migration events.

A person's status is never stored: it is derived from events (see ``status.py``).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models, router, transaction
from django.utils.translation import gettext_lazy as _

from keyholder.core.models import Stamped
from keyholder.core.text import NOTE_MAX_LENGTH, search_key

# A search key (``core.text.search_key``) of the name or address, kept by ``save`` and by the
# bulk writers (sample generator, bench), indexed so that a prefix search reads the index.
SEARCH_KEY_LENGTH = 300


# The words of a search key, one row per (word, record) in a word table (``PersonWord``,
# ``HouseholdWord``, ``HouseWord``): a query word is then a prefix RANGE on an index
# (``queries.matching_ids``), which a B-tree serves, where ``LIKE '% w%'`` on the key read every
# row of the area (2.7 s for one common family name in the Asht sample under load).
WORD_END = chr(0x10FFFF)


class WordField(models.CharField):
    """A word of a search key, compared byte by byte.

    Search keys are lower-case ASCII letters and digits, and a prefix search is the range
    ``word >= w AND word < w || U+10FFFF``. That range holds every word beginning with ``w`` in
    byte order only: SQLite compares text that way (BINARY), and on PostgreSQL the column gets
    the "C" collation, whatever the database's locale (under a linguistic collation such as
    en_US the range could miss words).
    """

    def db_parameters(self, connection: Any) -> dict[str, Any]:
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params


def search_words(key: str) -> list[str]:
    """The distinct words of a search key, in order: the rows of a record in its word table."""
    return sorted(set(key.split()))


def house_key(street: str, number: str) -> str:
    return search_key(f"{street} {number}")


def person_key(given_name: str, family_name: str) -> str:
    return search_key(f"{given_name} {family_name}")


class Sex(models.TextChoices):
    FEMALE = "f", _("Female")
    MALE = "m", _("Male")


class Relation(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Son or daughter")
    PARENT = "parent", _("Parent")
    SIBLING = "sibling", _("Brother or sister")
    GRANDCHILD = "grandchild", _("Grandchild")
    IN_LAW = "in_law", _("Daughter- or son-in-law")
    OTHER = "other", _("Other relative")


class TreeKind(models.TextChoices):
    APRICOT = "apricot", _("Apricot")
    APPLE = "apple", _("Apple")
    WALNUT = "walnut", _("Walnut")
    MULBERRY = "mulberry", _("Mulberry")
    CHERRY = "cherry", _("Cherry")
    GRAPE = "grape", _("Grape vine")
    PEAR = "pear", _("Pear")
    PEACH = "peach", _("Peach")
    ALMOND = "almond", _("Almond")
    PLUM = "plum", _("Plum")
    QUINCE = "quince", _("Quince")
    POMEGRANATE = "pomegranate", _("Pomegranate")
    OTHER = "other", _("Other")


class EventKind(models.TextChoices):
    BORN = "born", _("Born")
    JOINED = "joined", _("Joined the household")
    DEPARTED = "departed", _("Departed abroad")
    RETURNED = "returned", _("Returned")
    DEPORTED = "deported", _("Deported")
    ENTRY_BAN = "entry_ban", _("Entry ban")
    MOVED = "moved", _("Moved within the country")
    LEFT = "left", _("Left the household")
    DIED = "died", _("Died")


# The details an event of each kind carries besides its kind, date and note. The forms show only
# these, the services clear the others when a correction changes the kind and refuse a value
# sent for a detail the kind does not have. A departure needs its country (``status.apply``),
# a ban its end, a move its place (``services``); the rest are optional.
EVENT_DETAILS = ("country", "destination", "purpose", "until", "moved_to")
KIND_DETAILS: dict[str, tuple[str, ...]] = {
    EventKind.BORN: (),
    EventKind.JOINED: (),
    EventKind.DEPARTED: ("country", "destination", "purpose"),
    EventKind.RETURNED: (),
    EventKind.DEPORTED: ("country",),
    EventKind.ENTRY_BAN: ("country", "until"),
    EventKind.MOVED: ("moved_to",),
    EventKind.LEFT: (),
    EventKind.DIED: (),
}


class Purpose(models.TextChoices):
    WORK = "work", _("Work")
    STUDY = "study", _("Study")
    FAMILY = "family", _("Family")
    OTHER = "other", _("Other")


class House(Stamped):
    """The dwelling with its garden. A household lives in one house."""

    village = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="houses")
    street = models.CharField(max_length=200, blank=True)
    number = models.CharField(max_length=32, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    garden_area_m2 = models.PositiveIntegerField(null=True, blank=True)
    notes = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH)
    search_name = models.CharField(max_length=SEARCH_KEY_LENGTH, blank=True, db_index=True)

    class Meta:
        ordering = ["village", "street", "number"]

    def __str__(self) -> str:
        return f"{self.street} {self.number}".strip() or str(self.id)

    def set_search_name(self) -> None:
        """Fill ``search_name`` (``save`` does, with its words; a bulk writer calls it, and ``write_words``, itself)."""
        self.search_name = house_key(self.street, self.number)[:SEARCH_KEY_LENGTH]

    def save(self, *args: Any, **kwargs: Any) -> None:
        key = house_key(self.street, self.number)[:SEARCH_KEY_LENGTH]
        save_with_words(self, key, ("street", "number"), super().save, args, kwargs)

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> Any:
        # The key as stored, for ``save_with_words`` (None when read without it).
        record = super().from_db(db, field_names, values)
        setattr(record, "_saved_key", record.__dict__.get("search_name"))  # noqa: B010
        return record


class GardenTree(models.Model):
    house = models.ForeignKey(House, on_delete=models.CASCADE, related_name="trees")
    kind = models.CharField(max_length=16, choices=TreeKind.choices)
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["house", "kind"], name="garden_tree_kind")]

    def __str__(self) -> str:
        return f"{self.kind} × {self.count}"


class Household(Stamped):
    village = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="households")
    house = models.ForeignKey(
        House, null=True, blank=True, on_delete=models.PROTECT, related_name="households"
    )
    name = models.CharField(max_length=200, help_text=_("Usually the family name"))
    notes = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH)
    search_name = models.CharField(max_length=SEARCH_KEY_LENGTH, blank=True, db_index=True)

    class Meta:
        ordering = ["village", "name"]

    def __str__(self) -> str:
        return self.name

    def set_search_name(self) -> None:
        """Fill ``search_name`` (``save`` does, with its words; a bulk writer calls it, and ``write_words``, itself)."""
        self.search_name = search_key(self.name)[:SEARCH_KEY_LENGTH]

    def save(self, *args: Any, **kwargs: Any) -> None:
        key = search_key(self.name)[:SEARCH_KEY_LENGTH]
        save_with_words(self, key, ("name",), super().save, args, kwargs)

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> Any:
        # The key as stored, for ``save_with_words`` (None when read without it).
        record = super().from_db(db, field_names, values)
        setattr(record, "_saved_key", record.__dict__.get("search_name"))  # noqa: B010
        return record


# The fields of a person that their status spans depend on or copy.
SPAN_FACTS = frozenset({"household", "household_id", "sex", "birth_year"})


class Person(Stamped):
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="members")
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices)
    birth_year = models.PositiveSmallIntegerField()
    relation = models.CharField(max_length=16, choices=Relation.choices, default=Relation.OTHER)
    # E.164, normalised by ``phonenumbers`` in the service layer.
    phone = models.CharField(max_length=20, blank=True)
    # Given and family name together: "Ҷамшед Раҳимов" is found by "jamshed" and by "rahimov".
    search_name = models.CharField(max_length=SEARCH_KEY_LENGTH, blank=True, db_index=True)

    class Meta:
        ordering = ["household", "birth_year", "given_name"]
        indexes = [
            # The API's order of persons: a page of a common state walks it (see
            # ``queries.persons_in_state``).
            models.Index(fields=["family_name", "given_name", "id"], name="person_name_order"),
        ]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    def set_search_name(self) -> None:
        """Fill ``search_name`` (``save`` does, with its words; a bulk writer calls it, and ``write_words``, itself)."""
        self.search_name = person_key(self.given_name, self.family_name)[:SEARCH_KEY_LENGTH]

    def _facts(self) -> tuple[Any, ...]:
        """What the person's status spans copy of them (besides what their events say)."""
        return (
            self.__dict__.get("household_id"),
            self.__dict__.get("sex"),
            self.__dict__.get("birth_year"),
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        key = person_key(self.given_name, self.family_name)[:SEARCH_KEY_LENGTH]
        # The spans copy the household, sex and birth year (and a birth year moves the
        # statuses): a save that changes one of them rewrites the spans in its transaction.
        update_fields = kwargs.get("update_fields")
        facts = self._facts()
        respan = not self._state.adding and getattr(self, "_saved_facts", None) != facts
        if update_fields is not None and not SPAN_FACTS & set(update_fields):
            respan = False
        if not respan:
            save_with_words(self, key, ("given_name", "family_name"), super().save, args, kwargs)
        else:
            using = kwargs.get("using") or router.db_for_write(Person, instance=self)
            with transaction.atomic(using=using):
                save_with_words(
                    self, key, ("given_name", "family_name"), super().save, args, kwargs
                )
                # Imported here: the spans module is built on these models.
                from keyholder.registry.spans import rewrite_spans

                rewrite_spans(self, list(self.events.order_by()))
        setattr(self, "_saved_facts", facts)  # noqa: B010

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> Any:
        # The key as stored, for ``save_with_words`` (None when read without it), and the
        # facts the spans copy, for ``save``.
        record = super().from_db(db, field_names, values)
        setattr(record, "_saved_key", record.__dict__.get("search_name"))  # noqa: B010
        setattr(record, "_saved_facts", record._facts())  # noqa: B010
        return record

    @property
    def full_name(self) -> str:
        return str(self)


def save_with_words(
    record: House | Household | Person,
    key: str,
    name_fields: tuple[str, ...],
    save: Any,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> None:
    """Save ``record`` with its search key ``key`` and its rows in its word table, in one
    transaction: a search never finds a record by a name it no longer has.

    The words are rewritten only when the key changed since the record was read (or when it
    was read without its key), so that saving a record for another field costs nothing more.
    """
    update_fields = kwargs.get("update_fields")
    if update_fields is not None:
        if not {"search_name", *name_fields} & set(update_fields):
            save(*args, **kwargs)
            return
        kwargs["update_fields"] = {*update_fields, "search_name"}
    record.search_name = key
    changed = record._state.adding or getattr(record, "_saved_key", None) != key
    using = kwargs.get("using") or router.db_for_write(type(record), instance=record)
    with transaction.atomic(using=using):
        save(*args, **kwargs)
        if changed:
            write_words(type(record), [(record.pk, key)], replace=True, using=using)
    setattr(record, "_saved_key", key)  # noqa: B010


def write_words(
    model: type[House | Household | Person],
    keys: list[tuple[Any, str]],
    *,
    replace: bool,
    using: str = "default",
) -> int:
    """Write the word rows of records of ``model`` from their (pk, search key) pairs; with
    ``replace``, their old rows are deleted first. (The bulk writers write the same rows with
    their own inserts.)"""
    word_model, owner = WORD_TABLES[model]
    if replace:
        word_model.objects.using(using).filter(**{f"{owner}__in": [pk for pk, _ in keys]}).delete()
    rows: list[Any] = [
        word_model(word=word, **{owner: pk}) for pk, key in keys for word in search_words(key)
    ]
    word_model.objects.using(using).bulk_create(rows, batch_size=2000)
    return len(rows)


class PersonWord(models.Model):
    """One word of a person's search key (given and family name), with the person."""

    word = WordField(max_length=SEARCH_KEY_LENGTH)
    # Indexed by ``person_words`` below.
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+", db_index=False)

    class Meta:
        # A query word is a range on ``word`` (the person id in the index answers it alone);
        # the other words of a query are ranges on ``person_words``, one record at a time.
        indexes = [
            models.Index(fields=["word", "person"], name="person_word"),
            models.Index(fields=["person", "word"], name="person_words"),
        ]

    def __str__(self) -> str:
        return self.word


class HouseholdWord(models.Model):
    """One word of a household's search key (its name), with the household."""

    word = WordField(max_length=SEARCH_KEY_LENGTH)
    # Indexed by ``household_words`` below.
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="+", db_index=False
    )

    class Meta:
        indexes = [
            models.Index(fields=["word", "household"], name="household_word"),
            models.Index(fields=["household", "word"], name="household_words"),
        ]

    def __str__(self) -> str:
        return self.word


class HouseWord(models.Model):
    """One word of a house's search key (street and number), with the house."""

    word = WordField(max_length=SEARCH_KEY_LENGTH)
    # Indexed by ``house_words`` below.
    house = models.ForeignKey(House, on_delete=models.CASCADE, related_name="+", db_index=False)

    class Meta:
        indexes = [
            models.Index(fields=["word", "house"], name="house_word"),
            models.Index(fields=["house", "word"], name="house_words"),
        ]

    def __str__(self) -> str:
        return self.word


WORD_TABLES: dict[type[models.Model], tuple[type[PersonWord | HouseholdWord | HouseWord], str]] = {
    Person: (PersonWord, "person_id"),
    Household: (HouseholdWord, "household_id"),
    House: (HouseWord, "house_id"),
}


class MigrationEvent(Stamped):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    date = models.DateField()
    # ISO 3166-1 alpha-2 of the destination (departed) or of the country acting (deported,
    # entry_ban).
    country = models.CharField(max_length=2, blank=True)
    destination = models.CharField(max_length=200, blank=True, help_text=_("Region or city"))
    purpose = models.CharField(max_length=16, choices=Purpose.choices, blank=True)
    until = models.DateField(null=True, blank=True)
    moved_to = models.ForeignKey(
        "places.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH)

    class Meta:
        ordering = ["person", "date", "created_at"]
        indexes = [
            models.Index(fields=["person", "date"]),
            models.Index(fields=["kind", "date"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.date}"


class EventCorrection(models.Model):
    """An event corrected or removed: what it said before and after, by whom, when and why.

    Kept in the person's history so that a correction stays visible on their timeline after the
    event itself changed or is gone (``event_id`` is no foreign key: a removed event's row is
    deleted, and ``before`` keeps its facts). The audit log holds the same change as one row.
    """

    class Action(models.TextChoices):
        CORRECTED = "corrected", _("corrected")
        REMOVED = "removed", _("removed")

    # Indexed by ``correction_person`` below.
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="corrections", db_index=False
    )
    event_id = models.UUIDField()
    action = models.CharField(max_length=16, choices=Action.choices)
    # ``services.event_facts`` of the event before the change, and after it (null: removed).
    before = models.JSONField()
    after = models.JSONField(null=True, blank=True)
    reason = models.CharField(max_length=500)
    by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["person", "at", "id"]
        indexes = [models.Index(fields=["person", "at"], name="correction_person")]

    def __str__(self) -> str:
        return f"{self.action} {self.event_id} {self.at:%Y-%m-%d}"


class StatusSpan(models.Model):
    """One stretch of a person's status: derived from their events, never edited by hand.

    Events stay the only truth. The spans of a person are what ``status.replay`` answers on
    every date, cut where the answer changes (``spans.spans_of``); the services rewrite them in
    the same transaction as the event, so a read never sees an event without its spans.
    ``keyholder rebuild_spans`` makes them again from the events after a change of the rules,
    and ``keyholder check_spans`` reports any person whose spans differ from a replay.

    A span holds on ``valid_from <= d < valid_until`` (``valid_until`` null: still open). The
    first span of a person starts on ``SPAN_START``. Household and village are copied from the
    person so that a list by place and state is one indexed range; sex and birth year too, so
    that the indicators read a village's spans without joining its persons (the join was half
    the time of a refresh). ``Person.save`` rewrites a person's spans when any of the four
    changes.
    """

    # Indexed by ``span_person`` below.
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="spans", db_index=False
    )
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    village = models.ForeignKey(
        "places.Place", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    state = models.CharField(max_length=16)
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True)
    # The status itself, as ``status.Status`` holds it.
    since = models.DateField(null=True, blank=True)
    country = models.CharField(max_length=2, blank=True)
    destination = models.CharField(max_length=200, blank=True)
    ban_until = models.DateField(null=True, blank=True)
    ban_country = models.CharField(max_length=2, blank=True)
    # The person's, copied (see above).
    sex = models.CharField(max_length=1, blank=True, default="")
    birth_year = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [
            # Lists and counts of a place by state on a date; valid_until and person in the
            # index so that a count never reads the table.
            models.Index(
                fields=["village", "state", "valid_from", "valid_until", "person"],
                name="span_village_state",
            ),
            # The same for the whole country.
            models.Index(
                fields=["state", "valid_from", "valid_until", "person"], name="span_state"
            ),
            # One person's status on a date.
            models.Index(fields=["person", "valid_from"], name="span_person"),
        ]

    def __str__(self) -> str:
        return f"{self.state} {self.valid_from}..{self.valid_until or ''}"


def upload_path(job: ImportJob, filename: str) -> str:
    # The file is named by the job's UUID: a village's or a family's name in the name the
    # clerk gave it stays out of the file system (the page shows that name from the table).
    suffix = filename.rpartition(".")[2].lower() if "." in filename else ""
    return f"imports/{job.pk}.{suffix if suffix.isalnum() and len(suffix) <= 5 else 'bin'}"


class ImportJob(models.Model):
    """One uploaded registry file: its dry run, then its import, each run by a background job.

    The file is kept under MEDIA_ROOT/imports/ so that the job reads exactly what the dry run
    read. ``plan`` is the dry run's report (counts and, per row, create / exists / refused with
    code, column and message); ``result`` the same for the apply. Only its uploader sees it.
    """

    class Status(models.TextChoices):
        CHECKING = "checking", _("Checking the file")
        CHECKED = "checked", _("Checked: ready to import")
        REFUSED = "refused", _("Refused: the file has bad rows")
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Not imported")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs"
    )
    file = models.FileField(upload_to=upload_path)
    name = models.CharField(max_length=200)
    language = models.CharField(max_length=8)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.CHECKING)
    rows_total = models.PositiveIntegerField(default=0)
    plan = models.JSONField(default=dict)
    result = models.JSONField(default=dict)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name
