"""A keyholder takes a house into care from a page; the family's owner accounts are linked."""

from __future__ import annotations

import uuid

from django.urls import reverse

from keyholder.accounts.models import Role
from keyholder.keeping.models import KeepingAgreement
from keyholder.keeping.tests.conftest import days_ago
from keyholder.testing import Cast, make_event, make_household, make_person, make_user, signed_in


def test_it_entrusts_a_house_with_its_owner_and_keys(cast: Cast) -> None:
    make_event(make_person(cast.household), "departed", days_ago(100))
    occupied = make_household(cast.village, "Home")
    make_person(occupied)
    keyholder = signed_in(cast.keyholder)

    page = keyholder.get(reverse("keeping:entrust"))

    assert page.status_code == 200
    html = page.content.decode()
    house, other = str(cast.household.house_id), str(occupied.house_id)
    # Both houses of the village are offered by address, neither marked as empty (whether
    # anyone lives there is the registry's, which a keyholder does not see); the other
    # village's house not at all.
    assert house in html and other in html
    assert "vacant" not in html.lower() and "Karimov" not in html and "Home" not in html
    assert str(cast.other_household.house_id) not in html
    response = keyholder.post(
        reverse("keeping:entrust"),
        {
            "id": str(uuid.uuid4()),
            "house": house,
            "start": days_ago(3).isoformat(),
            "fee_amount": "80",
            "fee_currency": "TJS",
            "fee_period": "month",
            "key_label": "Дарвозаи ҳавлӣ",
            "handed_over_by": "Karim",
        },
    )
    assert response.status_code == 302
    agreement = KeepingAgreement.objects.get()
    assert response["Location"] == reverse("keeping:house", args=[agreement.pk])
    assert list(agreement.owners.all()) == [cast.owner]
    assert agreement.keys.get().label == "Дарвозаи ҳавлӣ"
    assert house not in keyholder.get(reverse("keeping:entrust")).content.decode()
    assert signed_in(cast.owner).get(reverse("keeping:entrust")).status_code == 404


def test_it_links_only_the_active_owner_accounts_of_the_house(cast: Cast) -> None:
    # A closed account of the same family stays unlinked; so does an owner of another house.
    gone = make_user("owner_gone", Role.OWNER, household=cast.household, is_active=False)
    make_user("owner_next_door", Role.OWNER, household=make_household(cast.village, "Nazarov"))
    response = signed_in(cast.keyholder).post(
        reverse("keeping:entrust"),
        {
            "id": str(uuid.uuid4()),
            "house": str(cast.household.house_id),
            "start": days_ago(3).isoformat(),
            "fee_amount": "80",
            "fee_currency": "TJS",
            "fee_period": "month",
        },
    )
    assert response.status_code == 302
    owners = list(KeepingAgreement.objects.get().owners.all())
    assert owners == [cast.owner] and gone not in owners
