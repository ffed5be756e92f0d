"""Every sample agreement has an owner to send to: ``generate_keeping`` makes an owner account
for each entrusted house (no usable password, a placeholder email, Tajik or Russian)."""

from __future__ import annotations

from django.core.management import call_command

from keyholder.accounts.models import Role, User
from keyholder.keeping.models import KeepingAgreement
from keyholder.keeping.sample import sample_owners
from keyholder.keeping.tests.conftest import days_ago
from keyholder.testing import Cast, make_event, make_household, make_person


def test_every_sample_agreement_gets_an_owner(cast: Cast) -> None:
    away = [make_household(cast.village, f"Away{i}") for i in range(12)]
    away += [make_household(cast.village2, f"Far{i}") for i in range(6)]
    for household in away:
        make_event(make_person(household), "departed", days_ago(400))

    call_command("generate_keeping", "--district", "TJ-SU-ASHT", "--seed", "1")

    agreements = list(KeepingAgreement.objects.prefetch_related("owners"))
    assert len(agreements) >= 10
    assert all(a.owners.exists() for a in agreements)
    made = User.objects.filter(username__startswith="sample-owner-")
    assert made.count() >= 10
    for owner in made:
        assert owner.role == Role.OWNER and not owner.has_usable_password()
        assert owner.channel == "email" and owner.email.endswith("@example.invalid")
        # The owner belongs to the house: the agreement's rule holds for sample data too.
        assert owner.household is not None
        assert owner.owned_agreements.filter(house=owner.household.house).exists()
    assert set(made.values_list("language", flat=True)) == {"tg", "ru"}

    # Run again: nothing new.
    before = made.count()
    assert sample_owners(agreements) == 0
    assert made.count() == before
