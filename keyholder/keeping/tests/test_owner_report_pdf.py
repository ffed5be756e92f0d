"""The monthly owner report PDF holds the house, visits, watering and balance, in Tajik letters."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from keyholder.keeping import services
from keyholder.keeping.models import TaskStatus
from keyholder.keeping.reports import build_owner_report, render_owner_report_pdf
from keyholder.keeping.tests.conftest import STREET, Kept
from keyholder.testing import Cast, jpeg, signed_in


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_pdf_has_the_house_visits_watering_and_balance_in_tajik(cast: Cast, kept: Kept) -> None:
    agreement = kept.agreement
    tasks = list(agreement.tasks.filter(status=TaskStatus.DUE, due_date=kept.today))
    services.do_record_visit(
        actor=cast.keyholder,
        agreement=agreement,
        checked_in_at=timezone.now() - dt.timedelta(minutes=30),
        task_ids=[t.pk for t in tasks],
        checklist_answers={"doors_windows_locked": True, "trees_watered": True},
        photos=[services.PhotoUpload(data=jpeg(size=(800, 600)))],
    )
    services.do_report_incident(
        actor=cast.keyholder,
        agreement=agreement,
        occurred_on=kept.today,
        kind="roof_damage",
        severity="moderate",
        notes="Шифери бом шикаст; ҷӯйбор ғарқ шуд.",
    )
    services.do_record_payment(
        actor=cast.keyholder,
        agreement=agreement,
        amount="30",
        currency="TJS",
        paid_on=kept.today,
        method="remittance_service",
    )
    month = kept.today.replace(day=1)

    report = build_owner_report(agreement, month)
    text = _text(render_owner_report_pdf(report, "tg"))

    assert STREET in text  # кӯчаи Рӯдакӣ: ӯ and ӣ
    assert "Деҳаи 1" in text  # ҳ
    assert "Шифери бом шикаст; ҷӯйбор ғарқ шуд." in text  # ҷ ғ қ
    for letter in "ҳӯғқҷӣ":
        assert letter in text
    rounds, watering = report.rounds, report.watering
    assert (rounds.done, watering.done) == (1, 1)
    in_month = agreement.tasks.filter(due_date__gte=month, due_date__lte=kept.today)
    assert watering.due == in_month.filter(kind="watering").count() >= 1
    assert rounds.due == in_month.filter(kind="security_round").count() >= 1
    # The balance: charged 100 TJS for each month begun since the start, 30 paid.
    charged = sum(c.amount for c in agreement.charges.all())
    assert charged >= Decimal("200")
    balance = f"{Decimal('30') - charged:,.2f} TJS".replace(",", " ")
    assert balance in text
    # The labels, checked in English (the Tajik catalogue is translated in a later pass).
    english = " ".join(_text(render_owner_report_pdf(report, "en")).split())
    assert f"Visits (security rounds): 1 of {rounds.due} done on time, 0 late" in english
    assert f"Watering: 1 of {watering.due} done on time, 0 late" in english
    assert f"Balance at the end of the month: {balance}." in english
    assert "1 photo" in english
    # The month is named in Tajik by Django's own catalogue.
    from django.utils import translation
    from django.utils.formats import date_format

    with translation.override("tg"):
        assert date_format(month, "F Y") in text

    # The owner downloads the same PDF from their report page.
    response = signed_in(cast.owner).get(
        reverse("keeping:owner_report_pdf", args=[agreement.pk, f"{month:%Y-%m}"])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert STREET in _text(response.content)


def test_a_missing_font_is_named_in_the_error(cast: Cast, kept: Kept, settings: Any) -> None:
    settings.PDF_FONT = "/nowhere/NoSuchFont.ttf"
    report = build_owner_report(kept.agreement, kept.today.replace(day=1))
    with pytest.raises(ImproperlyConfigured, match=r"NoSuchFont\.ttf"):
        render_owner_report_pdf(report, "tg")
