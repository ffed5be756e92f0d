"""Search (issue 11): households and persons by name, phone and house address.

The names are compared as search keys (``core.text``), each word of the query the start of a
word of the key, read from the word tables (``models.PersonWord``). The querysets come scoped
from ``access.py``.

A search in an area (``access.search_villages``) is answered by ``Found``: the word rows carry
their record's village and the names the results are ordered by, so the count and the order of
a page are read from the word index alone, and only the page's records are read, through the
scoped queryset. ``search_households`` and ``search_persons`` narrow any scoped queryset
instead (an owner's household, a list by state), reading each match's record.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import EmptyResultSet
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connections
from django.db.models import (
    CharField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Model,
    OuterRef,
    QuerySet,
    Value,
)
from django.db.models.functions import Concat

from keyholder.core.errors import Code, ServiceError
from keyholder.core.pagination import MAX_LIMIT, Page, after_q, decode_cursor, encode_cursor
from keyholder.core.text import normalise_text, search_key
from keyholder.registry.models import (
    WORD_END,
    WORD_TABLES,
    House,
    Household,
    Person,
    PersonWord,
    phone_word,
)
from keyholder.registry.services import normalise_phone

M = TypeVar("M", bound=Model)

# A query of only digits and phone punctuation, with at least this many digits, is a phone.
PHONE_QUERY = re.compile(r"[\d\s()+\-./]+")
PHONE_DIGITS = 4
# A query longer than any name is cut: it could only find nothing, slowly.
SEARCH_TEXT_LENGTH = 200


@dataclass(frozen=True)
class SearchQuery:
    words: tuple[str, ...]
    phone_digits: str

    @property
    def empty(self) -> bool:
        return not self.words and not self.phone_digits


def parse_search(text: str) -> SearchQuery:
    """The words of a query as search keys, and its digits when it reads as a phone number
    (normalised the way persons' phones are stored, so "0 93 123 45 67" and "+992 93..." both
    match the end of "+992931234567")."""
    text = normalise_text(text or "")[:SEARCH_TEXT_LENGTH]
    digits = ""
    if PHONE_QUERY.fullmatch(text) and sum(c.isdigit() for c in text) >= PHONE_DIGITS:
        try:
            digits = normalise_phone(text).lstrip("+")
        except ServiceError:
            # Not a whole number: its digits, without an international or trunk prefix's zeros.
            digits = "".join(c for c in text if c.isdigit()).lstrip("0")
    return SearchQuery(tuple(search_key(text).split()), digits)


# A word matching at most this many rows is counted exactly when choosing which word of a query
# reads the index first; past it, every such word counts alike (and the longest goes first).
SELECTIVE_ROWS = 2000

# The villages a search is confined to: ids (a list or a subquery of place ids), or None for
# every village (an administrator's search of the whole country).
Villages = Sequence[int] | QuerySet[Any] | None


def _rows(word_model: type[Model], word: str) -> QuerySet[Any]:
    return word_model._default_manager.filter(word__gte=word, word__lt=word + WORD_END)


def _in(rows: QuerySet[Any], villages: Villages, field: str = "village_id") -> QuerySet[Any]:
    return rows if villages is None else rows.filter(**{f"{field}__in": villages})


def _checked_in(rows: QuerySet[Any], villages: Villages, field: str) -> QuerySet[Any]:
    """``rows`` whose ``field`` (a village id of households) is in ``villages``, checked on
    each row the other conditions found rather than read from the village's index: on a
    database without statistics (SQLite) the planner otherwise walked every household of the
    area to test its house against the few an address matched."""
    if villages is None:
        return rows
    village = ExpressionWrapper(F(field) + 0, output_field=IntegerField())
    return rows.alias(found_village=village).filter(found_village__in=villages)


def matching_words(
    model: type[House | Household | Person], words: Iterable[str], villages: Villages = None
) -> QuerySet[Any]:
    """The word rows of records of ``model`` in ``villages`` with, for each query word, a word
    of their search key beginning with it (one row per record and word of the key matched by
    the first query word: a caller wanting records takes distinct owners).

    The word matching the fewest rows is a prefix range on the ``*_word_found`` index (which
    holds the village too); each other word is then checked per record found: on a person's
    row itself, which holds their whole key (" " + key contains " " + word: "Ҷамшед Раҳимов"
    is thousands of rows for either name, and a look-up in another index for each of them
    was most of such a search), else as a range on the ``(owner, word)`` index.
    Intersecting the ranges instead read every house of a district for "кӯчаи" (street), the
    first word of most addresses.
    """
    word_model, owner = WORD_TABLES[model]
    ordered = sorted(set(words), key=len, reverse=True)
    assert ordered, "a search has words"
    if len(ordered) > 1:
        found = {word: _rows(word_model, word)[:SELECTIVE_ROWS].count() for word in ordered}
        ordered.sort(key=lambda word: found[word])
    first, *others = ordered
    rows = _in(_rows(word_model, first), villages)
    if others and word_model is PersonWord:
        rows = rows.alias(found_key=Concat(Value(" "), F("search_name"), output_field=CharField()))
        for word in others:
            rows = rows.filter(found_key__contains=" " + word)
        return rows
    for word in others:
        rows = rows.filter(Exists(_rows(word_model, word).filter(**{owner: OuterRef(owner)})))
    return rows


def matching_ids(model: type[House | Household | Person], words: Iterable[str]) -> QuerySet[Any]:
    """The ids of records of ``model`` matching every query word (``matching_words``)."""
    return matching_words(model, words).values(WORD_TABLES[model][1])


def phone_rows(digits: str, villages: Villages = None) -> QuerySet[PersonWord]:
    """The word rows of persons in ``villages`` whose phone ends with ``digits``: a prefix
    range on their phone's word (``models.phone_word``), never a scan of the phones."""
    return _in(_rows(PersonWord, phone_word(digits)), villages)


