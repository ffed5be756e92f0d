"""``keyholder rebuild_spans`` shares the villages among processes on PostgreSQL (issue 10:
"all cores"), mends every stale span whichever process took its village, and says where an
interrupted run resumes; SQLite, and a call inside an open transaction, run in one process."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from keyholder.registry.management.commands.rebuild_spans import done_until
from keyholder.registry.models import StatusSpan
from keyholder.registry.status import State
from keyholder.testing import make_cast, make_event, make_household, make_person


def test_a_run_resumes_after_the_last_village_done_with_every_one_before_it() -> None:
    villages = [(1, "V1"), (2, "V2"), (3, "V3"), (4, "V4")]
    assert done_until(villages, {"V1", "V2", "V4"}) == "V2"
    assert done_until(villages, {"V2", "V3"}) == ""
    assert done_until(villages, {"V1", "V2", "V3", "V4"}) == "V4"


@pytest.mark.django_db(transaction=True)
def test_every_stale_span_is_mended_whichever_process_took_its_village() -> None:
    cast = make_cast()
    persons = []
    for village in (cast.village, cast.village2, cast.other_village):
        household = make_household(village, "Family")
        for number in range(3):
            person = make_person(household, f"P{number}")
            make_event(person, "departed", dt.date(2023, 3, 1))
            persons.append(person)
    # Spans written around the services (or by older rules), in every village.
    StatusSpan.objects.filter(state=State.ABROAD).update(destination="Tver")
    StatusSpan.objects.filter(person=persons[0]).delete()
    out = StringIO()
    call_command("rebuild_spans", "--quiet", "--jobs", "2", stdout=out)
    processes = "2 processes" if connection.vendor == "postgresql" else "1 process"
    assert f"9 persons in 3 villages ({processes})" in out.getvalue()
    call_command("check_spans", "--quiet")
    assert not StatusSpan.objects.filter(destination="Tver").exists()
    assert StatusSpan.objects.filter(state=State.ABROAD).count() == 9
