"""What the field app's browser tests share: the built app, a live server that can stop and
start again on the same address (the service worker belongs to that origin), signing in."""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path
from typing import Any

from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.db import connections
from django.test.testcases import LiveServerThread

from keyholder.testing import PASSWORD

FRONTEND = Path(__file__).resolve().parents[1] / "frontend"
DIST = Path(__file__).resolve().parents[1] / "static" / "field" / "dist"


def ensure_built() -> None:
    """Build the app as `make setup` does when the build is missing or older than a source."""
    built = [DIST / name for name in ("app.js", "sw.js", "app.css")]
    newest = max(p.stat().st_mtime for p in FRONTEND.iterdir())
    if all(p.exists() and p.stat().st_mtime >= newest for p in built):
        return
    root = FRONTEND.parents[2]
    subprocess.run(["node", str(FRONTEND / "build.mjs")], check=True, cwd=root)


class _Quiet(WSGIRequestHandler):
    # One request per connection: a kept-alive connection would hold a server thread (and the
    # shared test database) after the server stops, until the browser's context closes.
    protocol_version = "HTTP/1.0"

    def log_message(self, *args: Any) -> None:
        pass


class _Httpd(ThreadedWSGIServer):
    def serve_forever(self, poll_interval: float = 0.05) -> None:
        # Stopping waits for the loop's next look at the stop flag: every 0.5 s by default,
        # 0.4 s of each of the four stops of the offline days.
        super().serve_forever(poll_interval)


class _Thread(LiveServerThread):
    def _create_server(self, connections_override: Any = None) -> ThreadedWSGIServer:
        # The same port again right after a stop: the phone's origin must not change.
        return _Httpd(
            (self.host, self.port),
            _Quiet,
            allow_reuse_address=True,
            connections_override=connections_override,
        )


class Server:
    """A live server on localhost (a secure context for the service worker)."""

    def __init__(self, port: int = 0) -> None:
        override = {
            c.alias: c
            for c in connections.all()
            if c.vendor == "sqlite" and c.is_in_memory_db()  # type: ignore[attr-defined]
        }
        # The test's in-memory SQLite database is shared with the server's threads.
        for conn in override.values():
            conn.inc_thread_sharing()
        self.override = override
        self.thread = _Thread("localhost", StaticFilesHandler, override, port)
        self.thread.daemon = True
        self.thread.start()
        self.thread.is_ready.wait()
        if self.thread.error:
            raise self.thread.error
        self.port = self.thread.port
        self.url = f"http://localhost:{self.port}"

    def stop(self) -> None:
        if self.thread.is_alive():
            self.thread.terminate()
            # A request in flight when the server stopped finishes in its own thread (the
            # server's threads are daemons, which it does not wait for): the database stays
            # shared with it until it has, or closing its connection fails in that thread.
            for thread in threading.enumerate():
                if thread.name.endswith("(process_request_thread)"):
                    thread.join(timeout=10)
            for conn in self.override.values():
                conn.dec_thread_sharing()


def sign_in(page: Any, url: str, username: str) -> None:
    page.goto(f"{url}/signin/?next=/field/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{url}/field/")
    # The first sync has pulled the scope, and the service worker keeps the shell.
    page.wait_for_selector("body[data-synced]")
    page.wait_for_function(
        "navigator.serviceWorker.ready.then(() => caches.has('field-shell'))", polling=50
    )
    page.wait_for_function(
        "caches.open('field-shell').then((c) => c.match('/field/')).then((r) => !!r)"
    )


def waiting_text(page: Any) -> str:
    return str(page.locator("#waiting").inner_text())


def sync_until_empty(page: Any, nothing: str) -> None:
    page.locator("#sync").click()
    page.wait_for_function(
        "(text) => document.querySelector('#waiting').textContent.trim() === text",
        arg=nothing,
        timeout=30_000,
    )


def environ_ci() -> bool:
    return bool(os.environ.get("CI"))
