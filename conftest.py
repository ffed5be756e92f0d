import contextlib
import copy
import gc
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from keyholder.testing import Cast, make_cast

# Debian's Chromium, which .ci/run installs; Playwright's own browser download cannot reach us.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Chromium's own screens that a test never sees: each new context (every browser test has one)
# loaded the address bar's pop-up as a web page in a renderer of its own, about 0.9 s of CPU
# that went on after the test's first page was there (Chromium 156: the 13 browser tests spent
# 32 CPU-s in Chromium with them, 16 without).
CHROMIUM_FEATURES_OFF = ["WebUIOmniboxPopup", "WebUIOmniboxAimPopup", "WebUIOmniboxFullPopup"]


def playwright_switch(chromium: Any, name: str) -> str | None:
    """The ``--name=...`` switch Playwright itself gives Chromium, read by launching a script
    in its place that writes down its arguments (a few milliseconds)."""
    with tempfile.TemporaryDirectory() as folder:
        probe, written = Path(folder) / "chromium", Path(folder) / "arguments"
        probe.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{written}"\n')
        probe.chmod(0o755)
        # The script exits at once, so the launch fails: that is the point.
        with contextlib.suppress(Exception):
            chromium.launch(
                executable_path=str(probe), args=CHROMIUM_ARGS, headless=True, timeout=10_000
            )
        if not written.exists():
            return None
        return next(
            (a for a in written.read_text().splitlines() if a.startswith(f"--{name}=")), None
        )


def launch_chromium(playwright: Any) -> Any:
    """Debian's Chromium through Playwright, headless, without the screens in
    ``CHROMIUM_FEATURES_OFF``. Chromium keeps only the last ``--disable-features`` it is
    given, so the list goes in whole: Playwright's own (read from Playwright, so that a newer
    one's list is kept) followed by ours."""
    switch = playwright_switch(playwright.chromium, "disable-features")
    args, ignore = list(CHROMIUM_ARGS), []
    if switch is not None:
        ignore = [switch]
        args.append(",".join([switch, *CHROMIUM_FEATURES_OFF]))
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=args, ignore_default_args=ignore, headless=True
    )


def pytest_configure(config: pytest.Config) -> None:
    """Python's cyclic garbage collector runs less often in the test processes.

    By default it runs a young-generation pass every 700 new container objects; the ORM
    makes and drops hundreds of thousands of them per test module, and the passes cost 5 to
    8 % of the suite's CPU (registry and keeping tests measured on 2 cores: 37.8 to 40.1 s
    of CPU with the default, 35.6 to 37.0 s with these). The collector still runs, so
    memory held in cycles is still given back (the largest test process grows from about
    290 to 305 MB)."""
    gc.set_threshold(50_000, 50, 1000)


