"""SQL-heavy reads of the keeping service in one place: the today page, the keyholder's arrears
and the officer's counts."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum

from keyholder.accounts.access import area_q, is_authenticated
from keyholder.accounts.models import AuditLog, Role, User
from keyholder.accounts.services import audit
from keyholder.keeping.access import agreements_for, charges_for, payments_for, tasks_for
from keyholder.keeping.ledger import ZERO, months_owed
from keyholder.keeping.models import AgreementStatus, KeepingAgreement, Task, TaskStatus
from keyholder.registry.models import House, Household, Person
from keyholder.registry.queries import IN_VILLAGE_KINDS, last_kind_on


def _number_key(number: str) -> tuple[int, str]:
    # House numbers such as "12a" sort after "12" and before "13".
    match = re.match(r"\d+", number or "")
    return (int(match.group()) if match else 10**9, number or "")


@dataclass
class HouseRow:
    agreement: KeepingAgreement
    tasks: list[Task] = field(default_factory=list)

    @property
    def overdue(self) -> list[Task]:
        return [t for t in self.tasks if t.is_overdue]  # type: ignore[attr-defined]


@dataclass
class StreetGroup:
    village: str
    street: str
    houses: list[HouseRow] = field(default_factory=list)


def today_round(user: Any, today: dt.date) -> list[StreetGroup]:
    """Due and overdue tasks of the user's houses, grouped by street in the order of the round."""
    tasks = (
        tasks_for(user)
        .filter(status=TaskStatus.DUE, due_date__lte=today)
        .exclude(agreement__status=AgreementStatus.ENDED)
        .select_related("duty", "agreement", "agreement__house", "agreement__house__village")
        .order_by("due_date")
    )
    rows: dict[object, HouseRow] = {}
    for task in tasks:
        task.is_overdue = task.due_date < today  # type: ignore[attr-defined]
        row = rows.setdefault(task.agreement_id, HouseRow(task.agreement))
        row.tasks.append(task)
    groups: dict[tuple[str, str], StreetGroup] = {}
    ordered = sorted(
        rows.values(),
        key=lambda r: (
            r.agreement.house.village.name,
            r.agreement.house.street,
            _number_key(r.agreement.house.number),
        ),
    )
    for row in ordered:
        house = row.agreement.house
        key = (house.village.name, house.street)
        groups.setdefault(key, StreetGroup(house.village.name, house.street)).houses.append(row)
    return list(groups.values())


@dataclass(frozen=True)
class OfficerCounts:
    houses_under_care: int
    vacant_houses: int
    vacant_without_keyholder: int


def officer_counts(user: Any, on: dt.date) -> OfficerCounts | None:
    """Counts for an officer's area: no names, no visits, no notes. None for other roles."""
    if not is_authenticated(user):
        return None
    assert isinstance(user, User)
    if not (user.is_admin or user.role == Role.OFFICER):
        return None
    in_area = area_q(user, "house__village__")
    kept_house_ids = set(
        KeepingAgreement.objects.filter(in_area)
        .exclude(status=AgreementStatus.ENDED)
        .values_list("house_id", flat=True)
    )
    vacant = _vacant(Household.objects.filter(area_q(user, "village__"), house__isnull=False), on)
    return OfficerCounts(
        houses_under_care=len(kept_house_ids),
        vacant_houses=len(vacant),
        vacant_without_keyholder=len(vacant - kept_house_ids),
    )


def vacant_houses(houses: QuerySet[House], on: dt.date) -> QuerySet[House]:
    """The houses where nobody of the households living there lives in the village on ``on``.

    The registry's rule (``HouseholdStatus.vacant``), computed in the database with its
    ``last_kind_on``: a member lives in the village when their last event (bans aside) is none,
    a birth, joining, a return or a deportation. Replaying every member's history in Python
    would take most of a minute for a district.
    """
    living_in = (
        Person.objects.filter(household__house=OuterRef("pk"), birth_year__lte=on.year)
        .annotate(last_kind=last_kind_on(on))
        .filter(Q(last_kind__isnull=True) | Q(last_kind__in=IN_VILLAGE_KINDS))
    )
    return (
        houses.filter(Exists(Household.objects.filter(house=OuterRef("pk"))))
        .annotate(occupied=Exists(living_in))
        .filter(occupied=False)
    )


def _vacant(households: QuerySet[Household], on: dt.date) -> set[object]:
    houses = House.objects.filter(pk__in=households.values("house_id"))
    return set(vacant_houses(houses, on).values_list("pk", flat=True))


def vacant_house_ids(village_ids: list[int], on: dt.date) -> set[object]:
    """The vacant houses of these villages (the sample generator entrusts most of them)."""
    return _vacant(Household.objects.filter(village_id__in=village_ids, house__isnull=False), on)


# The keyholder's arrears across their houses.


@dataclass(frozen=True)
class ArrearsRow:
    agreement: KeepingAgreement
    currency: str
    owed: Decimal
    months: list[dt.date]


def arrears_for(user: Any) -> list[ArrearsRow] | None:
    """The houses of a keyholder (an administrator: all) whose families owe, most owed first,
    with the months not yet covered (payments pay the oldest charges first). Each amount is in
    the agreement's fee currency, from settled amounts only. None for anyone else (404).

    Three queries whatever the number of houses: agreements, charges, settled payments. One
    ``AuditLog`` row (``keeping_arrears``): the list shows what the ledgers say.
    """
    if not is_authenticated(user) or not (user.is_admin or user.role == Role.KEYHOLDER):
        return None
    agreements = {a.pk: a for a in agreements_for(user)}
    charges: dict[Any, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    charged: dict[Any, Decimal] = defaultdict(lambda: ZERO)
    for agreement_id, start, amount in (
        charges_for(user)
        .filter(agreement_id__in=list(agreements))
        .order_by()
        .values_list("agreement_id", "period_start", "amount")
    ):
        charges[agreement_id].append((start, amount))
        charged[agreement_id] += amount
    paid = dict(
        payments_for(user)
        .filter(agreement_id__in=list(charges), settled_amount__isnull=False)
        .order_by()
        .values("agreement_id")
        .annotate(total=Sum("settled_amount"))
        .values_list("agreement_id", "total")
    )
    rows = []
    for agreement_id, total in charged.items():
        settled = paid.get(agreement_id) or ZERO
        if total > settled:
            agreement = agreements[agreement_id]
            rows.append(
                ArrearsRow(
                    agreement,
                    agreement.fee_currency,
                    total - settled,
                    months_owed(charges[agreement_id], settled),
                )
            )
    rows.sort(key=lambda r: (-r.owed, str(r.agreement.house), str(r.agreement.pk)))
    audit(user, AuditLog.Action.READ, "keeping_arrears", user.pk, houses=len(rows))
    return rows
