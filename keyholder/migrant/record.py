"""The record read as a whole: facts for the calculator, and the export."""

from __future__ import annotations

import datetime as dt
from typing import Any

from keyholder.migrant import calculator as calc
from keyholder.migrant.models import DocumentKind, MigrantProfile, PatentPayment


def load(profile: MigrantProfile) -> dict[str, list[Any]]:
    """Every item of the record, decrypted, in one query per table (sorted in Python: the
    database cannot order ciphertext)."""
    payments = list(PatentPayment.objects.filter(profile=profile))
    by_patent: dict[Any, list[PatentPayment]] = {}
    for payment in payments:
        by_patent.setdefault(payment.patent_id, []).append(payment)
    patents = sorted(profile.patents.all(), key=lambda p: p.issued_on)
    for patent in patents:
        patent.payment_list = sorted(by_patent.get(patent.pk, []), key=lambda p: p.paid_on)  # type: ignore[attr-defined]
    return {
        "trips": sorted(profile.trips.all(), key=lambda t: t.entered_on),
        "registrations": sorted(profile.registrations.all(), key=lambda r: r.registered_on),
        "patents": patents,
        "documents": sorted(profile.documents.all(), key=lambda d: (d.dated, d.kind)),
    }


def facts_of(items: dict[str, list[Any]]) -> calc.Facts:
    docs: dict[str, list[dt.date]] = {}
    for doc in items["documents"]:
        docs.setdefault(doc.kind, []).append(doc.dated)
    return calc.Facts(
        trips=tuple(calc.Trip(t.entered_on, t.exited_on) for t in items["trips"]),
        registrations=tuple(
            calc.Registration(r.registered_on, r.valid_until) for r in items["registrations"]
        ),
        patents=tuple(
            calc.Patent(
                p.issued_on,
                p.region,
                tuple(calc.Payment(x.paid_on, x.months) for x in p.payment_list),
            )
            for p in items["patents"]
        ),
        medical=tuple(docs.get(DocumentKind.MEDICAL, [])),
        fingerprinting=tuple(docs.get(DocumentKind.FINGERPRINTING, [])),
        exam=tuple(docs.get(DocumentKind.EXAM, [])),
        contract_copies=tuple(docs.get(DocumentKind.CONTRACT_COPY, [])),
    )


def assessment_of(profile: MigrantProfile, on: dt.date) -> calc.Assessment:
    return calc.assess(facts_of(load(profile)), on)


def export(profile: MigrantProfile) -> dict[str, Any]:
    """Everything the calendar holds about its user, decrypted, as JSON-ready data."""
    items = load(profile)
    return {
        "format": "keyholder-migrant-export/1",
        "account": {
            "username": profile.user.username,
            "email": profile.user.email,
            "phone": profile.user.phone,
            "language": profile.user.language,
        },
        "settings": {
            "detailed_reminders": profile.detailed_reminders,
            "calendar_feed": bool(profile.feed_token_hash),
            "created_at": profile.created_at.isoformat(),
        },
        "trips": [
            {
                "id": str(t.pk),
                "entered_on": t.entered_on.isoformat(),
                "exited_on": t.exited_on.isoformat() if t.exited_on else None,
                "note": t.note,
            }
            for t in items["trips"]
        ],
        "registrations": [
            {
                "id": str(r.pk),
                "registered_on": r.registered_on.isoformat(),
                "valid_until": r.valid_until.isoformat() if r.valid_until else None,
                "address": r.address,
            }
            for r in items["registrations"]
        ],
        "patents": [
            {
                "id": str(p.pk),
                "region": p.region,
                "issued_on": p.issued_on.isoformat(),
                "number": p.number,
                "payments": [
                    {
                        "id": str(x.pk),
                        "paid_on": x.paid_on.isoformat(),
                        "months": x.months,
                        "amount": x.amount,
                    }
                    for x in p.payment_list
                ],
            }
            for p in items["patents"]
        ],
        "documents": [
            {
                "id": str(d.pk),
                "kind": d.kind,
                "dated": d.dated.isoformat(),
                "number": d.number,
            }
            for d in items["documents"]
        ],
    }
