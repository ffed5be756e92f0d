"""The owner's monthly report: built once as data, shown as a page and printed as a PDF.

``build_owner_report`` reads the month of one agreement; ``render_owner_report_pdf`` prints it
with fpdf2 in the owner's language. The font is DejaVu Sans (it has the Tajik letters ҳ ӯ ғ қ ҷ
ӣ), installed from the npm registry into node_modules and never committed; the
``PDF_FONT`` setting (``KEYHOLDER_PDF_FONT``) may name another TTF file.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from keyholder.core.dates import add_months, month_end
from keyholder.core.errors import Code, ServiceError
from keyholder.keeping import checklist
from keyholder.keeping.ledger import ZERO, Entry, Statement, Totals, ledger_for, statement
from keyholder.keeping.models import (
    DutyKind,
    Incident,
    KeepingAgreement,
    Photo,
    Task,
    TaskStatus,
    Visit,
)

if TYPE_CHECKING:
    from fpdf import FPDF

PHOTOS_IN_REPORT = 4
# fpdf2 subsets the font with fontTools, which logs every glyph at INFO: noise in the worker log.
logging.getLogger("fontTools").setLevel(logging.WARNING)


def parse_month(value: str) -> dt.date:
    try:
        month = dt.datetime.strptime(value, "%Y-%m").date()
    except ValueError as exc:
        raise ServiceError(Code.KEEPING_BAD_MONTH, field="month", value=value) from exc
    return month


@dataclass(frozen=True)
class DueDone:
    """Tasks due in the month: ``done`` on time, ``late`` (done after they counted as missed)."""

    due: int
    done: int
    late: int = 0

    @property
    def missed(self) -> int:
        return self.due - self.done - self.late


@dataclass(frozen=True)
class VisitLine:
    visit_id: str
    checked_in_at: dt.datetime
    checked_out_at: dt.datetime | None
    task_kinds: list[str]
    problems: list[str]
    meter_reading: str
    notes: str
    photo_count: int
    # The same problems as checklist keys, so the PDF prints them in the owner's language.
    problem_keys: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class IncidentLine:
    incident_id: str
    occurred_on: dt.date
    kind: str
    kind_label: str
    severity: str
    severity_label: str
    status_label: str
    notes: str
    cost: str


@dataclass
class OwnerReport:
    agreement_id: str
    house: str
    village: str
    keyholder: str
    month: dt.date
    rounds: DueDone
    watering: DueDone
    other: DueDone
    visits: list[VisitLine] = field(default_factory=list)
    incidents: list[IncidentLine] = field(default_factory=list)
    photo_ids: list[str] = field(default_factory=list)
    charges: list[Entry] = field(default_factory=list)
    payments: list[Entry] = field(default_factory=list)
    totals: list[Totals] = field(default_factory=list)
    statement: Statement | None = None

    @property
    def month_end(self) -> dt.date:
        return month_end(self.month)

    @property
    def key(self) -> str:
        return f"{self.month:%Y-%m}"


def _due_done(tasks: list[Task], kind: str) -> DueDone:
    of_kind = [t for t in tasks if t.kind == kind]
    done = [t for t in of_kind if t.status == TaskStatus.DONE]
    late = sum(1 for t in done if t.done_late)
    return DueDone(len(of_kind), len(done) - late, late)


def report_months(agreement: KeepingAgreement, today: dt.date | None = None) -> list[dt.date]:
    """The months that have a report, newest first: from the start to this month."""
    today = today or timezone.localdate()
    last = min(today, agreement.end or today).replace(day=1)
    months = []
    day = agreement.start.replace(day=1)
    while day <= last:
        months.append(day)
        day = add_months(day, 1)
    return months[::-1]


def build_owner_report(agreement: KeepingAgreement, month: dt.date) -> OwnerReport:
    """Everything the owner should know about one month of care, in plain data."""
    first = month.replace(day=1)
    last = month_end(first)
    # In the month still running, tasks planned for the days ahead are not due yet.
    last_due = min(last, timezone.localdate())
    tasks = list(
        Task.objects.filter(agreement=agreement, due_date__gte=first, due_date__lte=last_due).only(
            "kind", "status", "done_late"
        )
    )
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    stop = timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min))
    visits = list(
        Visit.objects.filter(agreement=agreement, checked_in_at__gte=start, checked_in_at__lt=stop)
        .prefetch_related("tasks", "photos")
        .order_by("checked_in_at")
    )
    incidents = list(
        Incident.objects.filter(
            agreement=agreement, occurred_on__gte=first, occurred_on__lte=last
        ).order_by("occurred_on")
    )
    photos = list(
        Photo.objects.filter(visit__in=visits).order_by("-created_at")[:PHOTOS_IN_REPORT]
    ) or list(Photo.objects.filter(incident__in=incidents)[:PHOTOS_IN_REPORT])
    ledger = ledger_for(agreement, until=last)
    account = statement(ledger, first, last)
    house = agreement.house
    return OwnerReport(
        agreement_id=str(agreement.pk),
        house=str(house),
        village=house.village.name,
        keyholder=agreement.keyholder.get_full_name() or agreement.keyholder.username,
        month=first,
        rounds=_due_done(tasks, DutyKind.SECURITY_ROUND),
        watering=_due_done(tasks, DutyKind.WATERING),
        other=_due_done(tasks, DutyKind.OTHER),
        visits=[
            VisitLine(
                visit_id=str(v.pk),
                checked_in_at=v.checked_in_at,
                checked_out_at=v.checked_out_at,
                task_kinds=sorted({t.kind for t in v.tasks.all()}),
                # Said as the problem found ("Signs of entry found"), never the item's label.
                problems=[str(item.problem_label) for item in checklist.problems(v.checklist)],
                problem_keys=[item.key for item in checklist.problems(v.checklist)],
                meter_reading=str(v.checklist.get("meter_reading", "")),
                notes=v.notes,
                photo_count=len(v.photos.all()),
            )
            for v in visits
        ],
        incidents=[
            IncidentLine(
                incident_id=str(i.pk),
                occurred_on=i.occurred_on,
                kind=i.kind,
                kind_label=str(i.get_kind_display()),
                severity=i.severity,
                severity_label=str(i.get_severity_display()),
                status_label=str(i.get_status_display()),
                notes=i.notes,
                cost=f"{i.cost_amount} {i.cost_currency}" if i.cost_amount is not None else "",
            )
            for i in incidents
        ],
        photo_ids=[str(p.pk) for p in photos],
        charges=account.charges,
        payments=account.payments,
        totals=ledger.totals,
        statement=account,
    )


def money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}".replace(",", " ")


def font_path(bold: bool = False) -> Path:
    configured = settings.PDF_FONT
    if configured and not bold:
        path = Path(configured)
    else:
        name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
        path = Path(settings.NODE_MODULES) / "dejavu-fonts-ttf" / "ttf" / name
        if bold and not path.exists():
            return font_path(False)
    if not path.exists():
        raise ImproperlyConfigured(
            f"The PDF font {path} is missing: run `npm ci` (package dejavu-fonts-ttf) "
            "or set KEYHOLDER_PDF_FONT to a TTF file with Cyrillic and Tajik letters."
        )
    return path


@cache
def _report_pdf_class() -> Callable[[str], FPDF]:
    """fpdf2 (with fontTools) is imported when the first PDF is drawn, not when the app
    starts: it is a second of every process start (web server, worker, each command)."""
    from fpdf import FPDF

    class ReportPDF(FPDF):
        def __init__(self, footer_text: str) -> None:
            super().__init__(format="A4")
            self.footer_text = footer_text

        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("body", size=8)
            self.set_text_color(90, 90, 90)
            self.cell(0, 6, f"{self.footer_text} · {self.page_no()}", align="C")

    return ReportPDF


def _visit_line(line: VisitLine) -> str:
    kinds = ", ".join(str(DutyKind(k).label) for k in line.task_kinds) or _("Visit")
    when = date_format(timezone.localtime(line.checked_in_at), "j E, H:i")
    parts = [f"{when}: {kinds}"]
    if line.problem_keys:
        problems = [
            str(checklist.ITEMS[k].problem_label or checklist.ITEMS[k].label)
            for k in line.problem_keys
            if k in checklist.ITEMS
        ]
        parts.append(_("✗ Problem found: %(items)s") % {"items": "; ".join(problems)})
    else:
        parts.append(_("✓ All checks in order"))
    if line.meter_reading:
        parts.append(_("meter %(reading)s") % {"reading": line.meter_reading})
    if line.photo_count:
        parts.append(
            ngettext("%(count)d photo", "%(count)d photos", line.photo_count)
            % {"count": line.photo_count}
        )
    text = "; ".join(parts)
    return f"{text}. {line.notes}" if line.notes else text


def _statement_lines(report: OwnerReport, line: Callable[[str], None]) -> None:
    """The month's statement: brought forward, each charge and payment (a payment in another
    currency with what it settled at which rate) with the running balance, and the month's end."""
    account = report.statement
    if account is None or (not account.entries and not report.totals):
        line(_("Nothing charged yet."))
        return
    currency = account.currency
    line(_("Balance brought forward: %(amount)s") % {"amount": money(account.opening, currency)})
    for entry in account.entries:
        values = {
            "date": date_format(entry.date, "j E"),
            "amount": money(entry.amount, entry.currency),
            "balance": money(entry.balance or ZERO, currency),
        }
        if entry.kind == "charge":
            text = _(
                "%(date)s: charge for %(start)s to %(end)s, %(amount)s; balance %(balance)s"
            ) % {
                **values,
                "start": date_format(entry.date, "j E"),
                "end": date_format(entry.period_end or entry.date, "j E Y"),
            }
        elif entry.settled is None:
            text = (
                _(
                    "%(date)s: payment received, %(amount)s, awaiting the exchange rate agreed with "
                    "the owner (not in the balance)"
                )
                % values
            )
        elif entry.converted:
            text = _(
                "%(date)s: payment received, %(amount)s = %(settled)s at %(rate)s; "
                "balance %(balance)s"
            ) % {**values, "settled": money(entry.settled, currency), "rate": entry.rate_text}
        else:
            text = _("%(date)s: payment received, %(amount)s; balance %(balance)s") % values
        line(f"• {text}")
    if account.arrears:
        line(
            _("Balance at the end of the month: %(balance)s. Owed: %(amount)s")
            % {
                "balance": money(account.closing, currency),
                "amount": money(account.arrears, currency),
            }
        )
    else:
        line(
            _("Balance at the end of the month: %(balance)s. Paid up.")
            % {"balance": money(account.closing, currency)}
        )


