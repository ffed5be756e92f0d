"""The test browser keeps Playwright's Chromium settings and leaves out Chromium's own
screens (each context's address-bar pop-up cost about 0.9 s of CPU: see the root conftest)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from conftest import CHROMIUM_FEATURES_OFF, playwright_switch

pytestmark = pytest.mark.browser


def _our_chromium_command_lines() -> list[list[str]]:
    """The command lines of the Chromium browser processes this test process started."""
    parents: dict[int, int] = {}
    lines: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            line = (entry / "cmdline").read_text().split("\0")
        except OSError:
            continue
        parents[int(entry.name)] = int(stat[stat.rindex(")") + 2 :].split()[1])
        lines[int(entry.name)] = line

    def ours(pid: int) -> bool:
        while pid > 1:
            pid = parents.get(pid, 0)
            if pid == os.getpid():
                return True
        return False

    return [
        line
        for pid, line in lines.items()
        if line and line[0].endswith("chromium") and "--remote-debugging-pipe" in line and ours(pid)
    ]


def test_a_context_opens_only_its_page_and_playwrights_switches_stay(
    _chromium: Any, browser_page: Any
) -> None:
    browser_page.set_content("<main><p>Салом</p></main>")
    cdp = _chromium.new_browser_cdp_session()
    try:
        targets = cdp.send("Target.getTargets")["targetInfos"]
    finally:
        cdp.detach()
    assert [t["url"] for t in targets if t["type"] != "page"] == []

    [command_line] = _our_chromium_command_lines()
    switches = [a for a in command_line if a.startswith("--disable-features=")]
    assert len(switches) == 1, switches  # Chromium keeps only the last one
    off = set(switches[0].removeprefix("--disable-features=").split(","))
    assert set(CHROMIUM_FEATURES_OFF) <= off
    playwrights = playwright_switch(_chromium.browser_type, "disable-features")
    assert playwrights is not None
    assert set(playwrights.removeprefix("--disable-features=").split(",")) < off
