"""Loading the places twice changes nothing: same rows, same values, no duplicates."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.forms.models import model_to_dict

from keyholder.places.models import OfficialFigure, Place

pytestmark = pytest.mark.django_db


def snapshot() -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    places = [model_to_dict(p) | {"path": p.path} for p in Place.objects.order_by("pk")]
    figures = [
        model_to_dict(f) | {"created_at": f.created_at}
        for f in OfficialFigure.objects.order_by("pk")
    ]
    return places, figures


@pytest.mark.slow
def test_loading_twice_changes_nothing() -> None:
    call_command("load_places", stdout=StringIO())
    first = snapshot()

    out = StringIO()
    call_command("load_places", stdout=out)

    assert snapshot() == first
    assert " created" in out.getvalue()
    assert all(" 0 created, 0 updated" in line for line in out.getvalue().splitlines())
    assert Place.objects.count() == 1 + 5 + 58 + 9