# The branches of a search (name, address, phone) are one UNION of ids, read by one ``IN``:
# an OR of several ``IN (subquery)`` made PostgreSQL walk the whole area in name order,
# testing each row against hashed subqueries (0.5 s for a common family name on the Asht
# sample), where one subquery is a semi-join driven by the few ids it gives.


def search_households(households: QuerySet[Household], query: SearchQuery) -> QuerySet[Household]:
    """Households whose name or house address matches, or with a member of that phone."""
    if query.empty:
        return households.none()
    branches: list[QuerySet[Any]] = []
    if query.words:
        branches.append(matching_ids(Household, query.words))
        branches.append(
            Household.objects.filter(house_id__in=matching_ids(House, query.words)).values("pk")
        )
    if query.phone_digits:
        branches.append(
            Person.objects.filter(pk__in=phone_rows(query.phone_digits).values("person_id")).values(
                "household_id"
            )
        )
    return households.filter(pk__in=_union(branches))


def search_persons(persons: QuerySet[Person], query: SearchQuery) -> QuerySet[Person]:
    """Persons whose name, phone or house address matches."""
    if query.empty:
        return persons.none()
    branches: list[QuerySet[Any]] = []
    if query.words:
        branches.append(matching_ids(Person, query.words))
        branches.append(
            Person.objects.filter(household__house_id__in=matching_ids(House, query.words)).values(
                "pk"
            )
        )
    if query.phone_digits:
        branches.append(phone_rows(query.phone_digits).values("person_id"))
    return persons.filter(pk__in=_union(branches))


def _union(branches: list[QuerySet[Any]], *, distinct: bool = False) -> QuerySet[Any]:
    # Without the models' default order: a branch sorted by it joined the village to sort ids.
    first, *others = (branch.order_by() for branch in branches)
    return first.union(*others, all=not distinct) if others else first


# A search in an area, counted and ordered from the word rows.

# The columns every branch of a ``Found`` gives: the record's id and its sort key.
FOUND_ID = "found_id"


