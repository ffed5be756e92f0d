"""The ledger of an agreement: charges and payments, with totals per currency.

No exchange rate is invented: a family may pay in roubles for a fee set in somoni, and the
ledger shows both currencies side by side.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from keyholder.keeping.models import Charge, KeepingAgreement, Payment

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Entry:
    date: dt.date
    kind: str  # "charge" or "payment"
    amount: Decimal
    currency: str
    period_end: dt.date | None = None
    method: str = ""
    note: str = ""


@dataclass(frozen=True)
class Totals:
    currency: str
    charged: Decimal
    paid: Decimal

    @property
    def balance(self) -> Decimal:
        """Paid less charged: negative when the family owes."""
        return self.paid - self.charged

    @property
    def arrears(self) -> Decimal:
        return max(ZERO, self.charged - self.paid)


@dataclass
class Ledger:
    entries: list[Entry] = field(default_factory=list)
    totals: list[Totals] = field(default_factory=list)

    @property
    def in_arrears(self) -> bool:
        return any(t.arrears > 0 for t in self.totals)


def build_ledger(
    charges: list[Charge], payments: list[Payment], until: dt.date | None = None
) -> Ledger:
    entries = [
        Entry(c.period_start, "charge", c.amount, c.currency, period_end=c.period_end)
        for c in charges
        if until is None or c.period_start <= until
    ] + [
        Entry(p.paid_on, "payment", p.amount, p.currency, method=p.method, note=p.note)
        for p in payments
        if until is None or p.paid_on <= until
    ]
    entries.sort(key=lambda e: (e.date, e.kind))
    charged: dict[str, Decimal] = defaultdict(lambda: ZERO)
    paid: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for entry in entries:
        (charged if entry.kind == "charge" else paid)[entry.currency] += entry.amount
    currencies = sorted(set(charged) | set(paid))
    return Ledger(entries, [Totals(c, charged[c], paid[c]) for c in currencies])


def ledger_for(agreement: KeepingAgreement, until: dt.date | None = None) -> Ledger:
    return build_ledger(list(agreement.charges.all()), list(agreement.payments.all()), until)
