"""The field app's weight over an emulated 2G link: ``make bench`` (or
``python -m bench.field_weight``).

A throwaway SQLite database and static folder under ``var/bench/field/``, the production
settings (DEBUG off, WhiteNoise serving the collected and compressed static files), a keyholder
with one house, and Debian's Chromium through Playwright with CDP
``Network.emulateNetworkConditions`` (400 kbit/s both ways, 400 ms round trip). It signs in
(not counted), then loads /field/ and counts the bytes transferred (encoded, as on the wire)
until the first screen is usable and the service worker has its copy; then one later action
(the sync button: a push of nothing and a pull of no changes) and a reload. Targets: first
load at most 100 KB, a later action at most 15 KB, first screen usable within 5 s.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
VAR = ROOT / "var" / "bench" / "field"
KBIT = 400
RTT_MS = 400


def _django() -> None:
    if VAR.exists():
        shutil.rmtree(VAR)
    VAR.mkdir(parents=True)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "keyholder.settings",
            "KEYHOLDER_DEBUG": "0",
            "KEYHOLDER_VAR_DIR": str(VAR),
            "KEYHOLDER_DATABASE_URL": f"sqlite:///{VAR / 'db.sqlite3'}",
            "KEYHOLDER_SECRET_KEY": "bench-only-" + "x" * 40,
            "KEYHOLDER_ALLOWED_HOSTS": "localhost,127.0.0.1",
            "DJANGO_ALLOW_ASYNC_UNSAFE": "true",
        }
    )
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)


def _world() -> None:
    from django.utils import timezone

    from keyholder.keeping import services
    from keyholder.testing import make_cast

    cast = make_cast()
    today = timezone.localdate()
    house = cast.household.house
    assert house is not None
    agreement, _ = services.do_create_agreement(
        actor=None,
        house=house,
        keyholder=cast.keyholder,
        owners=[cast.owner],
        start=today - dt.timedelta(days=30),
        fee_amount=Decimal("100"),
        fee_currency="TJS",
        fee_period="month",
    )
    services.do_create_duty(
        actor=None,
        agreement=agreement,
        kind="security_round",
        every_days=3,
        starts_on=today - dt.timedelta(days=9),
    )


def _serve() -> tuple[Any, str]:
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadedWSGIServer(("localhost", 0), Quiet)
    server.set_app(get_wsgi_application())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://localhost:{server.server_address[1]}"


def measure() -> dict[str, Any]:
    _django()
    _world()
    server, url = _serve()
    from playwright.sync_api import sync_playwright

    from conftest import launch_chromium
    from keyholder.testing import PASSWORD

    results: dict[str, Any] = {"link": f"{KBIT} kbit/s, {RTT_MS} ms RTT"}
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(viewport={"width": 360, "height": 740})
        page = context.new_page()
        page.goto(f"{url}/signin/")
        page.fill("#id_username", "keyholder")
        page.fill("#id_password", PASSWORD)
        page.locator("main button[type=submit]").click()
        page.wait_for_load_state("networkidle")

        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        throughput = KBIT * 1000 / 8
        cdp.send(
            "Network.emulateNetworkConditions",
            {
                "offline": False,
                "latency": RTT_MS,
                "downloadThroughput": throughput,
                "uploadThroughput": throughput,
            },
        )
        sizes: dict[str, int] = {}
        urls: dict[str, str] = {}

        def on_response(event: dict[str, Any]) -> None:
            urls[event["requestId"]] = event["response"]["url"]

        def on_finished(event: dict[str, Any]) -> None:
            sizes[event["requestId"]] = int(event["encodedDataLength"])

        cdp.on("Network.responseReceived", on_response)
        cdp.on("Network.loadingFinished", on_finished)

        # The service worker's own fetches go through its target; count them from the page's
        # point of view by the resources the worker fetched (Playwright sees them).
        worker_bytes: list[int] = []

        def on_request_finished(request: Any) -> None:
            if request.service_worker is not None or request.frame is None:
                sizes_ = request.sizes()
                worker_bytes.append(sizes_["responseBodySize"] + sizes_["responseHeadersSize"])

        context.on("requestfinished", on_request_finished)

        started = time.monotonic()
        page.goto(f"{url}/field/")
        page.locator("a.task").first.wait_for(timeout=60_000)
        usable = time.monotonic() - started
        page.wait_for_selector("body[data-synced]", timeout=60_000)
        page.wait_for_function(
            "navigator.serviceWorker.ready.then(() => caches.has('field-shell'))", timeout=60_000
        )
        page.wait_for_timeout(1500)
        first = sum(sizes.values()) + sum(worker_bytes)
        results["first_load_bytes"] = first
        results["first_load_page_bytes"] = sum(sizes.values())
        results["first_load_worker_bytes"] = sum(worker_bytes)
        results["first_screen_usable_s"] = round(usable, 2)
        results["first_load_files"] = sorted(
            {urls.get(k, k).replace(url, ""): v for k, v in sizes.items()}.items()
        )

        sizes.clear()
        worker_bytes.clear()
        page.evaluate("delete document.body.dataset.synced")
        page.locator("#sync").click()
        page.wait_for_selector("body[data-synced]", timeout=60_000)
        page.wait_for_timeout(500)
        results["sync_action_bytes"] = sum(sizes.values()) + sum(worker_bytes)

        sizes.clear()
        worker_bytes.clear()
        page.evaluate("delete document.body.dataset.synced")
        started = time.monotonic()
        page.reload()
        page.locator("a.task").first.wait_for(timeout=60_000)
        results["reload_usable_s"] = round(time.monotonic() - started, 2)
        page.wait_for_selector("body[data-synced]", timeout=60_000)
        page.wait_for_timeout(500)
        results["reload_bytes"] = sum(sizes.values()) + sum(worker_bytes)
        browser.close()
    server.shutdown()
    results["ok"] = (
        results["first_load_bytes"] <= 100_000
        and results["sync_action_bytes"] <= 15_000
        and results["first_screen_usable_s"] <= 5
    )
    return results


def main() -> int:
    sys.path.insert(0, str(ROOT))
    results = measure()
    out = ROOT / "var" / "bench" / "field-weight.json"
    out.write_text(json.dumps(results, indent=2))
    for key, value in results.items():
        if key != "first_load_files":
            print(f"{key:28} {value}")
    for path, size in results["first_load_files"]:
        print(f"    {size:>8}  {path[:90]}")
    return 0 if results["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
