"""Houses, households, persons and their dated migration events.

A person's status is never stored: it is derived from events (see ``status.py``).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models, router, transaction
from django.utils.translation import gettext_lazy as _

from keyholder.core import effects
from keyholder.core.models import Stamped
from keyholder.core.text import NOTE_MAX_LENGTH, search_key
from keyholder.places.models import district_of
from keyholder.registry.signals import FED_CHANGED, REGISTRY_CHANGED

# A search key (``core.text.search_key``) of the name or address, kept by ``save`` and by the
# bulk writers (sample generator, bench), indexed so that a prefix search reads the index.
SEARCH_KEY_LENGTH = 300


# The words of a search key, one row per (word, record) in a word table (``PersonWord``,
# ``HouseholdWord``, ``HouseWord``): a query word is then a prefix RANGE on an index
# (``queries.matching_ids``), which a B-tree serves, where ``LIKE '% w%'`` on the key read every
# row of the area (2.7 s for one common family name in the Asht sample under load).
WORD_END = chr(0x10FFFF)
# The first character of a phone's word (``phone_word``): never in a search key, and before
# every digit and letter in byte order.
PHONE_MARK = "#"


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

    # The fields its word rows are made of (``word_rows``).
    WORD_FIELDS = ("search_name", "village_id")

    def save(self, *args: Any, **kwargs: Any) -> None:
        key = house_key(self.street, self.number)[:SEARCH_KEY_LENGTH]
        save_with_words(self, key, ("street", "number", "village"), super().save, args, kwargs)

    def word_rows(self) -> list[HouseWord]:
        return [
            HouseWord(word=word, house_id=self.pk, village_id=self.village_id)
            for word in search_words(self.search_name)
        ]

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> Any:
        return remember_words(super().from_db(db, field_names, values))


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

    # The fields its word rows are made of (``word_rows``); its members' rows carry its village.
    WORD_FIELDS = ("search_name", "village_id", "name")

    def save(self, *args: Any, **kwargs: Any) -> None:
        key = search_key(self.name)[:SEARCH_KEY_LENGTH]
        update_fields = kwargs.get("update_fields")
        placed = not self._state.adding and (
            update_fields is None or bool({"village", "house"} & set(update_fields))
        )
        if not placed:
            save_with_words(self, key, ("name", "village"), super().save, args, kwargs)
            return
        using = kwargs.get("using") or router.db_for_write(Household, instance=self)
        with transaction.atomic(using=using):
            before = (
                Household.objects.using(using)
                .filter(pk=self.pk)
                .values_list("village_id", "house_id")
                .first()
            )
            save_with_words(self, key, ("name", "village"), super().save, args, kwargs)
            if before is not None and before != (self.village_id, self.house_id):
                # Moved to another village or house (no service does; a shell or a data
                # migration may): every month of both villages' figures may change, the
                # houses' vacancy with them. They are recomputed, as for a person who moved.
                villages = sorted({before[0], self.village_id})
                effects.announce(REGISTRY_CHANGED, villages, None)

    def word_rows(self) -> list[HouseholdWord]:
        return [
            HouseholdWord(
                word=word, household_id=self.pk, village_id=self.village_id, name=self.name
            )
            for word in search_words(self.search_name)
        ]

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> Any:
        return remember_words(super().from_db(db, field_names, values))


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
    # The district of the household's village (``places.district_of``), a copy kept by
    # ``save`` (and ``Household.save`` when a household moves) and by the bulk writers: a
    # district's persons in name order are one range of ``person_district_names``, where the
    # country's name index holds them two in a hundred, bunched by village. Null only for a
    # village above the district level (there is none in the loaded places).
    district = models.ForeignKey(
        "places.Place", null=True, on_delete=models.DO_NOTHING, related_name="+", db_index=False
    )

    class Meta:
        ordering = ["household", "birth_year", "given_name"]
        indexes = [
            # The API's order of persons: a page of a common state walks it (see
            # ``queries.persons_in_state``), within a district the second.
            models.Index(fields=["family_name", "given_name", "id"], name="person_name_order"),
            models.Index(
                fields=["district", "family_name", "given_name", "id"],
                name="person_district_names",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    def set_search_name(self) -> None:
        """Fill ``search_name`` (``save`` does, with its words; a bulk writer calls it, and ``write_words``, itself)."""
        self.search_name = person_key(self.given_name, self.family_name)[:SEARCH_KEY_LENGTH]

    # The fields its word rows are made of (``word_rows``): the village comes from the
    # household (``Household.save`` moves the rows when the household moves).
    WORD_FIELDS = ("search_name", "household_id", "family_name", "given_name", "phone")

    def _facts(self) -> tuple[Any, ...]:
        """What the person's status spans copy of them (besides what their events say)."""
        return (
            self.__dict__.get("household_id"),
            self.__dict__.get("sex"),
            self.__dict__.get("birth_year"),
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        key = person_key(self.given_name, self.family_name)[:SEARCH_KEY_LENGTH]
        word_fields = ("given_name", "family_name", "household", "phone")
        # The spans copy the household, sex and birth year (and a birth year moves the
        # statuses): a save that changes one of them rewrites the spans in its transaction.
        update_fields = kwargs.get("update_fields")
        facts = self._facts()
        saved = getattr(self, "_saved_facts", None)
        if self._state.adding or saved is None or saved[0] != facts[0]:
            # A new person, or one who changed household: the district of its village.
            self.district_id = district_of(self.household.village)
            if update_fields is not None and "household" in update_fields:
                kwargs["update_fields"] = {*update_fields, "district"}
        respan = not self._state.adding and saved != facts
        if update_fields is not None and not SPAN_FACTS & set(update_fields):
            respan = False
        if not respan:
            save_with_words(self, key, word_fields, super().save, args, kwargs)
        else:
            using = kwargs.get("using") or router.db_for_write(Person, instance=self)
            with transaction.atomic(using=using):
                save_with_words(self, key, word_fields, super().save, args, kwargs)
                # Imported here: the spans module is built on these models.
                from keyholder.registry.spans import rewrite_spans

                rewrite_spans(self, list(self.events.order_by()))
                self._announce_facts(saved, facts)
        setattr(self, "_saved_facts", facts)  # noqa: B010

    def _announce_facts(self, saved: tuple[Any, ...] | None, facts: tuple[Any, ...]) -> None:
        """Tell the apps above (the figures) that the person's facts changed. Within its
        village the change is one of spans, held by the change feed; a person who moved to
        another village takes their events' flows along: both villages are recomputed."""
        villages = {self.household.village_id}
        if saved is not None and saved[0] is not None and saved[0] != facts[0]:
            villages.update(
                Household.objects.filter(pk=saved[0]).values_list("village_id", flat=True)
            )
        topic = FED_CHANGED if len(villages) == 1 else REGISTRY_CHANGED
        effects.announce(topic, sorted(villages), None)

    def word_rows(self) -> list[PersonWord]:
        words = search_words(self.search_name)
        phone = phone_word(self.phone)
        if phone:
            words.append(phone)
        village_id = self.household.village_id
        return [
            PersonWord(
                word=word,
                person_id=self.pk,
                village_id=village_id,
                family_name=self.family_name,
                given_name=self.given_name,
                search_name=self.search_name,
            )
            for word in words
        ]

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> Any:
        # What its word rows were made of, for ``save_with_words``, and the facts the spans
        # copy, for ``save``.
        record = remember_words(super().from_db(db, field_names, values))
        setattr(record, "_saved_facts", record._facts())  # noqa: B010
        return record

    @property
    def full_name(self) -> str:
        return str(self)


def word_state(record: House | Household | Person) -> tuple[Any, ...] | None:
    """The values its word rows are made of (``WORD_FIELDS``), as loaded; None when one of
    them was not read (deferred)."""
    values = record.__dict__
    if any(name not in values for name in record.WORD_FIELDS):
        return None
    return tuple(values[name] for name in record.WORD_FIELDS)


def remember_words(record: Any) -> Any:
    # What its word rows were made of when read, for ``save_with_words``.
    setattr(record, "_saved_words", word_state(record))  # noqa: B010
    return record


def save_with_words(
    record: House | Household | Person,
    key: str,
    word_fields: tuple[str, ...],
    save: Any,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> None:
    """Save ``record`` with its search key ``key`` and its rows in its word table, in one
    transaction: a search never finds a record by a name, phone or village it no longer has.

    The rows are rewritten only when what they are made of (``WORD_FIELDS``: the key, the
    village, the names they are ordered by, a person's phone) changed since the record was
    read (or when it was read without it), so that saving a record for another field costs
    nothing more. A household that moves takes its members' rows along.
    """
    update_fields = kwargs.get("update_fields")
    if update_fields is not None:
        if not {"search_name", *word_fields} & set(update_fields):
            save(*args, **kwargs)
            return
        kwargs["update_fields"] = {*update_fields, "search_name"}
    record.search_name = key
    saved = getattr(record, "_saved_words", None)
    adding = record._state.adding
    using = kwargs.get("using") or router.db_for_write(type(record), instance=record)
    with transaction.atomic(using=using):
        save(*args, **kwargs)
        state = word_state(record)
        if adding or saved is None or saved != state:
            # A record saved for the first time has no rows yet: nothing to delete.
            write_words([record], replace=not adding, using=using)
        if (
            isinstance(record, Household)
            and not adding
            and (saved is None or saved[1] != record.village_id)
        ):
            # Its members' rows, their district and their spans carry its village: they move
            # with it.
            members = Person.objects.using(using).filter(household_id=record.pk)
            PersonWord.objects.using(using).filter(person_id__in=members.values("pk")).exclude(
                village_id=record.village_id
            ).update(village_id=record.village_id)
            members.update(district_id=district_of(record.village))
            StatusSpan.objects.using(using).filter(household_id=record.pk).exclude(
                village_id=record.village_id
            ).update(village_id=record.village_id)
    remember_words(record)


def phone_word(phone: str) -> str:
    """The word of a person's phone in their word table: its digits reversed after
    ``PHONE_MARK``, so that a phone ending with the digits typed is a prefix RANGE on the
    word index like a name (no name word holds the mark). "" without a phone."""
    digits = "".join(c for c in phone or "" if c.isdigit())
    return PHONE_MARK + digits[::-1] if digits else ""


def write_words(
    records: list[Any],
    *,
    replace: bool,
    using: str = "default",
) -> int:
    """Write the word rows of ``records`` (of one model, their ``search_name`` filled); with
    ``replace``, their old rows are deleted first. (The bulk writers write the same rows with
    their own inserts.)"""
    if not records:
        return 0
    word_model, owner = WORD_TABLES[type(records[0])]
    if replace:
        word_model.objects.using(using).filter(
            **{f"{owner}__in": [record.pk for record in records]}
        ).delete()
    rows: list[Any] = [row for record in records for row in record.word_rows()]
    word_model.objects.using(using).bulk_create(rows, batch_size=2000)
    return len(rows)


# A word row carries what a search in an area needs besides the word: the village of its
# record (the area filter) and the names the results are ordered by, so that the count and the
# order of a page are read from the word index alone, and only a page's records are read
# (``queries.Found``). The village is a copy: ``save_with_words`` and the bulk writers keep it.
# ``DO_NOTHING``: a place with records is protected by them, so no row is left behind.


class PersonWord(models.Model):
    """One word of a person's search key (given and family name) or their phone
    (``phone_word``), with the person, their household's village and their names."""

    word = WordField(max_length=SEARCH_KEY_LENGTH)
    # Indexed by ``person_words`` below.
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+", db_index=False)
    village = models.ForeignKey(
        "places.Place", on_delete=models.DO_NOTHING, related_name="+", db_index=False
    )
    family_name = models.CharField(max_length=100, blank=True)
    given_name = models.CharField(max_length=100, blank=True)
    # The person's whole search key: the other words of a query are checked on the row itself
    # (``search.matching_words``).
    search_name = models.CharField(max_length=SEARCH_KEY_LENGTH, blank=True)

    class Meta:
        # A query word is a range on ``word``, and the index holds everything a search in an
        # area reads of the rows (village, order, person, key).
        indexes = [
            models.Index(
                fields=["word", "village", "family_name", "given_name", "person", "search_name"],
                name="person_word_found",
            ),
            models.Index(fields=["person", "word"], name="person_words"),
        ]

    def __str__(self) -> str:
        return self.word


class HouseholdWord(models.Model):
    """One word of a household's search key (its name), with the household, its village and
    its name."""

    word = WordField(max_length=SEARCH_KEY_LENGTH)
    # Indexed by ``household_words`` below.
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    village = models.ForeignKey(
        "places.Place", on_delete=models.DO_NOTHING, related_name="+", db_index=False
    )
    name = models.CharField(max_length=200)

    class Meta:
        indexes = [
            models.Index(
                fields=["word", "village", "name", "household"], name="household_word_found"
            ),
            models.Index(fields=["household", "word"], name="household_words"),
        ]

    def __str__(self) -> str:
        return self.word


class HouseWord(models.Model):
    """One word of a house's search key (street and number), with the house and its village."""

    word = WordField(max_length=SEARCH_KEY_LENGTH)
    # Indexed by ``house_words`` below.
    house = models.ForeignKey(House, on_delete=models.CASCADE, related_name="+", db_index=False)
    village = models.ForeignKey(
        "places.Place", on_delete=models.DO_NOTHING, related_name="+", db_index=False
    )

    class Meta:
        indexes = [
            models.Index(fields=["word", "village", "house"], name="house_word_found"),
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
            # Lists and counts of a place by state on a date, the end before the start: the
            # spans holding on d are two ranges, the open ones (``valid_until`` null, then
            # ``valid_from <= d``) and those ending after d (``queries.holding_parts``); by the
            # start first, a count read every span begun before d (on a recent day, nearly the
            # whole history of the state). valid_from and person in the index so that a count
            # never reads the table.
            models.Index(
                fields=["village", "state", "valid_until", "valid_from", "person"],
                name="span_village_state_end",
            ),
            # The same for the whole country, without the person: a count there reads
            # millions of entries (7.7 M present in the national bench), the shorter the
            # faster; a page of a rare state reads its few persons' ids from the table.
            models.Index(fields=["state", "valid_until", "valid_from"], name="span_state_end"),
            # One person's status on a date.
            models.Index(fields=["person", "valid_from"], name="span_person"),
        ]

    def __str__(self) -> str:
        return f"{self.state} {self.valid_from}..{self.valid_until or ''}"


class SpanChange(models.Model):
    """A span a service removed (``sign`` -1) or added (+1), kept until the analytics store
    has taken it in: the store's change feed.

    ``rewrite_spans`` writes one row for each span of a person that differs between before and
    after a write, in the write's transaction, with the fields the figures read (the store
    never needs the rest; the events a write changed are in ``EventChange``). The store's
    refresh reads the rows, moves its stored series by
    their difference (``indicators.store``) and deletes them in its own transaction; so after
    a day's events it reads the spans of the few households touched, not of every person of
    the villages. Writes that change figures without rewriting spans through the services
    (bulk writers, a household moved, a house changed, deletions) announce their villages for
    a recomputation instead, and ``rebuild_spans`` is followed by a full build. The rows keep
    plain ids, not foreign keys: a change outlives the person it was about until it is taken
    in.
    """

    person_id = models.UUIDField()
    household_id = models.UUIDField()
    village_id = models.BigIntegerField()
    sign = models.SmallIntegerField()
    state = models.CharField(max_length=16)
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True)
    country = models.CharField(max_length=2, blank=True)
    ban_until = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, blank=True, default="")
    birth_year = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    # The fields a span counts by in the figures, in this order (``spans.figure_key``).
    FIGURE_FIELDS = (
        "household_id",
        "village_id",
        "state",
        "valid_from",
        "valid_until",
        "country",
        "ban_until",
        "sex",
        "birth_year",
    )

    def __str__(self) -> str:
        return f"{self.sign:+d} {self.state} {self.valid_from}..{self.valid_until or ''}"


class EventChange(models.Model):
    """An event a service recorded (``sign`` +1), deleted (-1) or corrected (its old facts -1,
    its new +1), kept until the analytics store has taken it in: the change feed's events,
    beside ``SpanChange`` and with the same life. The flows (departures, returns,
    deportations by village, country and month) move by these rows; the village is the
    person's at the time of the write (a person moved to another village announces both
    villages for a recomputation)."""

    person_id = models.UUIDField()
    village_id = models.BigIntegerField()
    sign = models.SmallIntegerField()
    kind = models.CharField(max_length=16)
    country = models.CharField(max_length=2, blank=True)
    date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.sign:+d} {self.kind} {self.date}"


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
