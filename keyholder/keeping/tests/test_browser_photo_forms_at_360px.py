"""The visit and incident forms in a real browser on a 360 px phone.

- the visit form fits the phone in Tajik and Russian: no element is wider than its box and
  nothing sticks out of the viewport (the checklist's "Not checked" once spilled into "Fine");
- a photo is shrunk on the phone before it is sent (a 3000 x 2000 JPEG goes up small), with its
  capture time read from the original's EXIF, and the position only from the browser;
- an incident form refused by the server (a date in the future) keeps its photo, and sending
  it again attaches the photo to the incident.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import os
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from PIL import Image

from keyholder.keeping.models import Incident, PendingPhoto, Photo
from keyholder.keeping.tests.conftest import Kept
from keyholder.testing import Cast, screenshot

pytestmark = pytest.mark.browser

# Elements wider than their own box, or sticking out of the 360 px viewport.
OVERFLOWS = """() => {
  const bad = [];
  for (const el of document.querySelectorAll("main *")) {
    const style = getComputedStyle(el);
    if (style.display === "none" || style.visibility === "hidden") continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    const name = el.tagName + (el.id ? "#" + el.id : "") + "." + el.className;
    if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0 && style.overflowX !== "auto")
      bad.push(name + " scroll " + el.scrollWidth + ">" + el.clientWidth);
    if (box.left < -1 || box.right > window.innerWidth + 1)
      bad.push(name + " box " + box.left + ".." + box.right);
  }
  return bad;
}"""


def _sign_in(page: Any, live_server: Any, user: Any) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def _big_photo(path: Path) -> Path:
    # Noise, so the JPEG is as heavy as a phone's; EXIF with the capture time.
    image = Image.frombytes("RGB", (3000, 2000), os.urandom(3000 * 2000 * 3))
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = "2026:11:28 09:15:00"
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92, exif=exif.tobytes())
    path.write_bytes(out.getvalue())
    return path


@pytest.mark.parametrize("language", ["tg", "ru"])
def test_the_visit_form_fits_a_360px_phone(
    transactional_db: None,
    live_server: Any,
    browser_page: Any,
    cast: Cast,
    kept: Kept,
    tmp_path: Path,
    language: str,
) -> None:
    page = browser_page
    cast.keyholder.language = language
    cast.keyholder.save()
    _sign_in(page, live_server, cast.keyholder)

    page.goto(f"{live_server.url}/keeping/houses/{kept.agreement.pk}/visit/")
    assert page.locator("html").get_attribute("lang") == language
    page.wait_for_function("document.querySelector('[data-kp-position-row]').hidden === false")
    page.locator(".kp-opts input[value='']").first.check()
    screenshot(page, tmp_path / f"visit-form-{language}.png")

    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.evaluate(OVERFLOWS) == []
    # The three answers of a check stack: none overlaps another.
    boxes = (
        page.locator(".kp-opts")
        .first.locator("label")
        .evaluate_all(
            "els => els.map(e => { const b = e.getBoundingClientRect(); return [b.top, b.bottom]; })"
        )
    )
    assert all(a[1] <= b[0] + 1 for a, b in itertools.pairwise(boxes))


def test_a_photo_is_shrunk_on_the_phone_and_a_refused_incident_keeps_it(
    transactional_db: None,
    live_server: Any,
    browser_page: Any,
    cast: Cast,
    kept: Kept,
    tmp_path: Path,
) -> None:
    page = browser_page
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 39.9512, "longitude": 70.1234})
    _sign_in(page, live_server, cast.keyholder)
    original = _big_photo(tmp_path / "roof.jpg")
    assert original.stat().st_size > 2_000_000
    sent: list[int] = []
    page.on(
        "request",
        lambda r: sent.append(len(r.post_data_buffer or b"")) if r.method == "POST" else None,
    )

    page.goto(f"{live_server.url}/keeping/houses/{kept.agreement.pk}/incident/")
    future = dt.date.today() + dt.timedelta(days=5)
    page.fill("#id_occurred_on", future.isoformat())
    page.fill("#id_notes", "Боми хона чакида истодааст.")
    page.set_input_files("#id_photos", str(original))
    page.check("#id_attach_position")
    page.wait_for_function("document.getElementById('id_latitude').value !== ''")
    page.locator("form[data-kp-photos] button[type=submit]").click()

    # Refused for the date: the page comes back with the photo kept and the words typed.
    page.locator("[data-kept-photos]").wait_for()
    assert "Боми хона" in page.input_value("#id_notes")
    assert sent and sent[0] < 900_000, sent
    pending = PendingPhoto.objects.get()
    assert (pending.width, pending.height) == (1600, 1067)
    assert pending.taken_at is not None and pending.taken_at.day == 28
    # Once the kept photo is drawn (on a loaded machine it may not be yet when the page is).
    kept_photo = page.locator(".kp-kept-photo img")
    kept_photo.evaluate("img => img.decode()")
    assert kept_photo.evaluate("img => img.naturalWidth") == 1600
    screenshot(page, tmp_path / "incident-refused.png")

    page.fill("#id_occurred_on", dt.date.today().isoformat())
    page.locator("form[data-kp-photos] button[type=submit]").click()
    page.wait_for_url(f"**/keeping/houses/{kept.agreement.pk}/")

    incident = Incident.objects.get()
    photo = Photo.objects.get(incident=incident)
    assert photo.pk == pending.pk and photo.width == 1600
    assert (photo.latitude, photo.longitude) == (39.9512, 70.1234)
    assert not PendingPhoto.objects.exists()
    # The house page shows when and where the photo was taken.
    figure = page.locator(f"[data-photo='{photo.pk}']")
    assert figure.locator("[data-taken-at]").count() == 1
    assert "39.95120" in figure.locator("[data-position]").inner_text()