def render_owner_report_pdf(report: OwnerReport, language: str) -> bytes:
    """Print the report in the owner's language (tg, ru or en) and return the PDF bytes."""
    with translation.override(language):
        pdf = _report_pdf_class()("keyholder")
        pdf.add_font("body", "", str(font_path()))
        pdf.add_font("body", "B", str(font_path(bold=True)))
        pdf.set_title(_("Report on the house %(house)s") % {"house": report.house})
        pdf.set_auto_page_break(auto=True, margin=16)
        pdf.add_page()
        width = pdf.epw

        def heading(text: str, size: int = 13) -> None:
            pdf.ln(2)
            pdf.set_font("body", "B", size)
            pdf.multi_cell(width, 7, text, new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("body", "", 10)

        def line(text: str) -> None:
            pdf.multi_cell(width, 5.5, text, new_x="LMARGIN", new_y="NEXT")

        month_name = date_format(report.month, "F Y")
        heading(_("Report for %(month)s") % {"month": month_name}, 16)
        line(
            _("House: %(house)s, %(village)s") % {"house": report.house, "village": report.village}
        )
        line(_("Keyholder: %(name)s") % {"name": report.keyholder})

        heading(_("Care this month"))
        line(
            _("Visits (security rounds): %(done)d of %(due)d done on time, %(late)d late")
            % vars(report.rounds)
        )
        line(_("Watering: %(done)d of %(due)d done on time, %(late)d late") % vars(report.watering))
        if report.other.due:
            line(
                _("Other tasks: %(done)d of %(due)d done on time, %(late)d late")
                % vars(report.other)
            )
        line(
            ngettext("%(count)d visit recorded", "%(count)d visits recorded", len(report.visits))
            % {"count": len(report.visits)}
        )
        for visit in report.visits:
            line(f"• {_visit_line(visit)}")

        heading(_("Incidents"))
        if not report.incidents:
            line(_("No incidents this month."))
        for incident in report.incidents:
            text = f"• {date_format(incident.occurred_on, 'j E')}: {incident.kind_label}, "
            text += f"{incident.severity_label}, {incident.status_label}"
            if incident.cost:
                text += "; " + _("cost %(cost)s") % {"cost": incident.cost}
            if incident.notes:
                text += f". {incident.notes}"
            line(text)

        heading(_("Fees and payments"))
        _statement_lines(report, line)

        if report.photo_ids:
            heading(_("Photos"))
            _add_photos(pdf, report.photo_ids)
        return bytes(pdf.output())


def _add_photos(pdf: FPDF, photo_ids: list[str]) -> None:
    size = (pdf.epw - 6) / 2
    x0 = pdf.l_margin
    for index, photo in enumerate(Photo.objects.filter(pk__in=photo_ids)):
        if index % 2 == 0 and pdf.get_y() + size > pdf.h - 20:
            pdf.add_page()
        y = pdf.get_y()
        with photo.image.open("rb") as handle:
            data = io.BytesIO(handle.read())
        x = x0 + (index % 2) * (size + 6)
        pdf.image(data, x=x, y=y, w=size, h=size, keep_aspect_ratio=True)
        if index % 2 == 1:
            pdf.set_y(y + size + 4)
    if len(photo_ids) % 2 == 1:
        pdf.set_y(pdf.get_y() + size + 4)
