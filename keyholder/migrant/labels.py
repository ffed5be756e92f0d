"""What the pages, the feed and the reminders call each deadline, flag and rule, in tg/ru/en."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

DEADLINE_LABELS: dict[str, Promise] = {
    "registration": _("Migration registration"),
    "registration_renewal": _("Registration ends: extend it"),
    "patent_apply": _("Apply for a patent"),
    "patent_payment": _("Last paid day of the patent: pay the next month by this day"),
    "patent_reissue": _("Apply to reissue the patent"),
    "contract_copy": _("Give the MVD a copy of the labour contract"),
    "medical": _("Medical examination"),
    "medical_renewal": _("The medical certificate ends"),
    "fingerprinting": _("Fingerprinting and photo"),
    "exam_renewal": _("The Russian exam certificate ends"),
}

RULE_TITLES: dict[str, Promise] = {
    "stay.limit": _("How long you may stay without a patent"),
    "stay.patent_extends": _("A paid patent extends the stay"),
    "registration.deadline": _("Migration registration after entry"),
    "patent.apply_deadline": _("Applying for a patent after entry"),
    "fingerprinting.deadline": _("Fingerprinting and photo after entry"),
    "medical.deadline": _("Medical examination after entry"),
    "contract.copy_deadline": _("Copy of the labour contract to the MVD"),
    "medical.validity": _("Validity of the medical certificate"),
    "exam.validity": _("Validity of the Russian exam certificate"),
    "patent.max_term": _("Longest term of a patent"),
    "patent.lapse_after_last_paid_day": _("A missed patent payment ends the patent"),
    "patent.reissue_window": _("Reissuing a patent after 12 months"),
    "patent.fee.RU-MOW": _("Monthly patent payment: Moscow"),
    "patent.fee.RU-MOS": _("Monthly patent payment: Moscow Oblast"),
    "patent.fee.RU-SPE": _("Monthly patent payment: St Petersburg"),
    "patent.fee.RU-LEN": _("Monthly patent payment: Leningrad Oblast"),
    "entry_ban.overstay": _("Entry ban after an overstay"),
    "entry_ban.after_expulsion": _("Entry ban after expulsion or deportation"),
    "rkl.triggers": _("What puts a person on the register of controlled persons"),
    "rkl.cash_limit": _("Cash limit on the register of controlled persons"),
}

UNIT_LABELS: dict[str, Promise] = {
    "days": _("days"),
    "calendar_days": _("calendar days"),
    "working_days": _("working days"),
    "months": _("months"),
    "years": _("years"),
    "flag": _("applies"),
    "RUB/month": _("roubles a month"),
}

CONFIDENCE_LABELS: dict[str, Promise] = {
    "high": _("high"),
    "medium": _("medium"),
    "low": _("low"),
}

TRIGGER_LABELS: dict[str, Promise] = {
    "stay_exceeded": _("the allowed stay is exceeded"),
    "patent_lapsed": _("the patent has lapsed"),
    "registration_missed": _("no registration in time"),
    "contract_missed": _("the contract copy was not given in time"),
}

# What to do, per flag (and per missed deadline's matter).
ADVICE: dict[str, Promise] = {
    "patent_lapsed": _(
        "A payment was missed, so the patent ended; paying now does not revive it. Check the "
        "patent's status at an official place below, and get advice before your stay becomes "
        "unlawful: you may need to leave Russia or apply anew."
    ),
    "stay_exceeded": _(
        "Your stay is longer than the rules allow. Check at an official place below whether "
        "an entry ban or a place on the register of controlled persons is recorded, and get "
        "advice before you travel: many learn of a ban only at the border."
    ),
    "rkl_risk": _(
        "What your record shows is among the reasons a person is put on the register of "
        "controlled persons. Check yourself at an official place below, with your passport "
        "data and date of birth."
    ),
    "deadline_missed": _(
        "This deadline has passed. Do it as soon as you can, keep the receipt, and check at "
        "an official place below what it means for your stay."
    ),
    "sources_disagree": _(
        "The sources we found disagree about this rule. Both readings are shown; check at an "
        "official place which one applies to you."
    ),
}
