"""Generation of tasks from duties and of charges from fee schedules: idempotent, in bulk.

Both run daily (``keyholder generate_tasks``) and after anything that changes a schedule (a new
duty, a water turn, a pause). Uniqueness constraints make a rerun or a concurrent run harmless:
rows are inserted with ``ignore_conflicts``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from keyholder.keeping import schedule
from keyholder.keeping.models import (
    AgreementStatus,
    Charge,
    Duty,
    DutyKind,
    KeepingAgreement,
    Task,
    TaskStatus,
    WateringSeason,
    WaterTurn,
)

HORIZON_DAYS = 14
# A daily run looks back a month so that a water turn entered late still gets its task.
LOOKBACK_DAYS = 31
MISSED_AFTER = dt.timedelta(days=7)


def intervals_for(agreement: KeepingAgreement) -> list[schedule.Interval]:
    changes = [schedule.ChangeLike(c.kind, c.date) for c in agreement.changes.all()]
    return schedule.agreement_intervals(agreement.start, agreement.end, agreement.status, changes)


def _agreements(agreements: Iterable[KeepingAgreement] | None) -> QuerySet[KeepingAgreement]:
    qs = KeepingAgreement.objects.select_related("house").prefetch_related("changes")
    if agreements is None:
        return qs.exclude(status=AgreementStatus.ENDED) | qs.filter(
            status=AgreementStatus.ENDED, end__gte=timezone.localdate() - dt.timedelta(days=60)
        )
    return qs.filter(pk__in=[a.pk for a in agreements])


def _seasons_and_turns(
    village_ids: set[int],
) -> tuple[dict[int, list[tuple[dt.date, dt.date]]], dict[int, list[dt.date]]]:
    seasons: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for season in WateringSeason.objects.filter(village_id__in=village_ids):
        seasons[season.village_id].append((season.start, season.end))
    turns: dict[int, list[dt.date]] = defaultdict(list)
    for turn in WaterTurn.objects.filter(village_id__in=village_ids).only("village_id", "date"):
        turns[turn.village_id].append(turn.date)
    return seasons, turns


@transaction.atomic
def generate_tasks(
    agreements: Iterable[KeepingAgreement] | None = None,
    *,
    today: dt.date | None = None,
    horizon_days: int = HORIZON_DAYS,
    since: dt.date | None = None,
    is_sample: bool = False,
) -> int:
    """Create the tasks due from ``since`` (default: a month ago) to today + horizon.

    Tasks no longer due (the agreement was paused or ended, a water turn was removed) are
    deleted while still open; tasks done or missed are history and stay. Returns the number of
    tasks created.
    """
    today = today or timezone.localdate()
    first = since or today - dt.timedelta(days=LOOKBACK_DAYS)
    last = today + dt.timedelta(days=horizon_days)
    agreement_list = list(_agreements(agreements))
    if not agreement_list:
        return 0
    seasons, turns = _seasons_and_turns({a.house.village_id for a in agreement_list})
    duties = Duty.objects.filter(agreement__in=agreement_list, active=True)
    by_agreement: dict[object, list[Duty]] = defaultdict(list)
    for duty in duties:
        by_agreement[duty.agreement_id].append(duty)
    existing: dict[uuid.UUID, dict[dt.date, Task]] = defaultdict(dict)
    for task in Task.objects.filter(
        agreement__in=agreement_list, due_date__gte=first, due_date__lte=last
    ).only("id", "duty_id", "due_date", "status"):
        existing[task.duty_id][task.due_date] = task
    new: list[Task] = []
    stale: list[object] = []
    for agreement in agreement_list:
        intervals = intervals_for(agreement)
        village = agreement.house.village_id
        for duty in by_agreement.get(agreement.pk, []):
            spec = schedule.DutyLike(
                duty.kind, duty.every_days, duty.follows_water_turns, duty.starts_on, duty.due_date
            )
            wanted = set(
                schedule.duty_dates(
                    spec, first, last, intervals, seasons.get(village, []), turns.get(village, [])
                )
            )
            have = existing.get(duty.pk, {})
            new.extend(
                Task(
                    duty=duty,
                    agreement=agreement,
                    kind=duty.kind,
                    due_date=day,
                    is_sample=is_sample,
                )
                for day in sorted(wanted - have.keys())
            )
            stale.extend(
                t.pk for day, t in have.items() if day not in wanted and t.status == TaskStatus.DUE
            )
    if stale:
        Task.objects.filter(pk__in=stale, fulfilled_by__isnull=True).delete()
    Task.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    mark_missed(agreement_list, today)
    return len(new)


def mark_missed(agreements: Iterable[KeepingAgreement], today: dt.date) -> int:
    """A recurring task not done by the time the next one of its duty falls due is missed, and
    so is one left undone for a week (the last watering turn of a season has no successor).

    One-off tasks (snow, the electricity bill) are never superseded: they stay overdue.
    """
    latest: dict[uuid.UUID, dt.date] = {}
    open_tasks = list(
        Task.objects.filter(
            agreement__in=list(agreements), due_date__lte=today, status=TaskStatus.DUE
        )
        .exclude(kind=DutyKind.OTHER)
        .only("id", "duty_id", "due_date")
    )
    recurring_latest = (
        Task.objects.filter(agreement__in=list(agreements), due_date__lte=today)
        .exclude(kind=DutyKind.OTHER)
        .values_list("duty_id", "due_date")
    )
    for duty_id, due in recurring_latest:
        if duty_id not in latest or due > latest[duty_id]:
            latest[duty_id] = due
    stale = today - MISSED_AFTER
    missed = [
        t.pk
        for t in open_tasks
        if t.due_date < latest.get(t.duty_id, t.due_date) or t.due_date < stale
    ]
    if missed:
        Task.objects.filter(pk__in=missed, status=TaskStatus.DUE).update(status=TaskStatus.MISSED)
    return len(missed)


@transaction.atomic
def generate_charges(
    agreements: Iterable[KeepingAgreement] | None = None,
    *,
    today: dt.date | None = None,
    is_sample: bool = False,
) -> int:
    """Charge every fee period that has begun and overlaps a time of care. Idempotent."""
    today = today or timezone.localdate()
    agreement_list = list(_agreements(agreements))
    seasons: dict[int, dict[int, tuple[dt.date, dt.date]]] = defaultdict(dict)
    for season in WateringSeason.objects.filter(
        village_id__in={a.house.village_id for a in agreement_list}
    ):
        seasons[season.village_id][season.year] = (season.start, season.end)
    have = set(
        Charge.objects.filter(agreement__in=agreement_list).values_list(
            "agreement_id", "period_start"
        )
    )
    new = []
    for agreement in agreement_list:
        periods = schedule.fee_periods(
            agreement.fee_period,
            intervals_for(agreement),
            today,
            seasons.get(agreement.house.village_id),
        )
        for start, end in periods:
            if (agreement.pk, start) in have:
                continue
            new.append(
                Charge(
                    agreement=agreement,
                    period_start=start,
                    period_end=end,
                    amount=agreement.fee_amount,
                    currency=agreement.fee_currency,
                    is_sample=is_sample,
                )
            )
    Charge.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    return len(new)
