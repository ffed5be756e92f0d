"""The sample keeping service of a district: keyholders, agreements and a year of care.

Built on the sample registry (``keyholder generate``): one keyholder per sample village, an
agreement for most houses standing vacant today, watering seasons and water turns, a year of
rounds and watering with the visits that fulfilled them (a few missed), some incidents, the fee
charges and the payments that came from abroad. Everything is flagged ``is_sample``.

Rows are written with ``bulk_create``: tasks and visits are planned in memory with the same
schedule rules the services use (``schedule.py``), then inserted in batches.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from keyholder.accounts.models import Channel, Role, User
from keyholder.core.db import analyze
from keyholder.keeping import schedule
from keyholder.keeping.generation import generate_charges, generate_tasks
from keyholder.keeping.models import (
    Duty,
    DutyKind,
    Incident,
    IncidentKind,
    IncidentStatus,
    KeepingAgreement,
    KeyCustody,
    Payment,
    Photo,
    Severity,
    Task,
    TaskStatus,
    Visit,
    WateringSeason,
    WaterTurn,
)
from keyholder.keeping.photos import process_photo
from keyholder.keeping.queries import vacant_house_ids
from keyholder.places.models import Place, PlaceKind, subtree_q
from keyholder.registry.models import House, Household

DEMO_KEYHOLDER = "demo-keyholder"
DEMO_OWNER = "demo-owner"
SAMPLE_PREFIX = "sample-keyholder-"
COVERAGE = 0.85
BATCH = 2000
DEMO_PHOTOS = 12


@dataclass
class KeepingSampleResult:
    keyholders: int = 0
    agreements: int = 0
    owners: int = 0
    visits: int = 0
    tasks: int = 0
    incidents: int = 0
    payments: int = 0
    photos: int = 0


def district_has_agreements(district: Place) -> bool:
    return KeepingAgreement.objects.filter(subtree_q(district, "house__village__")).exists()


def _villages(district: Place) -> list[Place]:
    return list(
        Place.objects.filter(subtree_q(district), kind=PlaceKind.VILLAGE, is_sample=True)
        .filter(houses__isnull=False)
        .distinct()
        .order_by("path")
    )


def _keyholders(villages: list[Place]) -> dict[int, User]:
    """One keyholder per village: the demo keyholder where it is scoped, a sample one elsewhere."""
    by_village: dict[int, User] = {}
    demo = User.objects.filter(username=DEMO_KEYHOLDER, role=Role.KEYHOLDER).first()
    if demo is not None:
        for place in demo.places.all():
            by_village[place.pk] = demo
    existing = {u.username: u for u in User.objects.filter(username__startswith=SAMPLE_PREFIX)}
    new: list[User] = []
    for village in villages:
        if village.pk in by_village:
            continue
        username = SAMPLE_PREFIX + village.code.lower()
        user = existing.get(username)
        if user is None:
            user = User(username=username, role=Role.KEYHOLDER, language="tg")
            # Sample accounts cannot sign in: they only give the demo its other keyholders.
            user.set_unusable_password()
            new.append(user)
        by_village[village.pk] = user
    User.objects.bulk_create(new, batch_size=BATCH)
    # bulk_create on SQLite does not return ids everywhere: read them back by name.
    ids = dict(
        User.objects.filter(username__in=[u.username for u in new]).values_list("username", "pk")
    )
    through = User.places.through
    rows = []
    for village in villages:
        user = by_village[village.pk]
        if user.pk is None:
            user.pk = ids[user.username]
        if user in new:
            rows.append(through(user_id=user.pk, place_id=village.pk))
    through.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
    return by_village


def _season(rng: random.Random, year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 4, rng.randint(1, 15)), dt.date(year, 10, rng.randint(10, 31))


def _turns(rng: random.Random, start: dt.date, end: dt.date) -> list[dt.date]:
    turns, day = [], start + dt.timedelta(days=rng.randint(0, 5))
    while day <= end:
        turns.append(day)
        day += dt.timedelta(days=rng.randint(7, 12))
    return turns


def _fee(rng: random.Random) -> tuple[Decimal, str, str]:
    roll = rng.random()
    if roll < 0.6:
        return Decimal(rng.choice([50, 70, 80, 100, 120, 150])), "TJS", "month"
    if roll < 0.8:
        return Decimal(rng.choice([500, 800, 1000, 1500])), "RUB", "month"
    if roll < 0.9:
        return Decimal(rng.choice([300, 400, 600])), "TJS", "season"
    return Decimal(rng.choice([100, 150, 200])), "USD", "year"


def _visit_time(rng: random.Random, day: dt.date) -> dt.datetime:
    at = dt.datetime.combine(day, dt.time(rng.randint(7, 18), rng.randint(0, 59)))
    return timezone.make_aware(at)


def _checklist(rng: random.Random, kinds: set[str], reading: int) -> dict[str, object]:
    answers: dict[str, object] = {}
    if DutyKind.SECURITY_ROUND in kinds:
        for key in ("doors_windows_locked", "roof_ok", "no_leaks", "no_damp", "no_signs_of_entry"):
            answers[key] = rng.random() > 0.02
        answers["meter_reading"] = str(reading)
    if DutyKind.WATERING in kinds:
        answers["trees_watered"] = True
    return answers


def _photo_bytes(rng: random.Random) -> bytes:
    """A small picture of a house in its garden, drawn, so the demo has photos to show."""
    image = Image.new("RGB", (960, 720), (135, 190, 235))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 430, 960, 720), fill=(110, 150, 70))
    wall = (rng.randint(180, 230), rng.randint(180, 230), rng.randint(170, 220))
    draw.rectangle((300, 260, 660, 520), fill=wall, outline=(60, 60, 60), width=4)
    draw.polygon([(270, 270), (480, 150), (690, 270)], fill=(120, 60, 40))
    draw.rectangle((450, 390, 520, 520), fill=(90, 60, 30))
    for x in range(60, 960, 190):
        draw.ellipse((x, 300, x + 110, 420), fill=(40, 110, 40))
        draw.rectangle((x + 48, 410, x + 62, 470), fill=(90, 60, 30))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


@transaction.atomic
def generate_keeping(
    district: Place, *, seed: int = 1, today: dt.date | None = None
) -> KeepingSampleResult:
    rng = random.Random(f"{seed}:{district.code}:keeping")
    today = today or timezone.localdate()
    result = KeepingSampleResult()
    villages = _villages(district)
    if not villages:
        return result
    keyholders = _keyholders(villages)
    result.keyholders = len({u.pk for u in keyholders.values()})
    vacant = vacant_house_ids([v.pk for v in villages], today)
    houses = list(House.objects.filter(pk__in=vacant).order_by("village_id", "street", "number"))
    demo_owner = User.objects.filter(username=DEMO_OWNER, role=Role.OWNER).first()
    demo_house = (
        Household.objects.filter(pk=demo_owner.household_id)
        .values_list("house_id", flat=True)
        .first()
        if demo_owner is not None and demo_owner.household_id
        else None
    )
    heads = dict(Household.objects.filter(house_id__in=vacant).values_list("house_id", "name"))

    # Seasons and water turns of last year and this year, per village.
    seasons: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    turns: dict[int, list[dt.date]] = defaultdict(list)
    season_rows, turn_rows = [], []
    existing_seasons = set(
        WateringSeason.objects.filter(village__in=villages).values_list("village_id", "year")
    )
    for village in villages:
        for year in (today.year - 1, today.year):
            start, end = _season(rng, year)
            seasons[village.pk].append((start, end))
            if (village.pk, year) not in existing_seasons:
                season_rows.append(
                    WateringSeason(village=village, year=year, start=start, end=end, is_sample=True)
                )
            for day in _turns(rng, start, end):
                turns[village.pk].append(day)
                turn_rows.append(WaterTurn(village=village, date=day, is_sample=True))
    WateringSeason.objects.bulk_create(season_rows, batch_size=BATCH, ignore_conflicts=True)
    WaterTurn.objects.bulk_create(turn_rows, batch_size=BATCH, ignore_conflicts=True)

    agreements: list[KeepingAgreement] = []
    for house in houses:
        if house.pk != demo_house and rng.random() > COVERAGE:
            continue
        amount, currency, period = _fee(rng)
        agreements.append(
            KeepingAgreement(
                id=uuid.UUID(int=rng.getrandbits(128)),
                house=house,
                keyholder=keyholders[house.village_id],
                start=today - dt.timedelta(days=rng.randint(120, 540)),
                fee_amount=amount,
                fee_currency=currency,
                fee_period=period,
                is_sample=True,
            )
        )
    KeepingAgreement.objects.bulk_create(agreements, batch_size=BATCH)
    result.agreements = len(agreements)
    if demo_owner is not None and demo_house is not None:
        for agreement in agreements:
            if agreement.house_id == demo_house:
                agreement.owners.add(demo_owner)
    result.owners = sample_owners(agreements)

    KeyCustody.objects.bulk_create(
        [
            KeyCustody(
                id=uuid.UUID(int=rng.getrandbits(128)),
                agreement=a,
                label=rng.choice(["Дарвозаи ҳавлӣ", "Дари хона", "Дарвоза ва дари хона"]),
                handed_over_on=a.start,
                handed_over_by=heads.get(a.house_id, ""),
                is_sample=True,
            )
            for a in agreements
        ],
        batch_size=BATCH,
    )

    duties: list[Duty] = []
    for agreement in agreements:
        duties.append(
            Duty(
                id=uuid.UUID(int=rng.getrandbits(128)),
                agreement=agreement,
                kind=DutyKind.SECURITY_ROUND,
                every_days=rng.choice([3, 5, 7, 7]),
                starts_on=agreement.start,
                is_sample=True,
            )
        )
        follows = rng.random() < 0.7
        duties.append(
            Duty(
                id=uuid.UUID(int=rng.getrandbits(128)),
                agreement=agreement,
                kind=DutyKind.WATERING,
                follows_water_turns=follows,
                every_days=None if follows else rng.choice([5, 6, 7]),
                starts_on=agreement.start,
                is_sample=True,
            )
        )
        if rng.random() < 0.3:
            winter = dt.date(today.year if today.month < 3 else today.year + 1, 1, 15)
            duties.append(
                Duty(
                    id=uuid.UUID(int=rng.getrandbits(128)),
                    agreement=agreement,
                    kind=DutyKind.OTHER,
                    title="Барфро аз бом тоза кардан",
                    starts_on=agreement.start,
                    due_date=winter if winter > agreement.start else today,
                    is_sample=True,
                )
            )
    Duty.objects.bulk_create(duties, batch_size=BATCH)

    # A year of care: every task due until yesterday, fulfilled by a visit on its day (most of
    # them), or missed. Tasks of one house due on one day are done in one visit.
    by_agreement: dict[uuid.UUID, list[Duty]] = defaultdict(list)
    for duty in duties:
        by_agreement[duty.agreement_id].append(duty)
    visits: list[Visit] = []
    tasks: list[Task] = []
    yesterday = today - dt.timedelta(days=1)
    for agreement in agreements:
        village_id = agreement.house.village_id
        intervals: list[schedule.Interval] = [(agreement.start, None)]
        diligence = rng.uniform(0.8, 0.98)
        reading = rng.randint(1000, 9000)
        due: dict[dt.date, list[Task]] = defaultdict(list)
        for duty in by_agreement[agreement.pk]:
            spec = schedule.DutyLike(
                duty.kind, duty.every_days, duty.follows_water_turns, duty.starts_on, duty.due_date
            )
            for day in schedule.duty_dates(
                spec, agreement.start, yesterday, intervals, seasons[village_id], turns[village_id]
            ):
                task = Task(
                    id=uuid.UUID(int=rng.getrandbits(128)),
                    duty=duty,
                    agreement=agreement,
                    kind=duty.kind,
                    due_date=day,
                    # Recurring tasks not done become missed when the next one falls due
                    # (``mark_missed`` below); a one-off task not done was simply missed.
                    status=TaskStatus.MISSED if duty.kind == DutyKind.OTHER else TaskStatus.DUE,
                    is_sample=True,
                )
                due[day].append(task)
                tasks.append(task)
        demo = agreement.keyholder.username == DEMO_KEYHOLDER
        for day in sorted(due):
            if rng.random() > diligence:
                continue
            if demo and day >= today - dt.timedelta(days=2):
                # The demo keyholder has not made the last two days' rounds: they show overdue.
                continue
            reading += rng.randint(5, 60)
            arrived = _visit_time(rng, day)
            visit = Visit(
                id=uuid.UUID(int=rng.getrandbits(128)),
                agreement=agreement,
                keyholder=agreement.keyholder,
                checked_in_at=arrived,
                checked_out_at=arrived + dt.timedelta(minutes=rng.randint(10, 45)),
                checklist=_checklist(rng, {t.kind for t in due[day]}, reading),
                is_sample=True,
            )
            visits.append(visit)
            for task in due[day]:
                task.status = TaskStatus.DONE
                task.fulfilled_by = visit
    Visit.objects.bulk_create(visits, batch_size=BATCH)
    Task.objects.bulk_create(tasks, batch_size=BATCH)
    result.visits, result.tasks = len(visits), len(tasks)

    incidents = []
    for agreement in agreements:
        if rng.random() < 0.08:
            severity = rng.choices(Severity.values, weights=[6, 3, 1])[0]
            occurred = today - dt.timedelta(days=rng.randint(1, (today - agreement.start).days))
            incidents.append(
                Incident(
                    id=uuid.UUID(int=rng.getrandbits(128)),
                    agreement=agreement,
                    reported_by=agreement.keyholder,
                    occurred_on=occurred,
                    kind=rng.choice(IncidentKind.values),
                    severity=severity,
                    status=IncidentStatus.RESOLVED
                    if occurred < today - dt.timedelta(days=30)
                    else IncidentStatus.OPEN,
                    cost_amount=Decimal(rng.randint(5, 80) * 10) if rng.random() < 0.5 else None,
                    cost_currency="TJS",
                    is_sample=True,
                )
            )
            if incidents[-1].cost_amount is None:
                incidents[-1].cost_currency = ""
    Incident.objects.bulk_create(incidents, batch_size=BATCH)
    result.incidents = len(incidents)

    generate_charges(agreements, today=today, is_sample=True)
    result.payments = _payments(rng, agreements, today)
    result.photos = _demo_photos(rng, agreements, visits)
    # The days ahead (and today) get their tasks the way the daily job makes them.
    generate_tasks(agreements, today=today, is_sample=True)
    analyze(KeepingAgreement, Duty, Task, Visit, Incident)
    return result


# The sample families' rouble remittances: 8 roubles for a somoni.
RUB_TO_TJS = Decimal("0.125")
CENT = Decimal("0.01")


def _payments(rng: random.Random, agreements: list[KeepingAgreement], today: dt.date) -> int:
    charges = defaultdict(list)
    for agreement_id, start, amount in (
        KeepingAgreement.objects.filter(pk__in=[a.pk for a in agreements])
        .values_list("pk", "charges__period_start", "charges__amount")
        .order_by("charges__period_start")
    ):
        if start is not None:
            charges[agreement_id].append((start, amount))
    payments = []
    for agreement in agreements:
        # Most families pay every few months; some fall behind.
        behind = rng.random() < 0.15
        owed = Decimal(0)
        rows = charges[agreement.pk]
        for index, (start, amount) in enumerate(rows):
            owed += amount
            last = index == len(rows) - 1
            if behind and index >= len(rows) - 2:
                continue
            if owed and (last or rng.random() < 0.4):
                paid_on = min(today, start + dt.timedelta(days=rng.randint(3, 40)))
                currency, paid, rate = agreement.fee_currency, owed, None
                method = rng.choice(
                    ["remittance_service", "card_transfer", "card_transfer", "cash"]
                )
                if currency == "TJS" and method != "cash" and rng.random() < 0.2:
                    # Sent from Russia in roubles at the rate the family and the keyholder
                    # agreed: the roubles are kept, with the somoni they settle. Sample
                    # payments never lack a rate (see docs/keeping.md, "Money").
                    currency, paid, rate = "RUB", (owed * 8).quantize(Decimal(1)), RUB_TO_TJS
                payments.append(
                    Payment(
                        id=uuid.UUID(int=rng.getrandbits(128)),
                        agreement=agreement,
                        amount=paid,
                        currency=currency,
                        rate=rate,
                        settled_amount=paid if rate is None else (paid * rate).quantize(CENT),
                        paid_on=paid_on,
                        method=method,
                        is_sample=True,
                    )
                )
                owed = Decimal(0)
    Payment.objects.bulk_create(payments, batch_size=BATCH)
    return len(payments)


def _demo_photos(
    rng: random.Random, agreements: list[KeepingAgreement], visits: list[Visit]
) -> int:
    """A few photos on the demo keyholder's latest visits, so the reports show some."""
    demo = {a.pk for a in agreements if a.keyholder.username == DEMO_KEYHOLDER}
    latest = sorted((v for v in visits if v.agreement_id in demo), key=lambda v: v.checked_in_at)[
        -DEMO_PHOTOS:
    ]
    for visit in latest:
        processed = process_photo(_photo_bytes(rng))
        photo = Photo(
            id=uuid.UUID(int=rng.getrandbits(128)),
            visit=visit,
            width=processed.width,
            height=processed.height,
            taken_at=visit.checked_in_at,
            source_sha256=processed.source_sha256,
            is_sample=True,
        )
        photo.image.save(f"{photo.pk}.jpg", ContentFile(processed.content), save=False)
        photo.save(force_insert=True)
    return len(latest)


