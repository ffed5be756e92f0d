"""A name, label or title longer than its column is refused with a catalogue code in the user's
language, never a 500 (issue 13). PostgreSQL would raise on a varchar too long and SQLite would
keep it whole: both are run by CI, and the answers are the same.

The API refuses it by the schema (``maxLength``); a service reached some other way, by the check
before every save (core/lengths.py); a page's form, by its ``max_length``. Nothing is written.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DataError
from django.urls import reverse
from django.utils import timezone, translation

from keyholder.core.errors import Code, ServiceError
from keyholder.core.limits import error_for
from keyholder.keeping import services
from keyholder.keeping.models import Incident, KeyCustody
from keyholder.keeping.tests.conftest import Kept
from keyholder.testing import Cast, bearer, signed_in


def test_the_api_refuses_an_over_long_key_label(client, cast: Cast, kept: Kept) -> None:
    url = f"/api/v1/keeping/agreements/{kept.agreement.pk}/keys"
    key = {"label": "к" * 201, "handed_over_on": "2026-01-05", "handed_over_by": "Нигина"}
    response = client.post(
        url,
        key,
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="ru",
        **bearer(cast.keyholder),
    )
    assert response.status_code == 400
    assert response.json()["code"] == Code.INVALID
    assert response.json()["field"] == "label"
    assert not KeyCustody.objects.exists()

    # At the limit it is kept whole.
    key["label"] = "к" * 200
    response = client.post(url, key, content_type="application/json", **bearer(cast.keyholder))
    assert response.status_code == 201
    assert KeyCustody.objects.get().label == "к" * 200


def test_a_service_refuses_an_over_long_label_before_the_database(cast: Cast, kept: Kept) -> None:
    try:
        services.do_record_key(
            actor=cast.keyholder,
            agreement=kept.agreement,
            label="Калиди дарвоза " * 20,
            handed_over_on=dt.date(2026, 1, 5),
            handed_over_by="Нигина",
        )
    except ServiceError as exc:
        assert (exc.code, exc.field, exc.params) == (Code.TEXT_TOO_LONG, "label", {"max": 200})
        with translation.override("tg"):
            assert exc.message == "Майдони «label» аз 200 аломат дарозтар аст: онро кӯтоҳ кунед."
        with translation.override("ru"):
            assert exc.message == "Поле «label» длиннее 200 символов: сократите его."
    else:
        raise AssertionError("an over-long label was saved")
    assert not KeyCustody.objects.exists()


def test_a_page_refuses_an_over_long_note_in_the_users_language(cast: Cast, kept: Kept) -> None:
    incident, _ = services.do_report_incident(
        actor=cast.keyholder,
        agreement=kept.agreement,
        occurred_on=timezone.localdate(),
        kind="leak",
        severity="minor",
    )
    cast.keyholder.language = "ru"
    cast.keyholder.save()
    page = signed_in(cast.keyholder)
    response = page.post(
        reverse("keeping:incident_resolve", args=[incident.pk]),
        {"note": "Починили крышу. " * 300, "cost_currency": "TJS"},
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert response.status_code == 400
    assert "4000" in response.content.decode()
    assert Incident.objects.get(pk=incident.pk).resolution_note == ""


def test_a_text_too_long_that_reaches_postgresql_is_a_400() -> None:
    # PostgreSQL's own words, as psycopg raises them through Django.
    error = error_for(DataError("value too long for type character varying(200)\n"))
    assert error is not None
    assert (error.code, error.status) == (Code.TEXT_TOO_LONG_SOMEWHERE, 400)


def test_postgresqls_own_refusal_is_recognised(cast: Cast) -> None:
    # bulk_create sends no pre_save: on PostgreSQL the column itself refuses the text, with the
    # words error_for knows; SQLite keeps it (nothing to answer).
    from django.db import connection, transaction

    from keyholder.registry.models import House

    if connection.vendor != "postgresql":
        pytest.skip("SQLite keeps a text longer than its column")
    try:
        with transaction.atomic():
            House.objects.bulk_create([House(village=cast.village, street="к" * 201)])
    except DataError as exc:
        error = error_for(exc)
        assert error is not None and error.code == Code.TEXT_TOO_LONG_SOMEWHERE
    else:
        raise AssertionError("PostgreSQL stored a street longer than its column")
    assert not House.objects.filter(street__startswith="ккк").exists()
