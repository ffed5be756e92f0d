"""The ledger of an agreement: charges and payments, with one balance in the fee currency.

Each agreement has one fee currency, and its charges are in it. A family may pay in roubles for
a fee in somoni: the payment keeps the amount and currency it came in, with the rate the
keyholder and the owner agreed and the amount it settles in the fee currency
(``Payment.settled_amount``). The balance counts settled amounts only, so there is one balance
and never a second one in another currency. A payment in another currency recorded before rates
existed has no settled amount: it is listed apart ("awaiting a rate") and counts in no balance.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
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
    # The exchange rate agreed for a payment in another currency (fee-currency units per unit).
    rate: Decimal | None = None
    # What the entry counts for in the fee currency: a charge's amount, a payment's settled
    # amount; None for a payment still awaiting its rate.
    settled: Decimal | None = None
    # The balance in the fee currency after this entry (paid less charged).
    balance: Decimal | None = None

    @property
    def converted(self) -> bool:
        return self.rate is not None

    @property
    def rate_text(self) -> str:
        """The rate as people write it: 0.12, not 0.120000."""
        return "" if self.rate is None else format(self.rate.normalize(), "f")


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
    currency: str
    entries: list[Entry] = field(default_factory=list)
    charged: Decimal = ZERO
    paid: Decimal = ZERO

    @property
    def balance(self) -> Decimal:
        return self.paid - self.charged

    @property
    def arrears(self) -> Decimal:
        return max(ZERO, self.charged - self.paid)

    @property
    def in_arrears(self) -> bool:
        return self.arrears > 0

    @property
    def totals(self) -> list[Totals]:
        """The one total in the fee currency (a list, as the API has always answered)."""
        if not self.entries:
            return []
        return [Totals(self.currency, self.charged, self.paid)]

    @property
    def unsettled(self) -> list[Entry]:
        """Payments in another currency with no agreed rate: in no balance."""
        return [e for e in self.entries if e.kind == "payment" and e.settled is None]


def build_ledger(
    currency: str,
    charges: Iterable[Charge],
    payments: Iterable[Payment],
    until: dt.date | None = None,
) -> Ledger:
    entries = [
        Entry(
            c.period_start,
            "charge",
            c.amount,
            c.currency,
            period_end=c.period_end,
            settled=c.amount,
        )
        for c in charges
        if until is None or c.period_start <= until
    ] + [
        Entry(
            p.paid_on,
            "payment",
            p.amount,
            p.currency,
            method=p.method,
            note=p.note,
            rate=p.rate if p.currency != currency else None,
            settled=p.settled_amount,
        )
        for p in payments
        if until is None or p.paid_on <= until
    ]
    entries.sort(key=lambda e: (e.date, e.kind))
    charged = paid = ZERO
    running = []
    for entry in entries:
        if entry.settled is not None:
            if entry.kind == "charge":
                charged += entry.settled
            else:
                paid += entry.settled
        running.append(replace(entry, balance=paid - charged))
    return Ledger(currency, running, charged, paid)


@dataclass(frozen=True)
class AgreementLedger:
    """An agreement's ledger as the API answers it: the schema reads these attributes."""

    agreement: uuid.UUID
    ledger: Ledger

    @property
    def currency(self) -> str:
        return self.ledger.currency

    @property
    def balance(self) -> Decimal:
        return self.ledger.balance

    @property
    def arrears(self) -> Decimal:
        return self.ledger.arrears

    @property
    def totals(self) -> list[Totals]:
        return self.ledger.totals

    @property
    def entries(self) -> list[Entry]:
        return self.ledger.entries


def ledger_for(agreement: KeepingAgreement, until: dt.date | None = None) -> Ledger:
    return build_ledger(
        agreement.fee_currency, agreement.charges.all(), agreement.payments.all(), until
    )


@dataclass(frozen=True)
class Statement:
    """One month of a ledger: the balance brought forward, the month's entries with the running
    balance after each, and the balance carried at the month's end, all in the fee currency."""

    currency: str
    opening: Decimal
    entries: list[Entry]
    closing: Decimal

    @property
    def charges(self) -> list[Entry]:
        return [e for e in self.entries if e.kind == "charge"]

    @property
    def payments(self) -> list[Entry]:
        return [e for e in self.entries if e.kind == "payment"]

    @property
    def arrears(self) -> Decimal:
        return max(ZERO, -self.closing)


def statement(ledger: Ledger, first: dt.date, last: dt.date) -> Statement:
    """The statement of ``ledger`` (built up to ``last`` or further) for ``first``..``last``."""
    opening = ZERO
    month: list[Entry] = []
    for entry in ledger.entries:
        if entry.date < first:
            opening = entry.balance if entry.balance is not None else opening
        elif entry.date <= last:
            month.append(entry)
    closing = month[-1].balance if month and month[-1].balance is not None else opening
    return Statement(ledger.currency, opening, month, closing)


def months_owed(charges: Iterable[tuple[dt.date, Decimal]], paid: Decimal) -> list[dt.date]:
    """The periods (by their first day) not yet covered when payments pay the oldest first."""
    owed = []
    left = paid
    for start, amount in sorted(charges):
        if left >= amount:
            left -= amount
        else:
            left = ZERO
            owed.append(start)
    return owed
