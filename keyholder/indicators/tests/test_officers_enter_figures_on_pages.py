"""Figures on pages: an officer enters an official figure on a page and sees it beside the
registry's; the public national page of the demo names its coverage in its first screen."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from keyholder.indicators.store import build_all
from keyholder.indicators.tests.dashboard_setup import asht
from keyholder.places.models import OfficialFigure
from keyholder.registry.tests.sampleworld import load_and_generate
from keyholder.testing import Cast

FORM = "/indicators/TJ-SU-ASHT/official/"


def test_an_officer_enters_an_official_figure_and_sees_it_beside_the_registry(
    client: Client, cast: Cast
) -> None:
    asht(cast)
    # The public and an officer of another district may not enter one.
    assert client.get(FORM).status_code == 403
    client.force_login(cast.outsider)
    assert client.get(FORM).status_code == 404
    client.force_login(cast.officer)
    page = client.get("/indicators/TJ-SU-ASHT/").content.decode()
    assert f'href="{FORM}"' in page
    form = client.get(FORM)
    assert form.status_code == 200 and "Migration Service office" in form.content.decode()
    # A date in the future is refused beside its field, and nothing is saved.
    figure = {
        "indicator": "residents_in_labour_migration",
        "value": "26000",
        "qualifier": "about",
        "as_of": "2099-01-01",
        "source": "Migration Service office, Sughd province",
        "source_url": "",
        "note": "",
    }
    refused = client.post(FORM, figure)
    assert refused.status_code == 200 and "field-error" in refused.content.decode()
    assert OfficialFigure.objects.count() == 2
    saved = client.post(FORM, {**figure, "as_of": "2024-06-30"})
    assert saved.status_code == 302 and saved["Location"].endswith("#official")
    html = client.get(saved["Location"]).content.decode()
    # Beside the registry's figure for June 2024 (28 abroad, exact for the officer).
    rows = re.findall(r'<li class="official-row".*?</li>', html, re.S)
    entered = [r for r in rows if re.search(r'class="official-value">[^<]*26\D?000<', r)]
    assert len(entered) == 1 and 'class="registry-value">28<' in entered[0]
    # The same again is a duplicate, shown above the form.
    again = client.post(FORM, {**figure, "as_of": "2024-06-30"})
    assert again.status_code == 200 and OfficialFigure.objects.count() == 3
    # The history lists the new figure first, with who entered it.
    history = client.get(FORM).content.decode()
    body = history[history.index("<tbody>") : history.index("</tbody>")]
    rows = re.findall(r"<tr>.*?</tr>", body, re.S)
    # (Compared within the table's rows: the page elsewhere holds a CSRF token and ids, in
    # which "17" may appear by chance.)
    assert cast.officer.username in rows[0]
    assert any("17" in row for row in rows[1:])


@pytest.mark.django_db
def test_the_public_national_page_names_its_coverage_first(client: Client) -> None:
    # Any registry of Asht makes the coverage "1 of 58 districts": the smallest that has one.
    load_and_generate(scale=0.005)
    build_all()
    html = client.get("/indicators/TJ/").content.decode()
    coverage = re.search(r'<p class="note coverage" id="coverage">(.*?)</p>', html, re.S)
    assert coverage, "no coverage statement"
    # In its first screen: before the headline tiles, right under the title.
    assert html.index('id="coverage"') < html.index('class="tiles"')
    text = coverage.group(1)
    assert re.search(r"\b1\b", text) and "58" in text
    # And a district whose every jamoat is held says nothing of coverage.
    assert 'id="coverage"' in client.get("/indicators/TJ-SU/").content.decode()


def test_shipped_sources_read_in_the_pages_language(client: Client, cast: Cast) -> None:
    from keyholder.places.models import OfficialFigure as Figure

    asht(cast)
    shipped = (
        "Migration Service office, Ministry of Labour, Migration and Employment, Sughd province"
    )
    Figure.objects.filter(place=cast.district).update(source=shipped)
    for language, name in (
        ("ru", "Управление Миграционной службы"),
        ("tg", "Раёсати Хадамоти муҳоҷират"),
        ("en", "Migration Service office, Ministry of Labour"),
    ):
        client.cookies["keyholder_language"] = language
        html = client.get("/indicators/TJ-SU-ASHT/").content.decode()
        assert name in html, language
        if language != "en":
            assert shipped not in html, language