def sample_owners(agreements: list[KeepingAgreement]) -> int:
    """Give every agreement without an owner one: the house's first household's owner account.

    An owner account of the house that exists already is linked; otherwise a sample account is
    made (no usable password, email to a placeholder address, Tajik or Russian), so what is
    "sent to the owners" in the demo reaches somebody, in the mailbox. Bulk, and run again it
    adds nothing. Returns how many agreements got an owner.
    """
    ids = [a.pk for a in agreements]
    through = KeepingAgreement.owners.through
    owned = set(
        through.objects.filter(keepingagreement_id__in=ids).values_list(
            "keepingagreement_id", flat=True
        )
    )
    wanting = [a for a in agreements if a.pk not in owned]
    households: dict[object, Household] = {}
    for household in Household.objects.filter(house_id__in=[a.house_id for a in wanting]).order_by(
        "name", "id"
    ):
        households.setdefault(household.house_id, household)
    existing: dict[object, int] = {}
    for user_id, house_id in (
        User.objects.filter(
            role=Role.OWNER, is_active=True, household__house_id__in=list(households)
        )
        .order_by("pk")
        .values_list("pk", "household__house_id")
    ):
        existing.setdefault(house_id, user_id)
    new: dict[str, User] = {}
    for agreement in wanting:
        home = households.get(agreement.house_id)
        if home is None or agreement.house_id in existing:
            continue
        tag = agreement.pk.hex[:12]
        user = User(
            username=f"sample-owner-{tag}",
            role=Role.OWNER,
            household=home,
            email=f"owner-{tag}@example.invalid",
            channel=Channel.EMAIL,
            # Two families in five write in Russian from abroad; the rest in Tajik.
            language="ru" if random.Random(agreement.pk.int).random() < 0.4 else "tg",
        )
        user.set_unusable_password()
        new[user.username] = user
    User.objects.bulk_create(new.values(), batch_size=BATCH, ignore_conflicts=True)
    made = dict(User.objects.filter(username__in=list(new)).values_list("username", "pk"))
    rows = []
    for agreement in wanting:
        owner_id = existing.get(agreement.house_id) or made.get(
            f"sample-owner-{agreement.pk.hex[:12]}"
        )
        if owner_id is not None:
            rows.append(through(keepingagreement_id=agreement.pk, user_id=owner_id))
    through.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
    return len(rows)