def pytest_collection_finish(session: pytest.Session) -> None:
    """What is alive once the tests are collected (Django, the apps, the test modules) lives
    to the end: kept out of the collector's passes, which then walk only the tests' own
    objects."""
    gc.collect()
    gc.freeze()


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues() -> None:
    """Compile every .po whose .mo is missing or older, as `make test` does, so that a plain
    `pytest` after editing a translation checks the pages in the catalogues as they are now.

    Under xdist every worker checks; each .mo is written aside and moved into place, so two
    workers compiling at once never leave a half-written file.
    """
    # Forget any catalogue read before this point (Django's set-up may have read one, and
    # another worker may have compiled a newer one since): every worker reads them afresh.
    _forget_catalogues()
    stale = [
        po
        for folder in settings.LOCALE_PATHS
        for po in Path(folder).glob("*/LC_MESSAGES/*.po")
        if not po.with_suffix(".mo").exists()
        or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
    if not stale:
        return
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.exit("msgfmt is missing (Debian package gettext): the catalogues cannot be compiled")
    for po in stale:
        part = po.with_suffix(f".mo.{os.getpid()}")
        # The command compilemessages runs.
        subprocess.run([msgfmt, "--check-format", "-o", str(part), str(po)], check=True)
        part.replace(po.with_suffix(".mo"))
    _forget_catalogues()


def _forget_catalogues() -> None:
    """Drop the catalogues read so far, from Django's cache and from Python's gettext cache
    (which keeps each .mo file by its path), so the next message reads the .mo as it is now."""
    import gettext

    from django.utils.translation import trans_real

    gettext._translations.clear()  # type: ignore[attr-defined]
    trans_real._translations = {}  # type: ignore[attr-defined]
    trans_real._default = None  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    """Each test starts with an empty cache: no failed sign-ins counted by an earlier test."""
    from django.core.cache import cache

    cache.clear()


# The standing cast, made once per test module rather than once per test (Django's
# ``setUpTestData``, for pytest): about 0.1 s of CPU for each of some 400 tests. In a module
# where every test that reads the database asks for the cast, and none commits, one
# transaction holds the whole module; the cast is made inside it, every test still runs in its
# own savepoint (pytest-django's ``db``) and gets its own deep copy of the cast's Python
# objects, so what one test writes or changes is gone before the next. Elsewhere (a test that
# commits: ``transactional_db``, ``live_server``, ``django_db(transaction=True)``; or one that
# expects a database without the cast) the cast is made afresh for each test, as before.
_COMMITTING_FIXTURES = {
    "transactional_db",
    "live_server",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
}
_MODULES_SHARING_A_CAST: set[str] = set()
_COMMITTING_MODULES: set[str] = set()
# Fixtures built on the cast that a module may share the same way (made once inside the
# module's transaction, deep-copied for each test together with the cast: see
# ``shares_module_fixture``), and the modules that do: those sharing a cast whose every
# database test asks for the fixture.
SHAREABLE_FIXTURES = ("kept",)
_MODULES_SHARING: dict[str, set[str]] = {}


def _commits(item: pytest.Item) -> bool:
    names = set(getattr(item, "fixturenames", ()))
    if names & _COMMITTING_FIXTURES:
        return True
    return any(marker.kwargs.get("transaction") for marker in item.iter_markers("django_db"))


def _uses_database(item: pytest.Item) -> bool:
    names = set(getattr(item, "fixturenames", ()))
    return bool(names & {"db", "cast"} | _COMMITTING_FIXTURES) or any(
        True for _ in item.iter_markers("django_db")
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Which modules share one cast: those where every test that reads the database asks for
    the cast (a test that does not must not find it there) and none commits."""
    shared: dict[str, bool] = {}
    commits: set[str] = set()
    for item in items:
        module = item.nodeid.split("::")[0]
        if _commits(item):
            commits.add(module)
        if _uses_database(item):
            uses_cast = "cast" in getattr(item, "fixturenames", ())
            shared[module] = shared.get(module, True) and uses_cast
    _MODULES_SHARING_A_CAST.clear()
    _MODULES_SHARING_A_CAST.update(m for m, ok in shared.items() if ok and m not in commits)
    for name in SHAREABLE_FIXTURES:
        asks: dict[str, bool] = {}
        for item in items:
            module = item.nodeid.split("::")[0]
            if module in _MODULES_SHARING_A_CAST and _uses_database(item):
                asks[module] = asks.get(module, True) and name in item.fixturenames  # type: ignore[attr-defined]
        _MODULES_SHARING[name] = {m for m, ok in asks.items() if ok}
    _COMMITTING_MODULES.clear()
    _COMMITTING_MODULES.update(commits)
    # The long tests first (a browser, a process, a property test: marked ``browser`` or
    # ``slow``), whole modules at a time, so that their module fixtures are made once: the
    # workers then share out the many short tests at the end and finish together, instead of
    # one worker running a long test alone while the other core stands idle.
    long = {
        item.nodeid.split("::")[0]
        for item in items
        if item.get_closest_marker("browser") or item.get_closest_marker("slow")
    }
    items.sort(key=lambda item: item.nodeid.split("::")[0] not in long)


@pytest.fixture(scope="module")
def module_db(
    request: pytest.FixtureRequest, django_db_setup: None, django_db_blocker: Any
) -> Iterator[Any]:
    """One transaction around a whole test module, for records that many of its tests read
    and none needs afresh: a module fixture makes them once, inside ``module_db.unblock()``.
    Each test still runs in its own savepoint (pytest-django's ``db``), so what a test writes
    is rolled back after it, and the module's records when its last test ends. Only for a
    module none of whose tests commits (see ``_commits``), and whose tests do not change the
    shared Python objects in place."""
    from django.db import transaction

    module = request.node.nodeid.split("::")[0]
    if module in _COMMITTING_MODULES:
        pytest.fail(f"{module} has a test that commits: module_db cannot hold its records")
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
    try:
        yield django_db_blocker
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="module", autouse=True)
def _module_cast(request: pytest.FixtureRequest) -> Cast | None:
    if request.node.nodeid.split("::")[0] not in _MODULES_SHARING_A_CAST:
        return None
    blocker = request.getfixturevalue("module_db")
    with blocker.unblock():
        return make_cast()


def shares_module_fixture(request: pytest.FixtureRequest, name: str) -> bool:
    """Whether the requesting test's module makes ``name`` (one of SHAREABLE_FIXTURES) once,
    in a module fixture on ``module_db`` from ``_module_cast``, and gives each test
    ``copy.deepcopy(made, copies)`` with the ``copies`` fixture, so that what it holds of the
    cast is the test's own copy of the cast."""
    return request.node.nodeid.split("::")[0] in _MODULES_SHARING.get(name, set())


@pytest.fixture
def copies() -> dict[int, Any]:
    """The memo of this test's deep copies of the module's shared records (the cast, and the
    fixtures in SHAREABLE_FIXTURES): one memo, so the copies keep pointing at each other."""
    return {}


@pytest.fixture
def cast(db: None, _module_cast: Cast | None, copies: dict[int, Any]) -> Cast:
    if _module_cast is None:
        return make_cast()
    return copy.deepcopy(_module_cast, copies)


@pytest.fixture(scope="session")
def _chromium() -> Iterator[Any]:
    """One Chromium per test process (each test still gets a fresh context: no cookie, storage
    or service worker carries over). Launching a browser costs a second or more."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; CI must install Debian's chromium")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread from here on; the tests' own
    # database calls stay synchronous, so Django's async guard must stand aside while it runs.
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            try:
                yield browser
            finally:
                browser.close()
                # While Playwright's event loop runs in this thread, Django keeps this
                # thread's database connections apart (asgiref's Local sees a running loop):
                # the tests after the first browser test opened a second connection. Closed
                # here, before the loop stops; left open, it kept the test database from
                # being dropped on PostgreSQL ("being accessed by other users", 5 s).
                from django.db import connections

                connections.close_all()
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


class _Answering:
    """How many requests the live server is answering now, to wait until it answers none.

    A page may still have a request on the server when its test ends (the photo test's last
    page was still fetching its photo, an audited read). On SQLite the live server shares the
    test's one in-memory connection, so such a request's writes landed inside the flush that
    empties the database after the test, and the flush failed on their foreign keys (a CI
    run at 52b4588)."""

    def __init__(self, httpd: Any) -> None:
        self._count = 0
        self._changed = threading.Condition()
        accept, answer = httpd.process_request, httpd.process_request_thread

        def process_request(request: Any, client_address: Any) -> None:
            # Counted when accepted, before its thread starts, so none slips between.
            with self._changed:
                self._count += 1
            try:
                accept(request, client_address)
            except BaseException:
                self._done()
                raise

        def process_request_thread(request: Any, client_address: Any) -> None:
            try:
                answer(request, client_address)
            finally:
                self._done()

        httpd.process_request = process_request
        httpd.process_request_thread = process_request_thread

    def _done(self) -> None:
        with self._changed:
            self._count -= 1
            self._changed.notify_all()

    def wait(self, timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self._count == 0, timeout)


@pytest.fixture(scope="session")
def live_server(live_server: Any) -> Any:
    """pytest-django's live server, counting the requests it is answering (see _Answering)."""
    live_server.answering = _Answering(live_server.thread.httpd)
    return live_server


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the test, so a fixture's teardown knows whether it failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def browser_page(_chromium: Any, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """A Playwright page in Debian's Chromium at a 360 x 740 phone viewport, in a new context.

    Without Chromium the test is skipped on a developer's machine; in CI (``CI`` set) a missing
    browser is a failure, never a silent skip. When the test fails, the page as it stood is
    kept as ``failed.png`` in the test's tmp_path (named in the report).
    """
    context = _chromium.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        yield page
    finally:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            picture = tmp_path / "failed.png"
            try:
                page.screenshot(path=picture, full_page=True)
                report.sections.append(("browser", f"the page when the test failed: {picture}"))
            except Exception as error:  # the page may be gone with the failure
                report.sections.append(("browser", f"no picture of the page: {error}"))
        context.close()
        # Every request the page sent is answered before the test's data is emptied.
        if "live_server" in request.fixturenames:
            server = request.getfixturevalue("live_server")
            assert server.answering.wait(timeout=30), "the live server is still answering"
