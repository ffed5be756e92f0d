"""When each house is under care: the one reading of keeping agreements and their history.

A house is under care on a day when one of its agreements is in force that day, taking its
pauses, resumes and end (``AgreementChange``) into account (``schedule.agreement_intervals``).
The keeping services ask it of one agreement (``generation.intervals_for``); the indicators
(kept and unkept vacant houses) and their reference recomputation ask it of many houses at once,
through ``house_care``, and test a day with ``schedule.is_active_on``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from keyholder.keeping import schedule
from keyholder.keeping.models import AgreementChange, KeepingAgreement


def house_care(
    *, village_ids: Iterable[int] | None = None, house_ids: Iterable[object] | None = None
) -> dict[object, list[schedule.Interval]]:
    """For each house with a keeping agreement (of the villages or houses named, or all), the
    disjoint periods during which it is under care, ends inclusive, the last open when its care
    has no end. Overlapping agreements of one house (an old one ended, a new one begun) count
    once. Two queries, whatever the number of houses."""
    agreements = KeepingAgreement.objects.all()
    if village_ids is not None:
        agreements = agreements.filter(house__village_id__in=list(village_ids))
    if house_ids is not None:
        agreements = agreements.filter(house_id__in=list(house_ids))
    rows = list(agreements.values_list("pk", "house_id", "start", "end", "status"))
    changes: dict[object, list[schedule.ChangeLike]] = defaultdict(list)
    if rows:
        for agreement_id, kind, date in (
            AgreementChange.objects.filter(agreement_id__in=[r[0] for r in rows])
            .order_by("date", "created_at")
            .values_list("agreement_id", "kind", "date")
        ):
            changes[agreement_id].append(schedule.ChangeLike(kind, date))
    by_house: dict[object, list[schedule.Interval]] = defaultdict(list)
    for agreement_id, house_id, start, end, status in rows:
        by_house[house_id].extend(
            schedule.agreement_intervals(start, end, status, changes.get(agreement_id, []))
        )
    return {house: schedule.merge_intervals(intervals) for house, intervals in by_house.items()}
