"""A full build shares its batches of villages among processes (issue 10: "both cores"), and
the store it writes is the one a single process writes, and the replay's, at every level.
SQLite in memory, and a build inside an open transaction, run in one process: other
processes could not see those rows. The batches' sums over households use
``engine.group_sum``, checked here against a plain loop."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from hypothesis import given, settings
from hypothesis import strategies as st

from keyholder.indicators import store
from keyholder.indicators.engine import group_sum
from keyholder.indicators.models import IndicatorSeries, StoreState
from keyholder.indicators.tests.test_store_equals_replay import assert_store_equals_replay
from keyholder.registry.models import Person
from keyholder.testing import (
    Cast,
    examples,
    make_cast,
    make_event,
    make_household,
    make_person,
)


def _store() -> dict[tuple[str, str, str], list[int]]:
    return {
        (row.place.code, row.indicator, row.dimension): row.values
        for row in IndicatorSeries.objects.select_related("place")
    }


@pytest.mark.django_db(transaction=True)
def test_the_store_of_two_processes_is_the_store_of_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cast = make_cast()
    for number, village in enumerate((cast.village, cast.village2, cast.other_village)):
        for family in range(2):
            household = make_household(village, f"Family{family}")
            stay = make_person(household, "Stays", sex="f", birth_year=1950 + number)
            away = make_person(household, "Goes", birth_year=1995 - family)
            make_event(away, "departed", dt.date(2022, 3 + number, 1), country="RU")
            if family:
                make_event(away, "deported", dt.date(2023, 5, 10))
                make_event(away, "entry_ban", dt.date(2023, 5, 11), until=dt.date(2028, 5, 11))
            else:
                make_event(stay, "departed", dt.date(2024, 1, 15), country="KZ")
                make_event(stay, "returned", dt.date(2024, 9, 2))
    # One household a batch: eight batches, shared by the two processes.
    monkeypatch.setattr(store, "BATCH_HOUSEHOLDS", 1)
    alone, shared = StringIO(), StringIO()
    call_command("build_indicators", "--no-progress", "--jobs", "1", stdout=alone)
    by_one = _store()
    call_command("build_indicators", "--no-progress", "--jobs", "2", stdout=shared)
    assert "(1 process)" in alone.getvalue()
    processes = "2 processes" if connection.vendor == "postgresql" else "1 process"
    assert "3 villages, 8 households" in shared.getvalue()  # six here, two of the cast's
    assert f"({processes})" in shared.getvalue()
    assert _store() == by_one
    assert by_one[("TJ", "departures", "")]
    assert_store_equals_replay(cast)


def _one_abroad_in_each_village(cast: Cast) -> Person:
    """A household in each of the cast's two Asht villages, its one member in Russia since
    March 2023; returns the last of them."""
    for village in (cast.village, cast.village2):
        away = make_person(make_household(village, "Family"), "Goes")
        make_event(away, "departed", dt.date(2023, 3, 1), country="RU")
    return away


@pytest.mark.django_db(transaction=True)
def test_a_batch_failing_in_a_process_leaves_the_store_as_it_was(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cast = make_cast()
    away = _one_abroad_in_each_village(cast)
    call_command("build_indicators", "--no-progress", "--jobs", "1", stdout=StringIO())
    before, built_at = _store(), StoreState.objects.get().built_at
    compute = store._compute_batch

    def failing(ids: list[int], months: int, first: int = 0) -> object:
        if cast.village2.pk in ids:
            raise RuntimeError("disk gone")
        return compute(ids, months, first)

    # Forked after the patch, the pool's processes fail the same way.
    monkeypatch.setattr(store, "BATCH_HOUSEHOLDS", 1)
    monkeypatch.setattr(store, "_compute_batch", failing)
    make_event(away, "returned", dt.date(2024, 3, 1))
    with pytest.raises(RuntimeError, match="disk gone"):
        call_command("build_indicators", "--no-progress", "--jobs", "2", stdout=StringIO())
    assert _store() == before
    assert StoreState.objects.get().built_at == built_at


@pytest.mark.django_db(transaction=True)
def test_the_workers_build_at_the_turn_of_a_month_runs_on_every_core(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cast = make_cast()
    _one_abroad_in_each_village(cast)
    monkeypatch.setattr(store, "BATCH_HOUSEHOLDS", 1)
    store.build_all()
    # The store was built last month: the next refresh builds it whole, as the worker does.
    StoreState.objects.filter(pk=1).update(months=F("months") - 1)
    report = store.refresh_villages([cast.village.pk], dt.date.today())
    assert report is not None and report.full
    assert report.jobs == (2 if connection.vendor == "postgresql" else 1)
    assert_store_equals_replay(cast)


@pytest.mark.django_db
def test_a_build_inside_a_transaction_runs_in_one_process() -> None:
    make_cast()
    out = StringIO()
    call_command("build_indicators", "--no-progress", "--jobs", "4", stdout=out)
    assert "(1 process)" in out.getvalue()


@settings(max_examples=examples(60), deadline=None)
@given(
    st.integers(1, 6).flatmap(
        lambda groups: st.tuples(
            st.just(groups),
            st.lists(st.integers(0, groups - 1), max_size=30),
            st.booleans(),
        )
    ),
    st.integers(1, 5),
)
def test_group_sums_equal_a_plain_loop(case: tuple[int, list[int], bool], months: int) -> None:
    ngroups, labels, ordered = case
    if ordered:
        labels = sorted(labels)
    groups = np.array(labels, dtype=np.int64)
    rng = np.random.default_rng(len(labels) * 7 + months)
    table = rng.integers(0, 2, size=(len(labels), months)).astype(bool)
    expected = np.zeros((ngroups, months), dtype=np.int64)
    for row, group in enumerate(labels):
        expected[group] += table[row]
    assert (group_sum(table, groups, ngroups) == expected).all()