class Found(Generic[M]):
    """The records matching a search in an area, in the order of ``ordering`` (field names of
    the model, the last its primary key), a page at a time.

    ``branches(after)`` gives the ways a record is found (name, address, phone), each a query
    of rows ``found_id`` and ``found_1``, ``found_2``... (the sort key), confined to the area and
    to the keys after ``after`` (a cursor's key, or None). Their distinct UNION is counted and
    ordered on those columns alone; only a page's records are then read, through ``records``,
    the scoped queryset of the list: scoping stays ``access.py``'s.

    Behaves as a sequence for ``django.core.paginator.Paginator`` (the place pages) and pages
    by cursor for the API (``page``), in the same cursor format as ``core.pagination``.
    """

    def __init__(
        self,
        records: QuerySet[M],
        ordering: Sequence[str],
        branches: Callable[[Sequence[Any] | None], list[QuerySet[Any]]],
    ) -> None:
        self.records = records
        self.ordering = tuple(ordering)
        self.branches = branches
        self._count: int | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        # The sort key's columns in the UNION, the id last (as ``ordering``).
        return (*(f"found_{i}" for i in range(1, len(self.ordering))), FOUND_ID)

    def _union(self, after: Sequence[Any] | None) -> QuerySet[Any] | None:
        branches = self.branches(after)
        return _union(branches, distinct=True) if branches else None

    def count(self) -> int:
        if self._count is None:
            union = self._union(None)
            self._count = 0 if union is None else union.count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def _keys(self, after: Sequence[Any] | None, start: int, stop: int) -> list[tuple[Any, ...]]:
        """The sort keys (id last) from ``start`` to ``stop`` after ``after``, in order.

        The UNION is counted in the same statement (``COUNT(*) OVER ()``): a first page is one
        read of the word rows, not two."""
        union = self._union(after)
        if union is None:
            self._count = 0
            return []
        connection = connections[union.db]
        try:
            sql, params = union.query.get_compiler(connection=connection).as_sql()
        except EmptyResultSet:
            # Every branch is empty (an area of no village).
            self._count = 0
            return []
        columns = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {columns}, COUNT(*) OVER () FROM ({sql}) found "
                f"ORDER BY {columns} LIMIT %s OFFSET %s",
                [*params, stop - start, start],
            )
            rows = cursor.fetchall()
        if after is None and (rows or start == 0):
            self._count = rows[0][-1] if rows else 0
        # The id as the model gives it (SQLite hands a UUID back as its hex digits).
        pk = self.records.model._meta.pk
        assert pk is not None
        return [(*row[:-2], pk.to_python(row[-2])) for row in rows]

    def _read(self, keys: list[tuple[Any, ...]]) -> list[M]:
        ids = [key[-1] for key in keys]
        by_id = {record.pk: record for record in self.records.filter(pk__in=ids)}
        # A record the scoped queryset does not give is left out, never shown.
        return [by_id[pk] for pk in ids if pk in by_id]

    def __getitem__(self, index: slice) -> list[M]:
        if not isinstance(index, slice) or index.step is not None:
            raise TypeError("a Found is read a page (a slice) at a time")
        start, stop = index.start or 0, index.stop
        if stop is None:
            stop = start + MAX_LIMIT
        return self._read(self._keys(None, start, stop))

    def page(self, cursor: str | None, limit: int) -> Page[M]:
        """A page of at most ``limit`` records after ``cursor`` (as ``core.pagination.paginate``
        answers, a cursor of either usable by the other)."""
        limit = max(1, min(limit, MAX_LIMIT))
        after = decode_cursor(cursor, len(self.ordering))
        try:
            keys = self._keys(after, 0, limit + 1)
        except (DjangoValidationError, ValueError, TypeError) as exc:
            raise ServiceError(Code.INVALID_CURSOR, field="cursor") from exc
        next_cursor = encode_cursor(keys[limit - 1]) if len(keys) > limit else None
        return Page(count=self.count(), next=next_cursor, results=self._read(keys[:limit]))


def _found(
    rows: QuerySet[Any], fields: Sequence[str], after: Sequence[Any] | None
) -> QuerySet[Any]:
    """``rows`` as a branch of ``Found``: ``fields`` (the sort key's fields of the rows' model,
    the record's id last) named as its columns, after ``after``."""
    if after is not None:
        rows = rows.filter(after_q(fields, tuple(after)))
    *sort, ident = fields
    named = {f"found_{i}": F(name) for i, name in enumerate(sort, start=1)}
    return rows.order_by().values(**named, **{FOUND_ID: F(ident)})


def found_persons(
    records: QuerySet[Person], query: SearchQuery, villages: Villages, ordering: Sequence[str]
) -> Found[Person]:
    """Persons of ``villages`` whose name, phone or house address matches, in ``ordering``
    (family name, given name, id: the order of the API and the place page)."""
    assert tuple(ordering[:-1]) == ("family_name", "given_name"), "the order the word rows hold"

    def branches(after: Sequence[Any] | None) -> list[QuerySet[Any]]:
        words = ("family_name", "given_name", "person_id")
        persons = ("family_name", "given_name", "id")
        out: list[QuerySet[Any]] = []
        if query.words:
            out.append(_found(matching_words(Person, query.words, villages), words, after))
            houses = matching_words(House, query.words, villages).values("house_id")
            living = _checked_in(
                Person.objects.filter(household__house_id__in=houses),
                villages,
                "household__village_id",
            )
            out.append(_found(living, persons, after))
        if query.phone_digits:
            out.append(_found(phone_rows(query.phone_digits, villages), words, after))
        return out

    return Found(records, ordering, branches)


def found_households(
    records: QuerySet[Household], query: SearchQuery, villages: Villages, ordering: Sequence[str]
) -> Found[Household]:
    """Households of ``villages`` whose name or house address matches, or with a member of
    that phone, in ``ordering`` (name, id)."""
    assert tuple(ordering[:-1]) == ("name",), "the order the word rows hold"

    def branches(after: Sequence[Any] | None) -> list[QuerySet[Any]]:
        words = ("name", "household_id")
        households = ("name", "id")
        out: list[QuerySet[Any]] = []
        if query.words:
            out.append(_found(matching_words(Household, query.words, villages), words, after))
            houses = matching_words(House, query.words, villages).values("house_id")
            living = _checked_in(
                Household.objects.filter(house_id__in=houses), villages, "village_id"
            )
            out.append(_found(living, households, after))
        if query.phone_digits:
            members = Person.objects.filter(
                pk__in=phone_rows(query.phone_digits, villages).values("person_id")
            ).values("household_id")
            out.append(
                _found(
                    _checked_in(Household.objects.filter(pk__in=members), villages, "village_id"),
                    households,
                    after,
                )
            )
        return out

    return Found(records, ordering, branches)
